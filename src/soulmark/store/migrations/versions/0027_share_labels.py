"""share labels: the bearer names each share link ("for Mum") (issue 19, item 6)

The friend's page shows the label, and the wrist lists its links by it.

Revision ID: 0027_share_labels
Revises: 0026_push_subscriptions
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_share_labels"
down_revision = "0026_push_subscriptions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shares") as batch:
        batch.add_column(sa.Column("label", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shares") as batch:
        batch.drop_column("label")
