"""mail that inboxes accept: suppressed addresses and one-click unsubscribe keys (issue 17)

Revision ID: 0024_mail_suppression
Revises: 0023_worker_heartbeat
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_mail_suppression"
down_revision = "0023_worker_heartbeat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_suppressions",
        sa.Column("address_hash", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address_hash"),
    )
    op.create_table(
        "unsubscribe_keys",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("world_id", sa.Integer(), sa.ForeignKey("worlds.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("address_hash", sa.String(64), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    op.create_index("ix_unsubscribe_keys_person_id", "unsubscribe_keys", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_unsubscribe_keys_person_id", table_name="unsubscribe_keys")
    op.drop_table("unsubscribe_keys")
    op.drop_table("mail_suppressions")
