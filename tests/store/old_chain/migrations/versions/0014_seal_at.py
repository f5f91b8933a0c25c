"""a scheduled seal: the moment, the round it is for, and why it could not happen (issue 9)

Revision ID: 0014_seal_at
Revises: 0013_contact
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_seal_at"
down_revision = "0013_contact"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("worlds") as batch_op:
        batch_op.add_column(sa.Column("seal_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("seal_round", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("seal_refused", sa.String(length=400), nullable=True))
    op.create_index("ix_worlds_seal_at", "worlds", ["seal_at"])


def downgrade() -> None:
    op.drop_index("ix_worlds_seal_at", table_name="worlds")
    with op.batch_alter_table("worlds") as batch_op:
        batch_op.drop_column("seal_refused")
        batch_op.drop_column("seal_round")
        batch_op.drop_column("seal_at")
