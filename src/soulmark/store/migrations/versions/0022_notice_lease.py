"""a claimed notice holds a lease: a dead worker's batch is taken back once it runs out (issue 22)

Claims already in (taken by a worker from before leases) keep the hour the old rule gave
them, counted from their claim, so a worker still running its batch is not doubled.

Revision ID: 0022_notice_lease
Revises: 0021_sender
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_notice_lease"
down_revision = "0021_sender"
branch_labels = None
depends_on = None

_OLD_STALE_US = 3600 * 1_000_000


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.add_column(sa.Column("leased_until", sa.BigInteger(), nullable=True))
    op.execute(
        sa.text(
            "UPDATE notices SET leased_until = claimed_at + :stale"
            " WHERE status = 'sending' AND claimed_at IS NOT NULL"
        ).bindparams(stale=_OLD_STALE_US)
    )


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.drop_column("leased_until")
