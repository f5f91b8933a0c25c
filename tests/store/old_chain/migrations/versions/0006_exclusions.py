"""private exclusions ("never with") and organizer exclusion groups

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exclusions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("world_id", sa.Integer(), sa.ForeignKey("worlds.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("person_id", "email_key"),
    )
    op.create_index("ix_exclusions_world_id", "exclusions", ["world_id"])
    op.create_index("ix_exclusions_person_id", "exclusions", ["person_id"])
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exclusion_group", sa.String(length=64), nullable=True))
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("attempts")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("exclusion_group")
    op.drop_index("ix_exclusions_person_id", table_name="exclusions")
    op.drop_index("ix_exclusions_world_id", table_name="exclusions")
    op.drop_table("exclusions")
