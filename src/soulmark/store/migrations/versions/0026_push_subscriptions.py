"""push subscriptions: the devices a wrist's notices are pushed to (issue 19, item 2)

A push is a notices row of its own (``push-<kind>``, ``to_addr`` = ``push:<subscription>``,
no person): the partial unique index is its "never twice", as (person, kind) is a mail's.

Revision ID: 0026_push_subscriptions
Revises: 0025_joins_closed
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_push_subscriptions"
down_revision = "0025_joins_closed"
branch_labels = None
depends_on = None

_PUSH = sa.text("kind LIKE 'push-%'")


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("endpoint_key", sa.String(64), nullable=False),
        sa.Column("p256dh", sa.String(100), nullable=False),
        sa.Column("auth", sa.String(40), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("person_id", "endpoint_key"),
    )
    op.create_index("ix_push_subscriptions_person_id", "push_subscriptions", ["person_id"])
    op.create_index(
        "ux_notices_push",
        "notices",
        ["to_addr", "kind"],
        unique=True,
        sqlite_where=_PUSH,
        postgresql_where=_PUSH,
    )


def downgrade() -> None:
    op.drop_index("ux_notices_push", table_name="notices")
    op.drop_index("ix_push_subscriptions_person_id", table_name="push_subscriptions")
    op.drop_table("push_subscriptions")
