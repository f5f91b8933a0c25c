"""receipts for never-with entries: the salt of each entry's commitment (issue 22)

Revision ID: 0015_exclusion_receipts
Revises: 0014_seal_at
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_exclusion_receipts"
down_revision = "0014_seal_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exclusion_receipts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("world_id", sa.Integer(), sa.ForeignKey("worlds.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
    )
    op.create_index("ix_exclusion_receipts_world_id", "exclusion_receipts", ["world_id"])
    op.create_index("ix_exclusion_receipts_person_id", "exclusion_receipts", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_exclusion_receipts_person_id", table_name="exclusion_receipts")
    op.drop_index("ix_exclusion_receipts_world_id", table_name="exclusion_receipts")
    op.drop_table("exclusion_receipts")
