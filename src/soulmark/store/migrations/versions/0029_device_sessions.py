"""device sessions: "keep me signed in on this device" (issue 19, item 3)

Only the SHA-256 of a device's secret is stored.  The secret is rotated on use (at most once
a day), so ``secret_hash`` changes while ``handle`` (the public name of the device's cookie)
stays.

Revision ID: 0029_device_sessions
Revises: 0028_organizer_links
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_device_sessions"
down_revision = "0028_organizer_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("handle", sa.String(32), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_used_at", sa.BigInteger(), nullable=False),
        sa.Column("rotated_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_device_sessions_person_id", "device_sessions", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_device_sessions_person_id", table_name="device_sessions")
    op.drop_table("device_sessions")
