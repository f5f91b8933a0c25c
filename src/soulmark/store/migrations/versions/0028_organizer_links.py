"""co-organizer links, the organizer action log, name reports, join slips (issue 20 items 4,
5 and 9)

Revision ID: 0028_organizer_links
Revises: 0027_share_labels
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_organizer_links"
down_revision = "0027_share_labels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organizer_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("world_id", sa.Integer(), sa.ForeignKey("worlds.id"), nullable=False),
        sa.Column("link_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.Column("once", sa.String(64), nullable=True),
        sa.UniqueConstraint("world_id", "link_id"),
        sa.UniqueConstraint("world_id", "once"),
    )
    op.create_index("ix_organizer_links_world_id", "organizer_links", ["world_id"])
    op.create_table(
        "organizer_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("world_id", sa.Integer(), sa.ForeignKey("worlds.id"), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_organizer_actions_world_id", "organizer_actions", ["world_id"])
    op.create_table(
        "name_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("world_id", sa.Integer(), sa.ForeignKey("worlds.id"), nullable=False),
        sa.Column("report_id", sa.String(32), nullable=False, unique=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("reported_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("removed_at", sa.BigInteger(), nullable=True),
        sa.UniqueConstraint("reporter_id", "round"),
    )
    op.create_index("ix_name_reports_world_id", "name_reports", ["world_id"])
    op.create_index("ix_name_reports_reported_id", "name_reports", ["reported_id"])
    op.create_table(
        "join_slips",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("world_id", sa.Integer(), sa.ForeignKey("worlds.id"), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("batch", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
    )
    for column in ("world_id", "person_id", "batch"):
        op.create_index(f"ix_join_slips_{column}", "join_slips", [column])


def downgrade() -> None:
    for column in ("world_id", "person_id", "batch"):
        op.drop_index(f"ix_join_slips_{column}", table_name="join_slips")
    op.drop_table("join_slips")
    op.drop_index("ix_name_reports_reported_id", table_name="name_reports")
    op.drop_index("ix_name_reports_world_id", table_name="name_reports")
    op.drop_table("name_reports")
    op.drop_index("ix_organizer_actions_world_id", table_name="organizer_actions")
    op.drop_table("organizer_actions")
    op.drop_index("ix_organizer_links_world_id", table_name="organizer_links")
    op.drop_table("organizer_links")
