"""Exclusions and groups that reveal nothing (issue 22, items 1 and 2; B2, R3, B1).

Each attack is played as the issue describes it, through the public interfaces only: the
attacker holds wrists of their own (and, first, the organizer's link), and reads the public
transcript.  They know their own opaque ids (every wrist is handed its own); the transcript
must not give them the id of anyone they grouped or named, so neither that person's
partner nor their mark moments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from soulmark.cli import app
from soulmark.core.audit import audit, load_transcript
from soulmark.core.fate import fisher_yates, pair_up
from soulmark.core.private_exclusions import check_entry
from tests.mailbox import invitations

VECTORS = Path(__file__).parent.parent / "vectors"
TARGETS = [f"target{i}@school.test" for i in range(4)]
OWN = [f"organizer+{i}@own.test" for i in range(4)]


def _own_id(web, token: str) -> str:
    return str(web.api("GET", "/api/wrist", token).json()["person"])


def _transcript(web, world) -> dict[str, Any]:
    public = web.client.get(f"/w/{world.slug}/transcript")
    assert public.status_code == 200
    doc = load_transcript(public.text)
    assert audit(doc) == [], "the public transcript still audits"
    return doc


def _linked(doc: dict[str, Any], own: set[str]) -> dict[str, set[str]]:
    """The attack: every pair of roster ids the transcript holds outside its lines (which
    pair each id with its soulmate) that has one of the attacker's own ids on one side.

    Besides that, if the transcript names its winning attempt, every earlier attempt can
    be re-run from the public seed and each of them drew an excluded pair: the attacker's
    own partner in each is a candidate for the person they named.
    """
    roster = set(doc["roster"])
    found: dict[str, set[str]] = {}

    def walk(value: Any) -> None:
        if isinstance(value, list):
            if len(value) == 2 and all(isinstance(x, str) and x in roster for x in value):
                a, b = value
                for mine, other in ((a, b), (b, a)):
                    if mine in own and other not in own:
                        found.setdefault(mine, set()).add(other)
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    for field, value in doc.items():
        if field not in ("roster", "lines"):
            walk(value)
    if isinstance(doc.get("attempt"), int) and doc["attempt"] > 0:
        ids = doc["roster"]
        for k in range(doc["attempt"]):
            order = _public_attempt(bytes.fromhex(doc["seed"]), len(ids), k)
            for a, b in pair_up(ids, order).pairs:
                for mine, other in ((a, b), (b, a)):
                    if mine in own:
                        found.setdefault(mine, set()).add(other)
    return found


def _public_attempt(seed: bytes, n: int, k: int) -> list[int]:
    """Attempt ``k`` of version 1: the exact shuffle on ``Stream(seed, b"fate", k)``."""
    a = list(range(n))
    for _ in fisher_yates(a, seed, k):
        pass
    return a


def _ids_outside_lines(doc: dict[str, Any]) -> set[str]:
    roster = set(doc["roster"])
    text = {f: str(v) for f, v in doc.items() if f not in ("roster", "lines", "unmatched")}
    return {pid for pid in roster if any(pid in body for body in text.values())}


def test_b2_organizer_cannot_link_invitation_groups_to_ids(web) -> None:
    world = web.world([f"Stranger {i}" for i in range(6)], seal=False)
    # Each target is grouped with one address of the organizer's own.
    rows = [f"{t},,g{i}\n{o},,g{i}\n" for i, (t, o) in enumerate(zip(TARGETS, OWN, strict=True))]
    csv = "email,name,group\n" + "".join(rows)
    sent = web.api("POST", "/api/organizer/invitations", world.organizer, json={"csv": csv})
    assert sent.status_code == 200 and sent.json()["sent"] == 8
    tokens = {}
    for mail in invitations(web.store):
        code = mail["link"].rsplit("#", 1)[1]
        claimed = web.api("POST", "/api/invite", json={"code": code, "name": mail["to"]})
        tokens[mail["to"].casefold()] = claimed.json()["token"]
    own = {_own_id(web, tokens[o]) for o in OWN}
    targets = {_own_id(web, tokens[t]) for t in TARGETS}  # the truth, to judge the attack
    web.seal(world)
    doc = _transcript(web, world)
    assert set(doc["roster"]) >= own | targets
    learned = _linked(doc, own)
    assert not {pid for ids in learned.values() for pid in ids} & targets, learned
    assert _ids_outside_lines(doc) == set(), "no roster id outside the roster and the lines"


def test_b2_a_stranger_cannot_link_a_never_with_address_to_an_id(web) -> None:
    victims = [f"Victim {i}" for i in range(3)]
    world = web.world(victims + [f"Bystander {i}" for i in range(5)], seal=False)
    addresses = {p.email: p.pid for p in world.people.values() if p.name in victims}
    own: set[str] = set()
    for i, address in enumerate(addresses):  # the stranger joins once per victim
        joined = web.api(
            "POST",
            f"/api/worlds/{world.slug}/join",
            json={"name": f"Sybil {i}", "email": f"sybil{i}@else.test"},
        )
        assert joined.status_code in (200, 201), joined.text
        token = joined.json()["token"]
        named = web.api("POST", "/api/wrist/exclusions", token, json={"email": address})
        assert named.status_code == 200
        own.add(_own_id(web, token))
    web.seal(world)
    doc = _transcript(web, world)
    learned = _linked(doc, own)
    assert not {pid for ids in learned.values() for pid in ids} & set(addresses.values()), learned
    assert _ids_outside_lines(doc) == set(), "no roster id outside the roster and the lines"


def test_b1_an_author_checks_their_own_entry_with_the_receipt_on_their_wrist(web, tmp_path) -> None:
    world = web.world([f"Person {i}" for i in range(8)], seal=False)
    author, named = world.by_name("Person 0"), world.by_name("Person 1")
    typed = named.email.upper()
    added = web.api("POST", "/api/wrist/exclusions", author.token, json={"email": typed})
    assert added.status_code == 200
    assert web.api("GET", "/api/wrist/receipts", author.token).json()["receipts"] == []
    web.seal(world)
    doc = _transcript(web, world)
    mine = web.api("GET", "/api/wrist/receipts", author.token).json()
    assert mine["person"] == author.pid and len(mine["receipts"]) == 1
    salt = mine["receipts"][0]["salt"]
    assert check_entry(doc, author=author.pid, address=typed, salt=salt) is None
    assert web.api("GET", "/api/wrist/receipts", named.token).json()["receipts"] == []
    assert web.api("GET", "/api/wrist/receipts", world.organizer).status_code in (401, 404)
    # The same check through `soulmark audit`, from the public transcript and the receipt.
    path = tmp_path / "round.json"
    path.write_text(web.client.get(f"/w/{world.slug}/transcript").text)
    base = ["audit", str(path), "--person", author.pid, "--salt", salt]
    assert CliRunner().invoke(app, [*base, "--named", typed]).exit_code == 0
    wrong = CliRunner().invoke(app, [*base, "--named", "someone@else.test", "--json"])
    assert wrong.exit_code == 1
    assert [m["field"] for m in json.loads(wrong.stdout)["mismatches"]] == ["receipt"]


@pytest.mark.parametrize("name", ["exclusions_v1_transcript.json", "exclusions_v2_transcript.json"])
def test_b1_both_versions_audit_through_the_cli_and_the_audit_api(web, name) -> None:
    path = VECTORS / name
    cli = CliRunner().invoke(app, ["audit", str(path), "--json"])
    api = web.client.post("/api/audit", content=path.read_bytes())
    assert cli.exit_code == 0 and json.loads(cli.stdout) == api.json()
    assert api.json()["ok"] is True and api.json()["people"] == 6
    doc = json.loads(path.read_text())
    field = "exclusions" if "exclusions" in doc else "exclusion_commitments"
    doc[field] = doc[field][1:]
    tampered = web.client.post("/api/audit", content=json.dumps(doc)).json()
    assert not tampered["ok"] and "seed" in {m["field"] for m in tampered["mismatches"]}
