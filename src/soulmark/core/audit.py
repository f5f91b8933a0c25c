"""Audit a transcript (B1): recompute every pair and every mark moment, name each mismatch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from soulmark.core.beacon import BeaconSpec, randomness, verify_signature
from soulmark.core.drawn import Line, line_of, world_window
from soulmark.core.errors import SoulmarkError, TranscriptError
from soulmark.core.exclusions import (
    EXCLUDING,
    DrawExhausted,
    Pair,
    exclusions_digest,
    first_clear_attempt,
    index_keys,
)
from soulmark.core.fate import CORE_ENGINES, Engines, ExactShuffle, derive_seed, roster_digest
from soulmark.core.later import start_after
from soulmark.core.private_exclusions import (
    PRIVATE,
    SEED_LABEL,
    commitments_digest,
    commitments_problem,
    draw_key_problem,
)
from soulmark.core.times import iso, parse_iso
from soulmark.core.transcript import (
    FORMAT,
    HEADER_FIELDS,
    VERSION,
    commitment,
    expected_algorithm,
    schedule,
    trust,
)

__all__ = [
    "Mismatch",
    "audit",
    "check_header",
    "load_transcript",
    "parse_object",
    "FIELDS",
    "EXCLUSION_FIELDS",
    "PRIVATE_FIELDS",
]

FIELDS = (
    *HEADER_FIELDS,
    "beacon",
    "trust",
    "roster",
    "roster_digest",
    "seed",
    "algorithm",
    "pairs",
    "unmatched",
    "lines",
)
EXCLUSION_FIELDS = ("exclusions", "attempt")
"""Present exactly when the round was drawn by fisher-yates-excluding/blake2b-v1."""
PRIVATE_FIELDS = ("exclusion_commitments", "draw_key")
"""Present exactly when the round was drawn by fisher-yates-excluding/blake2b-v2."""
_KIND_FIELDS = {EXCLUDING: EXCLUSION_FIELDS, PRIVATE: PRIVATE_FIELDS}
OPTIONAL_FIELDS = ("marks_from",)
"""Absent from transcripts written before later rounds kept their marks after the seal."""
MAX_LINE_REPORTS = 20


@dataclass(frozen=True, slots=True)
class Mismatch:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def load_transcript(text: str | bytes) -> dict[str, Any]:
    """Parse a transcript, refusing what cannot be audited at all."""
    return check_header(parse_object(text))


def parse_object(text: str | bytes) -> dict[str, Any]:
    """The JSON object a transcript of any format is."""
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nesting deeper than the parser goes ('[' * 100000) is not ours.
        raise TranscriptError("the transcript is not JSON") from None
    if not isinstance(doc, dict):
        raise TranscriptError("the transcript is not a JSON object")
    return doc


def check_header(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` itself, if it is a soulmark round transcript of a version this code audits."""
    if doc.get("format") != FORMAT:
        raise TranscriptError(
            f"not a soulmark transcript (format {doc.get('format')!r})", code="transcript-format"
        )
    if doc.get("version") != VERSION or type(doc.get("version")) is not int:
        raise TranscriptError(f"unsupported transcript version {doc.get('version')!r}")
    return doc


def _hex(doc: dict[str, Any], field: str) -> bytes:
    value = doc.get(field)
    # Only the one spelling (lower-case, no spaces) verifies: another spelling of the same
    # bytes would be a change to the transcript that nothing else detects.
    if not isinstance(value, str) or not value or _tohex(value) != value:
        raise ValueError(f"{field} is not a non-empty lower-case hex string")
    return bytes.fromhex(value)


def _tohex(value: str) -> str | None:
    try:
        return bytes.fromhex(value).hex()
    except ValueError:
        return None


def _excluding(doc: dict[str, Any]) -> str | None:
    """The exclusions version a transcript says it was drawn by, by its algorithm or by
    the fields only that version carries (version 2 first: its fields win); else None."""
    for version in (PRIVATE, EXCLUDING):
        if doc.get("algorithm") == version or any(f in doc for f in _KIND_FIELDS[version]):
            return version
    return None


def _check_exclusions(doc: dict[str, Any], roster: list[str], out: list[Mismatch]) -> list[Pair]:
    """The excluded pairs, when they are sorted canonical pairs of roster ids (else none)."""
    value = doc.get("exclusions")
    members = set(roster)
    if not (
        isinstance(value, list)
        and value
        and all(
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(x, str) and x in members for x in p)
            and p[0] < p[1]
            for p in value
        )
    ):
        out.append(Mismatch("exclusions", "not a non-empty list of [smaller, larger] roster ids"))
        return []
    pairs = [(p[0], p[1]) for p in value]
    if pairs != sorted(set(pairs)):
        out.append(Mismatch("exclusions", "not sorted and unique"))
    return pairs


