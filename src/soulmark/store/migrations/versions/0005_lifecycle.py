"""data lifecycle: leaving a world, retention and erasure

Revision ID: 0005_lifecycle
Revises: 0004_beacon
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_lifecycle"
down_revision = "0004_beacon"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_at", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("worlds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retain_until", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("worlds", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
        batch_op.drop_column("retain_until")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("left_at")
