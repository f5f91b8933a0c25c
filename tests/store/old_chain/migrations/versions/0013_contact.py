"""the contact a person chooses to pass when reaching out (issue 9)

Revision ID: 0013_contact
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_contact"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch_op:
        batch_op.add_column(sa.Column("contact", sa.String(length=400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_column("contact")
