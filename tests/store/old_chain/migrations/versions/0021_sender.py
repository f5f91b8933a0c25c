"""a world opened from the web holds its mail until its organizer confirms their own address

Revision ID: 0021_sender
Revises: 0020_look_key
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_sender"
down_revision = "0020_look_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Worlds already open were opened by their operator or mailed before this rule: trusted.
    # A plain ADD COLUMN: a batch copy of ``worlds`` would trip every row that points at it.
    op.add_column(
        "worlds",
        sa.Column("sender_confirmed", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("worlds", sa.Column("sender_code_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("worlds") as batch_op:
        batch_op.drop_column("sender_code_hash")
        batch_op.drop_column("sender_confirmed")
