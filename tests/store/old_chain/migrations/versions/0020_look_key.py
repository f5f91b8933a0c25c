"""one person, one look: a name's confusable skeleton, unique per world; addresses re-keyed
to their normalized form (NFC, the domain's A-label) (issue 22)

Rows already in keep working: the first of a look keeps it, a later look-alike keeps its
name with no key (it joined before the rule), and an address whose new key another row of
the world already holds keeps its old one.

Revision ID: 0020_look_key
Revises: 0014_seal_at
"""

import sqlalchemy as sa
from alembic import op

from soulmark.core.looks import email_key, look_key

revision = "0020_look_key"
down_revision = "0016_exclusions_dropped"
branch_labels = None
depends_on = None

_RESERVED = ("left:", "erased:")


def _looks(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.text(
            "SELECT id, world_id, name FROM people WHERE confirmed AND left_at IS NULL"
            " AND name <> '' ORDER BY id"
        )
    ).all()
    seen: set[tuple[int, str]] = set()
    for id_, world_id, name in rows:
        key = look_key(name)
        if (world_id, key) in seen:
            continue
        seen.add((world_id, key))
        conn.execute(sa.text("UPDATE people SET look_key = :k WHERE id = :i"), {"k": key, "i": id_})


def _rekey(conn: sa.Connection, table: str, owner: str) -> None:
    rows = conn.execute(sa.text(f"SELECT id, {owner}, email, email_key FROM {table}")).all()
    held = {(o, k) for _, o, _, k in rows}
    for id_, who, email, old in rows:
        new = email_key(email) if email and not old.startswith(_RESERVED) else old
        if new == old or (who, new) in held:
            continue
        held.add((who, new))
        conn.execute(
            sa.text(f"UPDATE {table} SET email_key = :k WHERE id = :i"), {"k": new, "i": id_}
        )


def upgrade() -> None:
    with op.batch_alter_table("people") as batch_op:
        batch_op.add_column(sa.Column("look_key", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    _looks(conn)
    _rekey(conn, "people", "world_id")
    _rekey(conn, "exclusions", "person_id")
    op.create_index("uq_people_world_id_look_key", "people", ["world_id", "look_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_people_world_id_look_key", table_name="people")
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_column("look_key")
