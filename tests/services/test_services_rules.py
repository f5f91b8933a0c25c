"""Issue 2's rules end to end through the services: R1-R11, B1, B3 (B6 has its own module)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, text, update

from soulmark.core.audit import audit, load_transcript
from soulmark.core.beacon import BeaconSpec
from soulmark.core.errors import Conflict, InvalidInput, NotFound
from soulmark.core.marks import Mark, MarkParams
from soulmark.core.times import DAY, HOUR, MINUTE, parse_iso
from soulmark.core.transcript import schedule
from soulmark.core.wrist import wrist_at
from soulmark.services import (
    Joined,
    WorldCreated,
    create_world,
    join,
    look,
    reach_out,
    seal,
    transcript_text,
    world_info,
    wrist,
    wrist_read,
)
from soulmark.store import Store, open_store
from soulmark.store.models import MarkRow, PersonRow, RoundRow

T0 = parse_iso("2030-04-01T00:00:00Z")
YEAR = 365 * DAY
BEFORE = T0 - 2 * DAY
END = T0 + YEAR

NAMES = [
    "Tenya Iida",
    "Bakugou Katsuki",
    "爆豪勝己",
    "Ochaco Uraraka",
    "Шото Тодороки",
    "ليلى عبد الله",
    "देवनागरी नाम",
    "김민지",
    "Zoë Ångström",
    "Ὀδυσσεύς",
]

ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def open_world(
    store: Store,
    names: list[str],
    *,
    length: int = YEAR,
    params: MarkParams | None = None,
    slug: str | None = None,
    tag: str = "",
) -> tuple[WorldCreated, list[Joined]]:
    created = create_world(
        store,
        name="Class 1-A",
        slug=slug,
        window_start=T0,
        window_end=T0 + length,
        at=BEFORE - HOUR,
        params=params,
    )
    people = [
        join(store, world=created.world, name=n, email=f"student{i}{tag}@ua.example", at=BEFORE + i)
        for i, n in enumerate(names)
    ]
    return created, people


def lines_of(store: Store, world: str, round_no: int = 1) -> tuple[dict[str, Any], dict]:
    doc = json.loads(transcript_text(store, world=world, round=round_no))
    return doc, {line[0]: line for line in doc["lines"]}


def mark_of(line: list[Any]) -> Mark:
    return Mark(parse_iso(line[2]), parse_iso(line[3]), parse_iso(line[4]))


def view_json(store: Store, token: str, at: int) -> dict[str, Any]:
    return wrist(store, token=token, at=at).to_json()


def leaks(blob: str, name: str) -> list[str]:
    """Every way ``name`` (or something derived from it) shows in ``blob``."""
    found = []
    data = blob.encode("utf-8")
    for form in {name, *(unicodedata.normalize(f, name) for f in ("NFC", "NFD", "NFKC", "NFKD"))}:
        variants = {
            form,
            form.casefold(),
            json.dumps(form)[1:-1],
            json.dumps(form, ensure_ascii=False)[1:-1],
            hashlib.sha256(form.encode()).hexdigest(),
            hashlib.sha256(form.encode()).hexdigest()[:16],
        }
        for v in variants:
            if v in blob or v.encode("utf-8") in data:
                found.append(v)
        if form.encode("utf-16-le") in data:
            found.append("utf-16")
    return found


def moments(mark: Mark) -> dict[str, list[int]]:
    """Times that probe every pre-covered state of a wrist, edges included."""
    itch, ink, legible = mark.itch_start, mark.ink_start, mark.legible_at
    return {
        "bare": [T0 - DAY, itch - 1],
        "itching": [itch, (itch + ink) // 2, ink - 1],
        "inking": [ink, ink + (legible - ink) // 4, (ink + legible) // 2, legible - 1],
        "covered": [legible, legible + 30 * DAY],
    }


# -- R1, R2, R11 ---------------------------------------------------------------------------


def test_r1_each_wrist_names_its_partner_and_only_its_bearers_data(store: Store) -> None:
    created, people = open_world(store, NAMES)
    seal(store, world=created.world, at=BEFORE + HOUR)
    _, lines = lines_of(store, created.world)
    by_pid = {p.person: p for p in people}
    for p in people:
        v = look(store, token=p.token, at=END).to_json()
        partner = lines[p.person][1]
        assert v["state"] == "revealed"
        assert v["person"] == p.person
        assert v["partner"] == partner and partner != p.person
        assert v["name"] == by_pid[partner].name
        blob = json.dumps(v, ensure_ascii=False)
        for other in people:
            if other.person in (p.person, partner):
                continue
            assert other.person not in blob, "another person's id on my wrist"
            assert other.name not in blob, "another person's name on my wrist"
        assert "student" not in blob, "no email before both reached out"


def test_r1_a_wrist_is_seen_only_with_its_token(store: Store) -> None:
    created, people = open_world(store, NAMES[:4])
    seal(store, world=created.world, at=BEFORE + HOUR)
    for bad in ("", "w_nope", people[0].token + "x", people[0].person, created.organizer_token):
        with pytest.raises(NotFound):
            wrist(store, token=bad, at=END)
    # only a hash of each token is stored: a copy of the database opens no wrist
    with store.transaction() as s:
        dump = "\n".join(str(tuple(r)) for r in s.execute(text("SELECT * FROM people")).all())
    for p in people:
        assert p.token not in dump
        assert p.token[2:] not in dump


def test_r2_pairing_is_mutual(store: Store) -> None:
    created, people = open_world(store, [f"Student {i}" for i in range(12)])
    seal(store, world=created.world, at=BEFORE + HOUR)
    partner = {p.person: look(store, token=p.token, at=END).to_json()["partner"] for p in people}
    assert len(partner) == 12
    for a, b in partner.items():
        assert a != b
        assert partner[b] == a


R11_NAMES = [
    "Tenya Iida",
    "Iida Tenya",
    "Bakugou Katsuki",
    "爆豪勝己",
    "Zoe\u0308 A\u030angstro\u0308m",  # typed decomposed: stored composed
    "\u1100\u1161\u11a8 \u1106\u1175\u11ab",  # Hangul jamo
    "  ليلى عبد الله  ",
    "Ōchako 麗日 Uraraka",
]


def test_r11_partner_sees_the_name_exactly_as_written_nfc(store: Store) -> None:
    for raw in R11_NAMES:  # a world of two per name, so that the pair is known
        created, (a, b) = open_world(store, [raw, "Izuku Midoriya"])
        expected = unicodedata.normalize("NFC", raw).strip()
        assert a.name == expected, "the preview at join is what the partner will see"
        seal(store, world=created.world, at=BEFORE + HOUR)
        seen = look(store, token=b.token, at=END).to_json()["name"]
        assert seen == expected
        assert unicodedata.is_normalized("NFC", seen)
        assert look(store, token=a.token, at=END).to_json()["name"] == "Izuku Midoriya"
        with store.transaction() as s:
            assert s.scalar(select(PersonRow.name).where(PersonRow.pid == a.person)) == expected


# -- R3 ------------------------------------------------------------------------------------


def _force_ids_and_secret(store: Store, world: str, pids: list[str], secret: str) -> None:
    with store.transaction() as s:
        rows = s.scalars(select(PersonRow).order_by(PersonRow.id)).all()
        for row, pid in zip(rows, pids, strict=True):
            row.pid = pid
        s.execute(update(RoundRow).where(RoundRow.number == 1).values(secret=secret))


def test_r3_blind_names_and_emails_do_not_feed_fate(store: Store, tmp_path) -> None:
    names_a = ["Ann", "Bob", "Cleo", "Dmitri", "Eve", "Farid", "Gu Wei", "Hana"]
    names_b = ["Ωmega Person", "爆豪勝己", "Z", "Zed Zed", "Mary-Jane", "Q", "ليلى", "Kim Min-ji"]
    created, people = open_world(store, names_a, slug="fate-is-blind")
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        open_world(other, names_b, slug="fate-is-blind", tag="-other")
        pids = [p.person for p in people]
        with store.transaction() as s:
            secret = s.scalar(select(RoundRow.secret).where(RoundRow.number == 1))
        _force_ids_and_secret(other, "fate-is-blind", pids, secret)
        seal(store, world="fate-is-blind", at=BEFORE + HOUR)
        seal(other, world="fate-is-blind", at=BEFORE + 2 * HOUR)
        a = json.loads(transcript_text(store, world="fate-is-blind"))
        b = json.loads(transcript_text(other, world="fate-is-blind"))
        assert a == b, "same ids and secret: same pairs and marks, whatever the names"
    finally:
        other.close()


def test_r3_ids_are_random_and_say_nothing_about_who_or_when(store: Store) -> None:
    # One look per world (issue 22): the same names come back in a second world, as twins.
    names = [f"Same Name {chr(65 + i)}" for i in range(24)]
    created, people = open_world(store, names)
    again, twins = open_world(store, names)
    pids = [p.person for p in people]
    assert all(re.fullmatch(r"[0-9a-f]{16}", pid) for pid in pids)
    assert len(set(pids) | {t.person for t in twins}) == 48
    assert pids != sorted(pids), "roster order is not join order"
    for p in people:
        assert p.person not in hashlib.sha256(p.name.encode()).hexdigest()


def test_r3_commitment_fixes_fate_before_anyone_joins(store: Store) -> None:
    created = create_world(store, name="Blind", window_start=T0, window_end=END, at=BEFORE - HOUR)
    for i in range(5):
        join(store, world=created.world, name=f"P{i}", email=f"p{i}@x.example", at=BEFORE)
    seal(store, world=created.world, at=BEFORE + HOUR)
    doc = load_transcript(transcript_text(store, world=created.world))
    # the secret revealed at seal is the one committed to at creation; the seed binds roster
    assert doc["commitment"] == created.commitment
    assert audit(doc) == []


# -- R4, R5, R6, R7 ------------------------------------------------------------------------


def test_r4_every_moment_of_every_mark_is_inside_the_window(store: Store) -> None:
    for length in (10 * MINUTE, DAY, YEAR, 10 * YEAR):
        _check_window(store, length)


def _check_window(store: Store, length: int) -> None:
    created, people = open_world(store, [f"P{i}" for i in range(16)], length=length)
    seal(store, world=created.world, at=BEFORE + HOUR)
    doc, lines = lines_of(store, created.world)
    pairs: dict[frozenset[str], list[int]] = {}
    for line in doc["lines"]:
        m = mark_of(line)
        assert T0 <= m.itch_start < m.ink_start < m.legible_at <= T0 + length
        pairs.setdefault(frozenset(line[:2]), []).append(m.legible_at)
    assert len(pairs) == 8
    firsts = sorted(min(v) for v in pairs.values())
    assert len(set(firsts)) == 8, "different pairs get different moments"
    # pair k is anchored in the k-th of 8 strata of what the itch lead leaves of the window
    # (at least half of it), so the first and last pairs are far apart
    assert firsts[-1] - firsts[0] > length // 4, "spread out over the window"
    for p in people:
        assert view_json(store, p.token, T0 - 1)["state"] == "bare"


def test_r5_itching_shows_nothing_but_the_tingle(store: Store) -> None:
    created, people = open_world(store, NAMES[:6])
    seal(store, world=created.world, at=BEFORE + HOUR)
    _, lines = lines_of(store, created.world)
    for p in people:
        mark = mark_of(lines[p.person])
        assert 3 * HOUR <= mark.legible_at - mark.itch_start <= 7 * DAY
        assert mark.ink_start - mark.itch_start >= HOUR
        for t in moments(mark)["itching"]:
            v = view_json(store, p.token, t)
            assert v["state"] == "itching"
            assert v["message"] == "Your wrist tingles."
            assert set(v) == {
                "world",
                "world_name",
                "person",
                "round",
                "sealed",
                "state",
                "message",
                "strokes_total",
                "reached_out",
                "commitment",
                "left_out",
            }
            assert not ISO_RE.search(json.dumps(v)), "no moment, future or past, is shown"
        assert view_json(store, p.token, mark.itch_start - 1)["state"] == "bare"
        assert view_json(store, p.token, mark.ink_start)["state"] == "inking"


LONG_NAMES = [
    "Xiomara Quetzalcoatl-Vrombaugh de la Zzyzzx Fernández-Oyelaran Thirteenth",
    "爆豪勝己と緑谷出久の長い長い名前をここに書きます壮絶なる物語",
    "Александра Всеволодовна Преображенская-Щербацкая",
    "عبد الرحمن بن عبد العزيز بن فيصل الشمري الطويل",
    "Ntombizodwa Nomathemba Mahlangu-Dlamini",
    "Zoe\u0308 Ångström-Ølstykke Þórðardóttir",
    "A",
    "Q" * 100,
]


def test_r6_no_byte_of_the_partner_name_before_covered_and_none_until_looked(
    store: Store,
) -> None:
    created, people = open_world(store, LONG_NAMES)
    seal(store, world=created.world, at=BEFORE + HOUR)
    _, lines = lines_of(store, created.world)
    by_pid = {p.person: p for p in people}
    shapes: dict[str, set[tuple[tuple[str, str], ...]]] = {}
    messages: dict[str, set[str]] = {}
    for p in people:
        partner_name = by_pid[lines[p.person][1]].name
        mark = mark_of(lines[p.person])
        for state, times in moments(mark).items():
            for t in times:
                view = wrist(store, token=p.token, at=t)
                v = view.to_json()
                assert v["state"] == state
                assert view.name is None and view.partner is None
                for blob in (
                    json.dumps(v),
                    json.dumps(v, ensure_ascii=False),
                    repr(view),
                ):
                    if len(partner_name) > 8:  # "A" is there for the shape check below
                        assert not leaks(blob, partner_name), (state, leaks(blob, partner_name))
                shape = tuple(sorted((k, type(x).__name__) for k, x in v.items()))
                shapes.setdefault(state, set()).add(shape)
                messages.setdefault(state, set()).add(v["message"])
        revealed = look(store, token=p.token, at=END).to_json()
        assert revealed["name"] == partner_name
        assert leaks(json.dumps(revealed, ensure_ascii=False), partner_name), "leak check works"
    # R6: nothing length-derived either: each state looks the same whoever the partner is
    for state in ("bare", "itching", "inking", "covered"):
        assert len(shapes[state]) == 1, (state, shapes[state])
        assert len(messages[state]) == 1, (state, messages[state])


def test_r6_partner_row_is_not_even_loaded_before_the_bearer_looks(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    created, (a, b) = open_world(store, ["Tenya Iida", "Bakugou Katsuki"])
    seal(store, world=created.world, at=BEFORE + HOUR)
    _, lines = lines_of(store, created.world)
    mark = mark_of(lines[a.person])
    loaded: list[Any] = []

    def on_load(target: PersonRow, _context: Any) -> None:
        loaded.append(target.pid)

    # Every wrist is read through one SELECT (services.wrist_read): the spy sees each of its
    # rows as it comes from the database, before anything is made of it.
    snapshot_of_row = wrist_read._snapshot

    def on_row(row: Any) -> Any:
        loaded.extend(tuple(row))
        return snapshot_of_row(row)

    monkeypatch.setattr(wrist_read, "_snapshot", on_row)
    event.listen(PersonRow, "load", on_load)
    try:
        for times in moments(mark).values():
            for t in times:
                wrist(store, token=a.token, at=t)
        assert loaded and b.person not in loaded and b.name not in loaded
        look(store, token=a.token, at=END)
        assert b.person in loaded, "the spy sees the partner once the bearer looks"
    finally:
        event.remove(PersonRow, "load", on_load)


def test_r6_public_transcript_and_world_page_hold_no_participant_name(store: Store) -> None:
    created, people = open_world(store, LONG_NAMES)
    seal(store, world=created.world, at=BEFORE + HOUR)
    public = transcript_text(store, world=created.world) + json.dumps(
        world_info(store, slug=created.world).to_json(), ensure_ascii=False
    )
    for p in people:
        if len(p.name) > 1:
            assert not leaks(public, p.name), p.name
    assert "ua.example" not in public


settings_r6 = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
script_st = st.sampled_from(
    [
        (0x41, 0x5A),  # Latin capitals
        (0x3041, 0x3096),  # Hiragana
        (0x4E00, 0x4FFF),  # CJK
        (0x0410, 0x044F),  # Cyrillic
        (0x0627, 0x064A),  # Arabic
        (0xAC00, 0xAD00),  # Hangul
    ]
)
long_name_st = script_st.flatmap(
    lambda r: st.text(
        alphabet=st.characters(min_codepoint=r[0], max_codepoint=r[1], categories=["L"]),
        min_size=24,
        max_size=100,
    )
)


@settings_r6
@given(name=long_name_st, times=st.lists(st.floats(0, 1), min_size=3, max_size=6))
def test_r6_wrist_json_before_covered_has_no_byte_of_the_name_property(
    store: Store, name: str, times: list[float]
) -> None:
    created, (a, b) = open_world(store, [name, "Izuku Midoriya"])
    seal(store, world=created.world, at=BEFORE + HOUR)
    _, lines = lines_of(store, created.world)
    mark = mark_of(lines[b.person])
    span = mark.legible_at - (mark.itch_start - HOUR)
    for f in times:
        t = mark.itch_start - HOUR + int(f * (span - 1))
        v = view_json(store, b.token, t)
        assert v["state"] in ("bare", "itching", "inking")
        assert not leaks(json.dumps(v, ensure_ascii=False), name)
        assert not leaks(json.dumps(v), name)
    assert view_json(store, b.token, mark.legible_at)["state"] == "covered"
    assert "name" not in view_json(store, b.token, mark.legible_at)


def test_r7_partners_marks_are_legible_the_same_day(store: Store) -> None:
    for same_day in (12 * HOUR, HOUR, 0):
        params = MarkParams(same_day=same_day)
        created, people = open_world(store, [f"P{i}" for i in range(20)], params=params)
        seal(store, world=created.world, at=BEFORE + HOUR)
        _, lines = lines_of(store, created.world)
        for p in people:
            line = lines[p.person]
            mine, theirs = mark_of(line).legible_at, mark_of(lines[line[1]]).legible_at
            assert abs(mine - theirs) <= same_day
            # the bearer sees the very moment of their own line once the itch has stopped
            v = view_json(store, p.token, mine)
            assert v["state"] == "covered" and parse_iso(v["legible_at"]) == mine


# -- R8 ------------------------------------------------------------------------------------


def test_r8_covered_until_looked_recorded_idempotent_and_never_undone(store: Store) -> None:
    created, (a, b) = open_world(store, ["Tenya Iida", "Bakugou Katsuki"])
    seal(store, world=created.world, at=BEFORE + HOUR)
    _, lines = lines_of(store, created.world)
    mark = mark_of(lines[a.person])
    for state, times in moments(mark).items():
        for t in times:
            if state == "covered":
                continue
            with pytest.raises(Conflict):
                look(store, token=a.token, at=t)
    with store.transaction() as s:
        assert s.scalar(select(PersonRow.looked_at).where(PersonRow.pid == a.person)) is None
    # the bandage stays on as long as the bearer likes
    for t in (mark.legible_at, mark.legible_at + DAY, mark.legible_at + 5 * YEAR):
        v = view_json(store, a.token, t)
        assert v["state"] == "covered" and "name" not in v
    when = mark.legible_at + 3 * DAY
    first = look(store, token=a.token, at=when).to_json()
    assert first["state"] == "revealed"
    assert first["name"] == "Bakugou Katsuki"
    assert parse_iso(first["looked_at"]) == when
    with store.transaction() as s:
        assert s.scalar(select(PersonRow.looked_at).where(PersonRow.pid == a.person)) == when
    again = look(store, token=a.token, at=when + 10 * DAY).to_json()
    assert again["looked_at"] == first["looked_at"], "looking twice changes nothing"
    for t in (when, when + 1, when + YEAR, when + 10 * YEAR):
        assert view_json(store, a.token, t)["state"] == "revealed", "looking is not undone"
    # the partner's bandage is theirs alone
    assert view_json(store, b.token, END)["state"] == "covered"


# -- R9 ------------------------------------------------------------------------------------


def test_r9_odd_roster_leaves_one_bare_who_waits_for_the_next_round(store: Store) -> None:
    created, people = open_world(store, [f"Student {i}" for i in range(7)])
    sealed = seal(store, world=created.world, at=BEFORE + HOUR)
    assert (sealed.pairs, sealed.unmatched, sealed.people) == (3, 1, 7)
    doc, lines = lines_of(store, created.world)
    bare = [p for p in people if lines[p.person][1] is None]
    assert len(bare) == 1 and doc["unmatched"] == bare[0].person
    alone = bare[0]
    for t in (T0, T0 + YEAR // 2, END, END + YEAR):
        v = view_json(store, alone.token, t)
        assert v["state"] == "bare" and v["round"] == 2 and not v["sealed"]
        # said kindly (R9), in the words the page and the CLI share (services.wrist_words)
        assert "no match for you" in v["message"] and "next draw" in v["message"]
        assert v["left_out"]
        with pytest.raises(Conflict):
            look(store, token=alone.token, at=t)
    # a late joiner waits for the next round too, and is told so
    late = join(store, world=created.world, name="Late Comer", email="late@ua.example", at=T0)
    assert late.round == 2
    assert view_json(store, late.token, T0)["left_out"] is False  # joined after: not left out
    assert "round 2" in late.note and "sealed" in late.note
    lv = view_json(store, late.token, END)
    assert lv["state"] == "bare" and "Fate has not been drawn yet." in lv["message"]
    # the next round pairs the two who waited
    second = seal(store, world=created.world, at=T0 + HOUR)
    assert (second.round, second.pairs, second.unmatched) == (2, 1, 0)
    doc2, lines2 = lines_of(store, created.world, 2)
    assert sorted(doc2["roster"]) == sorted([alone.person, late.person])
    assert lines2[alone.person][1] == late.person
    assert audit(load_transcript(json.dumps(doc2))) == []
    assert look(store, token=alone.token, at=END + YEAR).to_json()["name"] == "Late Comer"


def test_r9_even_roster_leaves_no_one_bare(store: Store) -> None:
    created, people = open_world(store, [f"Student {i}" for i in range(6)])
    sealed = seal(store, world=created.world, at=BEFORE + HOUR)
    assert (sealed.pairs, sealed.unmatched) == (3, 0)
    for p in people:
        assert view_json(store, p.token, END)["state"] == "covered"
    assert world_info(store, slug=created.world).rounds[-1]["people"] == 0


# -- R10 -----------------------------------------------------------------------------------


def test_r10_contact_passes_only_when_both_reached_out_never_a_decline(store: Store) -> None:
    created, (a, b) = open_world(store, ["Tenya Iida", "Bakugou Katsuki"])
    seal(store, world=created.world, at=BEFORE + HOUR)
    with pytest.raises(Conflict):
        reach_out(store, token=a.token, at=END)  # must look first
    look(store, token=a.token, at=END)
    before = view_json(store, a.token, END + 1)
    mine = reach_out(store, token=a.token, at=END + 2).to_json()
    assert mine["reached_out"] is True and "contact" not in mine
    # nothing the partner does or does not do shows on my wrist until both reached out
    quiet = view_json(store, a.token, END + 3)
    look(store, token=b.token, at=END + 4)
    assert view_json(store, a.token, END + 3) == quiet
    for later in (END + DAY, END + 5 * YEAR):
        v = view_json(store, a.token, later)
        assert "contact" not in v
        assert not re.search(r"declin|refus|reject|ignor", json.dumps(v), re.I)
    own = ("reached_out", "my_contact")  # the bearer's own side of reaching out
    assert {k: v for k, v in before.items() if k not in own} == {
        k: v for k, v in quiet.items() if k not in own
    }
    theirs = reach_out(store, token=b.token, at=END + 5).to_json()
    assert theirs["contact"] == "student0@ua.example"
    assert view_json(store, a.token, END + 6)["contact"] == "student1@ua.example"
    # reaching out again is harmless
    assert reach_out(store, token=a.token, at=END + 7).to_json()["contact"] == (
        "student1@ua.example"
    )


# -- B1, B3 --------------------------------------------------------------------------------


def test_b1_transcript_audits_clean_matches_commitment_and_each_line(store: Store) -> None:
    created, people = open_world(store, NAMES[:7])
    info = world_info(store, slug=created.world)
    assert info.commitment == created.commitment
    seal(store, world=created.world, at=BEFORE + HOUR)
    doc = load_transcript(transcript_text(store, world=created.world))
    assert audit(doc) == []
    assert doc["commitment"] == created.commitment, "the commitment published at open"
    assert doc["round"] == 1
    assert sorted(p.person for p in people) == doc["roster"]
    lines = {line[0]: line for line in doc["lines"]}
    for p in people:
        line = lines[p.person]
        if line[1] is None:
            continue
        v = look(store, token=p.token, at=END).to_json()
        # each person checks their own line: their id, their partner's id, their moment
        assert v["partner"] == line[1]
        assert v["legible_at"] == line[4]
    # the next round's commitment is published before it is sealed, and honoured
    info = world_info(store, slug=created.world)
    next_commitment = info.commitment
    assert [r["round"] for r in info.rounds] == [1, 2]
    join(store, world=created.world, name="Late", email="late@ua.example", at=T0)
    seal(store, world=created.world, at=T0 + 1)
    doc2 = load_transcript(transcript_text(store, world=created.world, round=2))
    assert doc2["commitment"] == next_commitment and audit(doc2) == []


def test_b1_tampered_store_transcript_is_caught(store: Store) -> None:
    created, people = open_world(store, NAMES[:6])
    seal(store, world=created.world, at=BEFORE + HOUR)
    doc = load_transcript(transcript_text(store, world=created.world))
    a, b = doc["lines"][0][1], doc["lines"][1][1]
    doc["lines"][0][1], doc["lines"][1][1] = b, a
    assert audit(doc)


def test_b3_marks_are_a_pure_function_of_seed_and_roster(store: Store) -> None:
    created, people = open_world(store, [f"P{i}" for i in range(11)])
    seal(store, world=created.world, at=BEFORE + HOUR)
    doc = json.loads(transcript_text(store, world=created.world))
    plan = schedule(bytes.fromhex(doc["seed"]), doc["roster"], doc["algorithm"], doc["world"])
    again = schedule(bytes.fromhex(doc["seed"]), doc["roster"], doc["algorithm"], doc["world"])
    assert plan == again
    with store.transaction() as s:
        pid = dict(s.execute(select(PersonRow.id, PersonRow.pid)).all())
        stored = {
            pid[m.person_id]: (pid[m.partner_id], Mark(m.itch_start, m.ink_start, m.legible_at))
            for m in s.scalars(select(MarkRow))
        }
    assert stored == {k: v for k, v in plan.items() if v[0] is not None}


def test_b3_wrist_is_a_pure_function_of_mark_and_clock(store: Store) -> None:
    created, people = open_world(store, NAMES[:4])
    seal(store, world=created.world, at=BEFORE + HOUR)
    _, lines = lines_of(store, created.world)
    p = people[0]
    mark = mark_of(lines[p.person])
    times = [t for ts in moments(mark).values() for t in ts]
    order = sorted(times, key=lambda t: hashlib.sha256(str(t).encode()).digest())
    first = {t: view_json(store, p.token, t) for t in order}
    for t in reversed(order):  # the clock going backwards changes nothing
        v = view_json(store, p.token, t)
        assert v == first[t]
        expected = wrist_at(mark, t)
        assert v["state"] == expected.state
        assert v.get("progress") == expected.progress
        assert v.get("strokes") == expected.strokes


# -- bad input: a one-line error and nothing half-written ----------------------------------


def _count(store: Store, table: str) -> int:
    with store.transaction() as s:
        return s.scalar(text(f"SELECT count(*) FROM {table}"))


def test_bad_input_writes_nothing(store: Store) -> None:
    for start, end in ((T0, T0), (T0, T0 - DAY), (T0, T0 + 59 * 10**6)):
        with pytest.raises(InvalidInput):
            create_world(store, name="Bad", window_start=start, window_end=end, at=BEFORE)
    with pytest.raises(InvalidInput):
        create_world(store, name="", window_start=T0, window_end=END, at=BEFORE)
    assert _count(store, "worlds") == 0 and _count(store, "rounds") == 0
    created, people = open_world(store, ["Tenya Iida"])
    for name, email in (
        ("", "x@ua.example"),
        ("a" * 101, "x@ua.example"),
        ("Ten\u202eya", "x@ua.example"),
        ("Ten\x07ya", "x@ua.example"),
        ("Tenya", "not-an-email"),
    ):
        with pytest.raises(InvalidInput):
            join(store, world=created.world, name=name, email=email, at=BEFORE)
    # A join with an address that already joined is not bad input: it is answered as a new
    # join (issue 22, tests/web/test_web_membership.py), so it is not among these.
    with pytest.raises(NotFound):
        join(store, world="no-such-world", name="X", email="x@ua.example", at=BEFORE)
    assert _count(store, "people") == 1
    with pytest.raises(NotFound):
        seal(store, world="no-such-world", at=BEFORE)
    with pytest.raises(NotFound):
        transcript_text(store, world=created.world)


def test_sealing_an_empty_round_is_refused_and_leaves_it_open(store: Store) -> None:
    created = create_world(store, name="Empty", window_start=T0, window_end=END, at=BEFORE)
    with pytest.raises(Conflict):
        seal(store, world=created.world, at=BEFORE)
    info = world_info(store, slug=created.world)
    assert info.open_round == 1 and not info.rounds[0]["sealed"]
    assert _count(store, "rounds") == 1


def test_email_domain_restriction(store: Store) -> None:
    created = create_world(
        store,
        name="UA only",
        window_start=T0,
        window_end=END,
        at=BEFORE,
        email_domain="@UA.example",
    )
    with pytest.raises(InvalidInput):
        join(store, world=created.world, name="Outsider", email="o@shiketsu.example", at=BEFORE)
    ok = join(store, world=created.world, name="Insider", email="i@ua.EXAMPLE", at=BEFORE)
    assert ok.round == 1


def test_b1_beacon_round_is_committed_at_open_and_checked_at_seal(store: Store) -> None:
    vector = json.loads(
        (Path(__file__).parents[1] / "vectors" / "drand_quicknet.json").read_text()
    )["rounds"][0]
    spec = BeaconSpec("quicknet", vector["round"])
    opened = spec.published_at - DAY
    created = create_world(
        store, name="Drawn", window_start=T0, window_end=END, at=opened, beacon=spec
    )
    people = [
        join(store, world=created.world, name=f"P{i}", email=f"p{i}@x.example", at=opened)
        for i in range(5)
    ]
    with pytest.raises(Conflict):  # the beacon is not out yet: nobody can know the draw
        seal(
            store,
            world=created.world,
            at=spec.published_at - 1,
            beacon_signature=vector["signature"],
        )
    wrong = vector["signature"][:-1] + ("0" if vector["signature"][-1] != "0" else "1")
    with pytest.raises(InvalidInput):
        seal(store, world=created.world, at=spec.published_at, beacon_signature=wrong)
    assert not world_info(store, slug=created.world).rounds[0]["sealed"]
    seal(store, world=created.world, at=spec.published_at, beacon_signature=vector["signature"])
    doc = load_transcript(transcript_text(store, world=created.world))
    assert audit(doc) == []
    assert doc["commitment"] == created.commitment
    assert doc["beacon"]["randomness"] == vector["randomness"]
    assert sorted(doc["roster"]) == sorted(p.person for p in people)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(n=st.integers(min_value=2, max_value=9))
def test_r2_r9_any_roster_size_through_the_services_property(store: Store, n: int) -> None:
    created, people = open_world(store, [f"P{i}" for i in range(n)])
    sealed = seal(store, world=created.world, at=BEFORE + HOUR)
    assert (sealed.pairs, sealed.unmatched, sealed.people) == (n // 2, n % 2, n)
    doc, lines = lines_of(store, created.world)
    assert audit(doc) == []
    for p in people:
        partner = lines[p.person][1]
        if partner is None:
            assert doc["unmatched"] == p.person
            assert view_json(store, p.token, END)["round"] == 2
        else:
            assert lines[partner][1] == p.person
    info = world_info(store, slug=created.world)
    assert info.rounds[0]["people"] == n and info.rounds[-1]["people"] == n % 2
