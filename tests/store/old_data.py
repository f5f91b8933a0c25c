"""Rows a database held at each revision of the old (pre-0.2.0) chain, written with the
columns that revision had: the upgrade test fills each old database with them as it builds it.

Addresses are already in their normalized form, so migration 0020's re-keying leaves them as
they are and every old value must come through the upgrade unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, text

__all__ = ["SEEDS", "seed"]

NAMES = ["Izuku Midoriya", "Ochaco Uraraka", "Shoto Todoroki", "Momo Yaoyorozu"]


def _run(conn: Connection, sql: str, **values: object) -> None:
    conn.execute(text(sql), values)


def _core(conn: Connection) -> None:
    _run(
        conn,
        "INSERT INTO worlds (id, slug, name, window_start, window_end, params, email_domain,"
        " organizer_token_hash, open_round, created_at) VALUES (1, 'ua', 'Class 1-A', 1000,"
        " 2000, '{\"marks\": 3}', 'ua.example', :h, 2, 10)",
        h="o" * 64,
    )
    _run(
        conn,
        "INSERT INTO rounds (id, world_id, number, secret, commitment, sealed_at, seed, pairs,"
        " roster_size, transcript) VALUES (1, 1, 1, 's1', 'c1', 500, 'seed1', 1, 2,"
        " '{\"lines\": []}'), (2, 1, 2, 's2', 'c2', NULL, NULL, NULL, NULL, NULL)",
    )
    for i, name in enumerate(NAMES, 1):
        _run(
            conn,
            "INSERT INTO people (id, world_id, pid, name, email, email_key, token_hash, round,"
            " confirmed, joined_at, looked_at) VALUES (:i, 1, :pid, :name, :email, :email,"
            " :th, :round, :ok, :at, :looked)",
            i=i,
            pid=f"p{i}",
            name=name,
            email=f"{name.split()[0].lower()}@ua.example",
            th=f"t{i}",
            round=1 if i <= 2 else 2,
            ok=i != 4,
            at=100 + i,
            looked=150 if i == 1 else None,
        )
    _run(
        conn,
        "INSERT INTO marks (id, world_id, person_id, round, partner_id, itch_start, ink_start,"
        " legible_at) VALUES (1, 1, 1, 1, 2, 1100, 1200, 1300), (2, 1, 2, 1, 1, 1110, 1210, 1310)",
    )


def _web(conn: Connection) -> None:
    _run(
        conn,
        "INSERT INTO shares (id, person_id, token_hash, created_at, revoked_at, show_name)"
        " VALUES (1, 1, 'sh1', 200, NULL, :yes)",
        yes=True,
    )
    _run(
        conn,
        "INSERT INTO confirmations (id, person_id, token_hash, created_at, used_at)"
        " VALUES (1, 3, 'cf1', 201, 202)",
    )


def _notices(conn: Connection) -> None:
    _run(
        conn,
        "INSERT INTO notices (id, world_id, person_id, kind, to_addr, due_at, status, attempts,"
        " next_attempt_at, claim, claimed_at, transport, sent_at, last_error, subject, body)"
        " VALUES (1, 1, 1, 'tingle', 'izuku@ua.example', 300, 'sending', 1, 300, 'k1', 310,"
        " NULL, NULL, NULL, NULL, NULL), (2, 1, 2, 'tingle', 'ochaco@ua.example', 300, 'sent',"
        " 1, 300, NULL, NULL, 'smtp', 320, NULL, 'It tingles', 'Your wrist tingles.')",
    )
    _run(conn, "INSERT INTO notice_rounds (round_id, notices, at) VALUES (1, 2, 330)")


def _exclusions(conn: Connection) -> None:
    _run(
        conn,
        "INSERT INTO exclusions (id, world_id, person_id, email, email_key, created_at)"
        " VALUES (1, 1, 3, 'momo@ua.example', 'momo@ua.example', 410)",
    )
    _run(conn, "UPDATE people SET exclusion_group = 'g1' WHERE id = 3")
    _run(conn, "UPDATE rounds SET attempts = 1 WHERE id = 1")


def _fate_log(conn: Connection) -> None:
    """The migration filled it from the rounds; a later round's commitment is appended."""
    _run(
        conn,
        "INSERT INTO fate_log (world_id, kind, round, commitment, transcript_sha256, at, chain)"
        " VALUES (1, 'commitment', 3, 'c3', NULL, 440, :chain)",
        chain="f" * 64,
    )


def _late_person(conn: Connection) -> None:
    _run(
        conn,
        "INSERT INTO people (id, world_id, pid, name, email, email_key, token_hash, round,"
        " confirmed, joined_at, look_key, lang) VALUES (5, 1, 'p5', 'Tenya Iida',"
        " 'tenya@ua.example', 'tenya@ua.example', 't5', 2, :yes, 460, 'tenya', 'en')",
        yes=True,
    )


def _unconfirmed_sender(conn: Connection) -> None:
    _run(
        conn,
        "INSERT INTO worlds (id, slug, name, window_start, window_end, params,"
        " organizer_token_hash, open_round, created_at, sender_confirmed, sender_code_hash)"
        " VALUES (2, 'web', 'Opened on the web', 1000, 2000, '{}', :h, 1, 470, :no, 'sc')",
        h="p" * 64,
        no=False,
    )


def _sql(*statements: str) -> Callable[[Connection], None]:
    def run(conn: Connection) -> None:
        for statement in statements:
            _run(conn, statement)

    return run


SEEDS: dict[str, Callable[[Connection], None]] = {
    "0001": _core,
    "0002": _web,
    "0003": _notices,
    "0004": _sql(
        "UPDATE rounds SET beacon_chain = 'quicknet', beacon_round = 123,"
        " beacon_signature = 'ab' WHERE id = 2"
    ),
    "0005": _sql(
        "UPDATE people SET left_at = 400 WHERE id = 4",
        "UPDATE worlds SET retain_until = 9000 WHERE id = 1",
    ),
    "0006": _exclusions,
    "0007": _sql(
        "INSERT INTO token_attempts (client, window_no, attempts) VALUES ('203.0.113.7', 5, 2)"
    ),
    "0008": _sql("UPDATE people SET lang = 'ja' WHERE id = 2"),
    "0009": _sql(
        "INSERT INTO signin_codes (id, person_id, code_hash, purpose, created_at, expires_at)"
        " VALUES (1, 1, 'sc1', 'recover', 420, 999)"
    ),
    "0010": _fate_log,
    "0011": _sql("INSERT INTO changes (world_id, person_id, made_at) VALUES (1, 1, 430)"),
    "0012": _sql("UPDATE worlds SET time_zone = 'Asia/Tokyo' WHERE id = 1"),
    "0013_contact": _sql("UPDATE people SET contact = 'line: deku' WHERE id = 1"),
    "0014_seal_at": _sql("UPDATE worlds SET seal_at = 1500, seal_round = 2 WHERE id = 1"),
    "0015_exclusion_receipts": _sql(
        "INSERT INTO exclusion_receipts (id, world_id, person_id, round, salt, commitment)"
        " VALUES (1, 1, 3, 2, 'salt', 'ec1')"
    ),
    "0016_exclusions_dropped": _sql("UPDATE exclusions SET dropped_in = 1 WHERE id = 1"),
    "0020_look_key": _late_person,
    "0021_sender": _unconfirmed_sender,
    "0022_notice_lease": _sql("UPDATE notices SET leased_until = 999 WHERE id = 2"),
}


def seed(conn: Connection, revision: str) -> None:
    """Write the rows that belong to ``revision`` (right after it was applied)."""
    SEEDS[revision](conn)
