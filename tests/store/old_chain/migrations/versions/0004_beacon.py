"""rounds wait for a public beacon

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("beacon_chain", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("beacon_round", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("beacon_signature", sa.String(length=96), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("beacon_signature")
        batch_op.drop_column("beacon_round")
        batch_op.drop_column("beacon_chain")
