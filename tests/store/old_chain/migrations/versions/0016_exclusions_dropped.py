"""never-with entries a seal could not honour: the round that dropped them (issue 22)

Revision ID: 0016_exclusions_dropped
Revises: 0014_seal_at
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_exclusions_dropped"
down_revision = "0015_exclusion_receipts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exclusions") as batch_op:
        batch_op.add_column(sa.Column("dropped_in", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exclusions") as batch_op:
        batch_op.drop_column("dropped_in")
