"""people by world and round: the world page's count of who waits for the open round

The page every QR scan opens counts the people of one world in its open round.  With an
index on ``world_id`` alone that count walks every person of the world (about 20 ms for
100,000 on SQLite, most of the page's cost); on ``(world_id, round)`` it reads only the
round's own entries.

Revision ID: 0030_people_by_round
Revises: 0029_device_sessions
"""

from alembic import op

revision = "0030_people_by_round"
down_revision = "0029_device_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_people_world_id_round", "people", ["world_id", "round"])


def downgrade() -> None:
    op.drop_index("ix_people_world_id_round", table_name="people")
