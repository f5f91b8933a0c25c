"""notices workers write a heartbeat row every few seconds: /readyz tells a dead one (issue 17)

Revision ID: 0023_worker_heartbeat
Revises: 0022_notice_lease
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_worker_heartbeat"
down_revision = "0022_notice_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("beat_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("worker"),
    )
    op.create_index("ix_worker_heartbeats_beat_at", "worker_heartbeats", ["beat_at"])


def downgrade() -> None:
    op.drop_index("ix_worker_heartbeats_beat_at", table_name="worker_heartbeats")
    op.drop_table("worker_heartbeats")
