"""a public, append-only history of each world's commitments and seals (issue 13)

Revision ID: 0010_fate_log
Revises: 0009_signin_codes
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0010_fate_log"
down_revision = "0009_signin_codes"
branch_labels = None
depends_on = None

_REFUSE = "fate_log is append-only"


def upgrade() -> None:
    op.create_table(
        "fate_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("world_id", sa.Integer(), sa.ForeignKey("worlds.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("transcript_sha256", sa.String(length=64), nullable=True),
        sa.Column("at", sa.BigInteger(), nullable=True),
        sa.Column("chain", sa.String(length=64), nullable=False),
    )
    op.create_index("ix_fate_log_world_id", "fate_log", ["world_id"])
    _backfill()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION fate_log_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{_REFUSE}'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER fate_log_append_only BEFORE UPDATE OR DELETE ON fate_log "
            "FOR EACH ROW EXECUTE FUNCTION fate_log_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER fate_log_no_{event.lower()} BEFORE {event} ON fate_log "
                f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END"
            )


def _backfill() -> None:
    """Rounds opened and sealed before this history existed enter it in order (no times)."""
    conn = op.get_bind()
    rounds = conn.execute(
        sa.text(
            "SELECT world_id, number, commitment, transcript FROM rounds ORDER BY world_id, number"
        )
    ).all()
    table = sa.table(
        "fate_log",
        *(sa.column(c) for c in ("world_id", "kind", "round", "commitment")),
        *(sa.column(c) for c in ("transcript_sha256", "at", "chain")),
    )
    prev: dict[int, str] = {}
    for world_id, number, commitment, transcript in rounds:
        entries: list[tuple[str, str | None]] = [("commitment", None)]
        if transcript is not None:
            entries.append(("seal", hashlib.sha256(transcript.encode()).hexdigest()))
        for kind, digest in entries:
            fields = [prev.get(world_id, ""), kind, str(number), commitment, digest or "", ""]
            chain = hashlib.sha256("|".join(fields).encode()).hexdigest()
            prev[world_id] = chain
            conn.execute(
                table.insert().values(
                    world_id=world_id,
                    kind=kind,
                    round=number,
                    commitment=commitment,
                    transcript_sha256=digest,
                    at=None,
                    chain=chain,
                )
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER fate_log_append_only ON fate_log")
        op.execute("DROP FUNCTION fate_log_append_only()")
    op.drop_index("ix_fate_log_world_id", table_name="fate_log")
    op.drop_table("fate_log")
