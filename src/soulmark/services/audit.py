"""Auditing a transcript (B1): the one entry point ``soulmark audit`` and ``/api/audit`` share.

A round transcript is re-run by :mod:`soulmark.core.audit`; a planet transcript by the planet
engine (B4), imported only when one arrives, since it loads numba.  Both give one report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from soulmark.core.audit import Mismatch, audit, check_header, parse_object
from soulmark.core.errors import InvalidInput, NotFound
from soulmark.core.private_exclusions import check_entry
from soulmark.planet import fate_engines
from soulmark.planet.version import FORMAT as PLANET_FORMAT

__all__ = ["AuditReport", "audit_report"]

Kind = Literal["round", "planet"]


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What an audit found: ``ok`` when nothing disagrees with the re-run of fate."""

    ok: bool
    kind: Kind
    """``round`` (one world's round) or ``planet`` (B4)."""
    world: str | None
    round: int | None
    people: int | None
    """The roster's size (a planet's population)."""
    pairs: int | None
    mismatches: tuple[Mismatch, ...]
    line: list[Any] | None = None
    """The asked-for person's line, as the transcript publishes it."""
    commitment_checked: bool = False
    """Whether the transcript was held to a commitment published before the draw.  Without
    one, a transcript re-drawn from a new secret is just as consistent: ``ok`` then only
    means the transcript agrees with itself, not that fate was not steered."""
    beacon: bool = False
    """Whether the draw rests on a public beacon (the transcript's ``trust``).  Without one the
    organizer knew the secret while people joined: a checked commitment then proves the draw
    followed from that secret, not that its holder could not have steered it."""

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "kind": self.kind,
            "world": self.world,
            "round": self.round,
            "people": self.people,
            "pairs": self.pairs,
            "mismatches": [{"field": m.field, "message": m.message} for m in self.mismatches],
            "line": self.line,
            "commitment_checked": self.commitment_checked,
            "beacon": self.beacon,
        }


def audit_report(
    text: str | bytes,
    *,
    commitment: str | None = None,
    person: str | None = None,
    receipt: tuple[str, str] | None = None,
) -> AuditReport:
    """Re-run fate from a transcript's text and report every mismatch.

    ``commitment``: the one published when the round opened, which the transcript must
    carry.  ``person``: an opaque id whose line to return (NotFound if it has none).
    ``receipt``: that person's (salt, address named) from their wrist, whose never-with
    entry must be among the transcript's commitments (docs/fate-exclusions.md).
    Raises TranscriptError for text that cannot be audited at all.
    """
    doc = parse_object(text)
    kind: Kind = "planet" if doc.get("format") == PLANET_FORMAT else "round"
    found = _planet_mismatches(doc) if kind == "planet" else _round_mismatches(doc)
    if commitment is not None and doc.get("commitment") != commitment:
        found.append(Mismatch("commitment", "differs from the published commitment"))
    if receipt is not None:
        if person is None:
            raise InvalidInput("a receipt is checked for a person: give their id too")
        why = check_entry(doc, author=person, address=receipt[1], salt=receipt[0])
        if why is not None:
            found.append(Mismatch("receipt", why))
    return AuditReport(
        ok=not found,
        kind=kind,
        world=_world_slug(doc),
        round=_int_or_none(doc.get("round")),
        people=_people(doc, kind),
        pairs=_int_or_none(doc.get("pairs")),
        mismatches=tuple(found),
        line=_line_of(doc, person) if person is not None else None,
        commitment_checked=commitment is not None,
        beacon=kind == "round" and bool(doc.get("beacon")),
    )


def _round_mismatches(doc: dict[str, Any]) -> list[Mismatch]:
    """Re-run by the engines that seal: the planet's for rosters of 2**20 and more (B4)."""
    return audit(check_header(doc), fate_engines())


def _planet_mismatches(doc: dict[str, Any]) -> list[Mismatch]:
    from soulmark.planet.transcript import audit_planet

    return audit_planet(doc)


def _world_slug(doc: dict[str, Any]) -> str | None:
    world = doc.get("world")
    slug = world.get("slug") if isinstance(world, dict) else None
    return slug if isinstance(slug, str) else None


def _int_or_none(value: Any) -> int | None:
    return value if type(value) is int else None


def _people(doc: dict[str, Any], kind: Kind) -> int | None:
    if kind == "planet":
        return _int_or_none(doc.get("population"))
    roster = doc.get("roster")
    return len(roster) if isinstance(roster, list) else None


def _line_of(doc: dict[str, Any], person: str) -> list[Any]:
    lines = doc.get("lines")
    for line in lines if isinstance(lines, list) else []:
        if isinstance(line, list) and line and line[0] == person:
            return line
    raise NotFound(f"no line for {person} in this transcript")
