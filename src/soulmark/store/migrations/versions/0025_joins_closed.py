"""the organizer may close and reopen joining (issue 20)

Revision ID: 0025_joins_closed
Revises: 0024_mail_suppression
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_joins_closed"
down_revision = "0024_mail_suppression"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of ``worlds`` would trip every row that points at it.
    op.add_column(
        "worlds",
        sa.Column("joins_closed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("worlds") as batch_op:
        batch_op.drop_column("joins_closed")