def _check_fields(doc: dict[str, Any], out: list[Mismatch]) -> None:
    """Every field this kind of round carries, and no other."""
    version = _excluding(doc)
    fields = FIELDS + _KIND_FIELDS[version] if version else FIELDS
    extra = sorted(set(doc) - set(fields) - set(OPTIONAL_FIELDS))
    out.extend(Mismatch(f, "unexpected field") for f in extra)
    out.extend(Mismatch(f, "missing") for f in fields if f not in doc)


def _check_roster(doc: dict[str, Any], out: list[Mismatch]) -> tuple[list[str], str] | None:
    """The roster and its recomputed digest; None when it is not a list of ids at all."""
    roster = doc.get("roster")
    if not (isinstance(roster, list) and all(isinstance(x, str) and x.isascii() for x in roster)):
        out.append(Mismatch("roster", "not a list of opaque ids"))
        return None
    if roster != sorted(set(roster)):
        out.append(Mismatch("roster", "not sorted and unique"))
    digest = roster_digest(roster)
    if doc.get("roster_digest") != digest:
        out.append(Mismatch("roster_digest", "does not match the roster"))
    return roster, digest


def _check_commitment(
    doc: dict[str, Any], secret: bytes, spec: BeaconSpec | None, out: list[Mismatch]
) -> None:
    """The commitment published at opening, and the trust line that names the beacon."""
    try:
        expected = commitment(secret, doc.get("world"), doc.get("round"), spec)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        expected = None
    if doc.get("commitment") != expected:
        out.append(Mismatch("commitment", "does not match the secret, world, round and beacon"))
    if doc.get("trust") != trust(spec):
        out.append(Mismatch("trust", "does not describe the beacon this round used"))


def _check_draw(
    doc: dict[str, Any], roster: list[str], out: list[Mismatch], engines: Engines
) -> None:
    """The algorithm the roster's size (or its exclusions) calls for, and the round number."""
    algorithm = _excluding(doc) or expected_algorithm(len(roster), engines)
    if doc.get("algorithm") != algorithm:
        out.append(Mismatch("algorithm", f"expected {algorithm}"))
    if type(doc.get("round")) is not int or doc["round"] < 1:
        out.append(Mismatch("round", "not a positive round number"))


def _bound(
    doc: dict[str, Any], roster: list[str], out: list[Mismatch]
) -> tuple[bytes, bytes, list[Pair] | None]:
    """What the seed binds of a round's exclusions and under which label (version 1's pair
    digest, version 2's commitments digest, or nothing), and version 1's pairs."""
    version = _excluding(doc)
    if version == PRIVATE:
        commitments, problem = commitments_problem(doc.get("exclusion_commitments"))
        if problem:
            out.append(Mismatch("exclusion_commitments", problem))
        return (commitments_digest(commitments) if commitments else b""), SEED_LABEL, None
    pairs = _check_exclusions(doc, roster, out) if version else None
    return (exclusions_digest(pairs) if pairs else b""), b"soulmark/seed/x1", pairs


def _check_inputs(
    doc: dict[str, Any], out: list[Mismatch], engines: Engines
) -> tuple[bytes, list[Pair] | None] | None:
    """Check the fields that feed fate; returns the seed recomputed from them, and the
    excluded pairs of version 1 (None for any other round)."""
    _check_fields(doc, out)
    checked = _check_roster(doc, out)
    if checked is None:
        return None
    roster, digest = checked
    try:
        secret = _hex(doc, "secret")
    except ValueError as exc:
        out.append(Mismatch("secret", str(exc)))
        return None
    spec, mixed = _check_beacon(doc.get("beacon"), out)
    _check_commitment(doc, secret, spec, out)
    bound, label, pairs = _bound(doc, roster, out)
    seed = derive_seed(secret, digest, mixed, bound, label=label)
    if doc.get("seed") != seed.hex():
        out.append(
            Mismatch("seed", "does not follow from the secret, roster, beacon and exclusions")
        )
    _check_draw(doc, roster, out, engines)
    return seed, pairs


def _redraw(doc: dict[str, Any], seed: bytes, pairs: list[Pair], out: list[Mismatch]) -> Any:
    """Re-run the attempts: the recorded one must be the first that avoids every pair."""
    roster: list[str] = doc["roster"]
    try:
        order, first = first_clear_attempt(seed, len(roster), index_keys(pairs, roster))
    except DrawExhausted:
        out.append(Mismatch("attempt", "no attempt within the bound avoids every excluded pair"))
        return None
    recorded = doc.get("attempt")
    if type(recorded) is not int or recorded != first:
        if type(recorded) is int and 0 <= recorded < first:
            why = f"attempt {recorded} draws an excluded pair"
        else:
            why = f"is not the first attempt that avoids every excluded pair ({first} is)"
        out.append(Mismatch("attempt", why))
    return order


def _winning_shuffle(doc: dict[str, Any], n: int, out: list[Mismatch]) -> list[int] | None:
    """Version 2: the exact shuffle on the published key of the winning attempt.  The
    attempts before it are hidden, so that none of them can show an excluded pair; whether
    the lines avoid each entry is for that entry's author to check (docs/fate-exclusions.md)."""
    key, problem = draw_key_problem(doc.get("draw_key"))
    if key is None:
        out.append(Mismatch("draw_key", problem or "missing"))
        return None
    return ExactShuffle().order(key, n)


