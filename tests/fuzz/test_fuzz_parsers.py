"""Hypothesis on the parsers the core tests do not reach yet (issue 5 item 6).

Names, emails and windows are covered in tests/core/test_core_validate.py and tampered
transcripts in tests/core/test_core_audit.py; here: arbitrary bytes and JSON into the
transcript loader and the audit, arbitrary text into the CSV intake, beacon specs.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from soulmark import services
from soulmark.core.audit import FIELDS, audit, load_transcript
from soulmark.core.beacon import CHAINS, BeaconSpec, parse_spec
from soulmark.core.errors import InvalidInput, SoulmarkError, TranscriptError
from soulmark.core.looks import email_key, look_key
from soulmark.core.marks import MarkParams
from soulmark.core.times import DAY, parse_iso
from soulmark.core.transcript import seal_transcript
from soulmark.core.validate import clean_email, clean_name
from soulmark.services.intake import join_csv
from soulmark.store import Store
from soulmark.store.models import PersonRow, WorldRow

WORLD = {
    "slug": "fuzz",
    "name": "Fuzz",
    "window_start": "2030-01-01T00:00:00.000000Z",
    "window_end": "2031-01-01T00:00:00.000000Z",
    "params": MarkParams().to_json(),
}
DOC, _ = seal_transcript(
    world=WORLD, round_no=1, secret=bytes(range(32)), roster=[f"{i:016x}" for i in range(7)]
)
GOOD = json.loads(json.dumps(DOC))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)

# These fuzz the parsers, they do not time them: the suite runs beside browser tests on two
# shared cores, where a slow example or a slow draw of data says nothing about a parser.
UNTIMED: dict[str, Any] = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


# --- transcripts ------------------------------------------------------------------------


def _audit_or_refuse(data: str | bytes) -> None:
    """The only two outcomes allowed: TranscriptError, or a list of mismatches."""
    try:
        doc = load_transcript(data)
    except TranscriptError as exc:
        assert "\n" not in str(exc)
        return
    found = audit(doc)
    assert isinstance(found, list)


@settings(max_examples=300, **UNTIMED)
@given(st.binary(max_size=400))
@example(b"\xff\xfe{}")
@example(b'{"format": "soulmark-transcript", "version": 1}')
def test_b1_arbitrary_bytes_are_refused_or_audited(data: bytes) -> None:
    _audit_or_refuse(data)


@settings(max_examples=300, **UNTIMED)
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=len(FIELDS)))
def test_b1_arbitrary_json_with_the_right_header_never_crashes_the_audit(
    fields: dict[str, Any],
) -> None:
    doc = {**fields, "format": GOOD["format"], "version": GOOD["version"]}
    _audit_or_refuse(json.dumps(doc))


@settings(max_examples=300, **UNTIMED)
@given(st.lists(st.tuples(st.sampled_from(FIELDS[2:]), json_values), min_size=1, max_size=4))
def test_b1_any_field_replaced_by_any_json_is_caught_not_crashed(
    changes: list[tuple[str, Any]],
) -> None:
    doc = json.loads(json.dumps(GOOD))
    for name, value in changes:
        doc[name] = value
    if doc == GOOD:
        return
    found = audit(load_transcript(json.dumps(doc)))
    assert found, f"an altered transcript audits clean: {changes!r}"


@settings(max_examples=200, **UNTIMED)
@given(st.integers(0, len(GOOD["lines"]) - 1), st.integers(0, 4), json_values)
def test_b1_any_line_cell_replaced_by_any_json_is_caught(row: int, col: int, value: Any) -> None:
    doc = json.loads(json.dumps(GOOD))
    if doc["lines"][row][col] == value:
        return
    doc["lines"][row][col] = value
    assert audit(load_transcript(json.dumps(doc)))


def test_b1_the_good_transcript_audits_clean() -> None:
    # The control: the tests above prove something only if the untouched one passes.
    assert audit(load_transcript(json.dumps(GOOD))) == []


# --- beacon specs -----------------------------------------------------------------------


def _spec_or_invalid(text: str) -> BeaconSpec | None:
    try:
        spec = parse_spec(text, parse_moment=parse_iso)
    except InvalidInput as exc:
        assert "\n" not in str(exc)
        return None
    assert spec.chain in CHAINS and spec.round >= 1
    return spec


@settings(max_examples=500, **UNTIMED)
@given(st.text(max_size=40))
@example("quicknet@")
@example("quicknet@99999-01-01")
@example("quicknet:0")
@example("quicknet:" + "9" * 400)
def test_b1_any_beacon_text_parses_or_is_refused_with_one_line(text: str) -> None:
    _spec_or_invalid(text)


@pytest.mark.parametrize("text", ["quicknet:²", "quicknet:¹²³", "quicknet:" + "9" * 5000])
def test_b1_beacon_round_with_other_digits_is_refused(text: str) -> None:
    assert _spec_or_invalid(text) is None, "only ASCII digits, at most 18, name a round"


@settings(max_examples=300, **UNTIMED)
@given(st.sampled_from(["quicknet"]), st.text(max_size=30))
def test_b1_any_beacon_moment_parses_or_is_refused(chain: str, moment: str) -> None:
    _spec_or_invalid(f"{chain}@{moment}")


@given(st.integers(1, 10**12))
def test_b1_every_round_number_round_trips(n: int) -> None:
    assert parse_spec(f"quicknet:{n}") == BeaconSpec("quicknet", n)


# --- CSV intake -------------------------------------------------------------------------

cells = st.text(st.characters(exclude_characters="\r"), max_size=30)
emails = st.one_of(
    st.from_regex(r"[a-z0-9._+-]{1,12}@[a-z0-9-]{1,8}\.[a-z]{2,4}", fullmatch=True),
    cells,
)
CSV_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _world(store: Store) -> str:
    return services.create_world(
        store, name="Intake", window_start=10 * DAY, window_end=20 * DAY, at=0
    ).world


def _valid(name: str, email: str) -> tuple[str, str] | None:
    try:
        return clean_name(name), clean_email(email)
    except SoulmarkError:
        return None


def _expected(rows: list[tuple[str, str]]) -> tuple[dict[str, str], set[int], str]:
    """The CSV text, the rows that must join (email key -> name) and the lines that must not."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "email"])
    joined: dict[str, str] = {}
    looks: set[str] = set()  # one look per world (issue 22)
    bad: set[int] = set()
    for name, email in rows:
        writer.writerow([name, email])
        line = out.getvalue().count("\n")  # the reader reports the line a record ends on
        clean = _valid(name, email)
        if clean is None or look_key(clean[0]) in looks or email_key(clean[1]) in joined:
            bad.add(line)
        else:
            joined[email_key(clean[1])] = clean[0]
            looks.add(look_key(clean[0]))
    return joined, bad, out.getvalue()


