"""A round's schedule, held and written compactly: what sealing a million people needs.

:func:`scheduled_pairs` is fate's outcome pair by pair (roster indexes and their marks);
:func:`soulmark.core.transcript.schedule` makes the dict that audits compare, and
:class:`Drawn` keeps the same schedule in a few flat arrays, from which :func:`dumps` writes
a transcript's lines a slice at a time (issue 21: a seal of 10^6 people within 0.5 GiB).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from soulmark.core.fate import CORE_ENGINES, Engines
from soulmark.core.marks import Mark, MarkParams, Window, scaled, schedule_scaled
from soulmark.core.times import iso, parse_iso

__all__ = ["Drawn", "Line", "Plan", "World", "dumps", "line_of", "scheduled_pairs", "world_window"]

Line = list[Any]
World = dict[str, Any]
Plan = dict[str, tuple[str | None, Mark | None]]


def world_window(world: World) -> tuple[Window, MarkParams]:
    window = Window(parse_iso(world["window_start"]), parse_iso(world["window_end"]))
    return window, MarkParams.from_json(world["params"])


def scheduled_pairs(
    seed: bytes,
    n: int,
    algorithm: str,
    world: World,
    order: Sequence[int] | None,
    start: int | None,
    engines: Engines = CORE_ENGINES,
) -> tuple[Iterator[tuple[int, int, Mark, Mark]], int | None]:
    """Fate's pairs as roster indexes with their marks, one pair at a time, and the index
    left unmatched (slots taken two by two, as :func:`soulmark.core.fate.pair_up` does)."""
    window, params = world_window(world)
    if start is not None:
        window = Window(start, window.end)
    p = scaled(params, window)
    drawn = order if order is not None else engines.get(algorithm).order(seed, n)
    count = n // 2

    def pairs() -> Iterator[tuple[int, int, Mark, Mark]]:
        for k in range(count):
            mark_a, mark_b = schedule_scaled(seed, k, count, p, window)
            yield drawn[2 * k], drawn[2 * k + 1], mark_a, mark_b

    return pairs(), drawn[n - 1] if n % 2 else None


def line_of(pid: str, partner: str | None, mark: Mark | None) -> Line:
    if mark is None:
        return [pid, None, None, None, None]
    return [pid, partner, iso(mark.itch_start), iso(mark.ink_start), iso(mark.legible_at)]


@dataclass(frozen=True, slots=True)
class Drawn:
    """A round's schedule by roster index, in a few flat arrays: what a seal of a million
    people holds instead of a million tuples and lines (bench.seal, issue 21: peak memory)."""

    ids: list[str]
    """The sorted roster."""
    partner: array[int]
    """Each index's partner's index; -1 for the one left unmatched."""
    marks: array[int]
    """itch_start, ink_start, legible_at of each index, three by three."""

    @classmethod
    def of(
        cls,
        seed: bytes,
        ids: list[str],
        algorithm: str,
        world: World,
        order: Sequence[int] | None = None,
        start: int | None = None,
        engines: Engines = CORE_ENGINES,
    ) -> Drawn:
        """The same schedule as :func:`schedule`, by index."""
        pairs, _ = scheduled_pairs(seed, len(ids), algorithm, world, order, start, engines)
        partner, marks = array("q", [-1]) * len(ids), array("q", [0]) * (3 * len(ids))
        for a, b, (itch_a, ink_a, legible_a), (itch_b, ink_b, legible_b) in pairs:
            partner[a], partner[b] = b, a
            marks[3 * a], marks[3 * a + 1], marks[3 * a + 2] = itch_a, ink_a, legible_a
            marks[3 * b], marks[3 * b + 1], marks[3 * b + 2] = itch_b, ink_b, legible_b
        return cls(ids, partner, marks)

    def mark(self, i: int) -> Mark | None:
        if self.partner[i] < 0:
            return None
        return Mark(self.marks[3 * i], self.marks[3 * i + 1], self.marks[3 * i + 2])

    def line(self, i: int) -> Line:
        other, m = self.partner[i], self.marks
        if other < 0:
            return [self.ids[i], None, None, None, None]
        return [self.ids[i], self.ids[other], iso(m[3 * i]), iso(m[3 * i + 1]), iso(m[3 * i + 2])]

    def unmatched(self) -> str | None:
        return next((self.ids[i] for i, p in enumerate(self.partner) if p < 0), None)

    def plan(self) -> Plan:
        return {pid: (self.line(i)[1], self.mark(i)) for i, pid in enumerate(self.ids)}


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_LINES_AT_ONCE = 10_000


def dumps(doc: dict[str, Any], scheduled: Drawn | None = None) -> str:
    """The transcript's published text: ``doc`` as compact JSON, its ``lines`` written from
    ``scheduled`` (if given) a slice at a time, so that no line is held as a Python list.
    The text is the same as that of the whole document dumped at once."""
    head = _ENCODER.encode(doc)
    if scheduled is None:
        return head
    n = len(scheduled.ids)
    parts = [head[:-1], ',"lines":[']
    for at in range(0, n, _LINES_AT_ONCE):
        lines = [scheduled.line(i) for i in range(at, min(n, at + _LINES_AT_ONCE))]
        parts += [",", _ENCODER.encode(lines)[1:-1]] if at else [_ENCODER.encode(lines)[1:-1]]
    parts.append("]}")
    return "".join(parts)  # one copy of the text beside its slices, not one per join