def _check_beacon(block: Any, out: list[Mismatch]) -> tuple[BeaconSpec | None, bytes]:
    """The committed beacon choice and the randomness it contributes, checked (B1, grinding)."""
    if block is None:
        return None, b""
    try:
        spec = BeaconSpec.from_json(block)
    except ValueError as exc:
        out.append(Mismatch("beacon", str(exc)))
        return None, b""
    signature = block.get("signature")
    try:
        if not isinstance(signature, str) or _tohex(signature) != signature:
            # verify_signature forgives case and spaces; a transcript has one spelling.
            raise SoulmarkError("the signature is not lower-case hex")
        value = verify_signature(spec, signature)
    except SoulmarkError as exc:
        out.append(Mismatch("beacon.signature", str(exc)))
        value = b""
    if block.get("randomness") != randomness_of(signature):
        out.append(Mismatch("beacon.randomness", "is not sha256 of the signature"))
    if set(block) != {"chain", "round", "signature", "randomness"}:
        out.append(Mismatch("beacon", "unexpected or missing fields"))
    return spec, value


def randomness_of(signature: Any) -> str | None:
    try:
        return randomness(signature).hex() if isinstance(signature, str) else None
    except ValueError:
        return None


def _check_lines(
    doc: dict[str, Any],
    seed: bytes,
    pairs: list[Pair] | None,
    out: list[Mismatch],
    engines: Engines,
) -> None:
    roster, order = doc["roster"], None
    if pairs:
        order = _redraw(doc, seed, pairs, out)
        if order is None:
            return
    elif _excluding(doc) == PRIVATE:
        order = _winning_shuffle(doc, len(roster), out)
        if order is None:
            return
    start = _marks_start(doc, out)
    try:
        algorithm = expected_algorithm(len(roster), engines)
        plan = schedule(seed, roster, algorithm, doc["world"], order, start, engines)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        out.append(Mismatch("world", f"cannot schedule marks: {exc}"))
        return
    expected: list[Line] = [line_of(pid, *plan[pid]) for pid in roster]
    unmatched = [pid for pid, (partner, _) in plan.items() if partner is None]
    if doc.get("pairs") != len(roster) // 2 or type(doc.get("pairs")) is not int:
        out.append(Mismatch("pairs", f"expected {len(roster) // 2}"))
    if doc.get("unmatched") != (unmatched[0] if unmatched else None):
        out.append(Mismatch("unmatched", "is not the person fate left unmatched"))
    lines = doc.get("lines")
    if pairs and isinstance(lines, list) and _draws_excluded(lines, pairs):
        out.append(Mismatch("exclusions", "lists a pair that the lines pair together"))
    if not isinstance(lines, list) or len(lines) != len(expected):
        out.append(Mismatch("lines", "not one line per roster id"))
        return
    bad = [i for i, (got, want) in enumerate(zip(lines, expected, strict=True)) if got != want]
    for i in bad[:MAX_LINE_REPORTS]:
        out.append(Mismatch(f"lines[{i}]", f"differs from the recomputed line for {roster[i]}"))
    if len(bad) > MAX_LINE_REPORTS:
        out.append(Mismatch("lines", f"{len(bad) - MAX_LINE_REPORTS} more lines differ"))


def _marks_start(doc: dict[str, Any], out: list[Mismatch]) -> int | None:
    """Where the round's marks begin, recomputed from its seal (None: the window's start)."""
    if "marks_from" not in doc:
        return None
    block = doc["marks_from"]
    try:
        if not isinstance(block, dict) or set(block) != {"sealed_at", "lead", "start"}:
            raise ValueError("not {sealed_at, lead, start}")
        sealed_at, lead = parse_iso(block["sealed_at"]), block["lead"]
        if iso(sealed_at) != block["sealed_at"] or type(lead) is not int or lead < 0:
            raise ValueError("sealed_at or lead is not in its one spelling")
        start = start_after(world_window(doc["world"])[0], sealed_at, lead)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        out.append(Mismatch("marks_from", str(exc)))
        return None
    if block["start"] != iso(start):
        out.append(Mismatch("marks_from.start", f"expected {iso(start)}, max(window, seal + lead)"))
    return start


def _draws_excluded(lines: list[Any], pairs: list[Pair]) -> bool:
    drawn = {
        (line[0], line[1])
        for line in lines
        if isinstance(line, list) and len(line) > 1 and all(isinstance(x, str) for x in line[:2])
    }
    return any(pair in drawn for pair in pairs)


def audit(doc: dict[str, Any], engines: Engines = CORE_ENGINES) -> list[Mismatch]:
    """Every way ``doc`` disagrees with a re-run of fate by ``engines``; empty when it
    verifies."""
    out: list[Mismatch] = []
    checked = _check_inputs(doc, out, engines)
    if checked is not None:
        _check_lines(doc, *checked, out, engines)
    return out