def _stored(store: Store, slug: str) -> dict[str, str]:
    with store.transaction() as s:
        world = s.scalar(select(WorldRow.id).where(WorldRow.slug == slug))
        rows = s.execute(
            select(PersonRow.email_key, PersonRow.name).where(PersonRow.world_id == world)
        ).all()
    return dict(rows)  # type: ignore[arg-type]


@pytest.mark.slow
@CSV_SETTINGS
@given(rows=st.lists(st.tuples(cells, emails), max_size=12), batch=st.integers(1, 5))
def test_r11_csv_keeps_every_valid_row_and_names_every_bad_line(
    store: Store, rows: list[tuple[str, str]], batch: int
) -> None:
    joined, bad, text = _expected(rows)
    slug = _world(store)
    report = join_csv(
        store, world=slug, source=io.StringIO(text, newline=""), at=0, batch_size=batch
    )
    assert report.joined == len(joined)
    assert {e.line for e in report.errors} == bad
    assert len(report.errors) == len(bad)
    assert all("\n" not in e.message for e in report.errors)
    assert _stored(store, slug) == joined  # exactly as written (R11), nothing else


@pytest.mark.slow
@CSV_SETTINGS
@given(text=st.text(max_size=300))
@example(text="name,email\n" + "x" * 200_000 + ",a@b.cd\n")
@example(text="name,email\n\x00,a@b.cd\n")
@example(text='name,email\n"unterminated,a@b.cd\n')
@example(text="email\na@b.cd\n")
@example(text="")
def test_csv_with_arbitrary_text_joins_or_fails_with_one_line(store: Store, text: str) -> None:
    slug = _world(store)
    header_ok = text.startswith("name,email")
    body = text if header_ok else "name,email\n" + text
    for source in (text, body):
        try:
            report = join_csv(store, world=slug, source=io.StringIO(source, newline=""), at=0)
        except SoulmarkError as exc:
            assert "\n" not in str(exc)
            continue
        assert all(e.line >= 2 and "\n" not in e.message for e in report.errors)
        assert report.joined == len(_stored(store, slug)) or source is body
