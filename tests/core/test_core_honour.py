"""Which never-with entries are honoured (R3): whatever the lists, the round stays drawable."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.exclusions import canonical_pairs, refusal
from soulmark.core.honour import Entry, honoured, r3_limit


@st.composite
def rounds(draw_: st.DrawFn) -> tuple[int, list[Entry], dict[str, str]]:
    n = draw_(st.integers(min_value=3, max_value=60))
    members = {f"k{i}": f"p{i:03d}" for i in range(n)}
    keys = [*members, "stranger-1", "stranger-2"]
    raw = draw_(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(keys)), max_size=4 * n))
    entries, seen, per_author = [], set(), Counter[int]()
    for author, named in raw:  # what add_exclusion allows: no self, at most 3, no repeats
        if members.get(named) == f"p{author:03d}" or (author, named) in seen:
            continue
        if per_author[author] == 3:
            continue
        seen.add((author, named))
        per_author[author] += 1
        entries.append(Entry(len(entries), f"p{author:03d}", named))
    return n, entries, members


@settings(max_examples=200, deadline=None)
@given(case=rounds())
def test_r3_no_set_of_participant_lists_makes_a_round_undrawable(
    case: tuple[int, list[Entry], dict[str, str]],
) -> None:
    n, entries, members = case
    kept = honoured(n, entries, members, {})
    pairs = [(e.author, members[e.named]) for e in entries if e.id in kept and e.named in members]
    roster = sorted(members.values())
    assert refusal(roster, canonical_pairs(pairs, roster)) is None


@given(case=rounds())
def test_r3_entries_drop_latest_first(case: tuple[int, list[Entry], dict[str, str]]) -> None:
    """Of the entries naming one address (that their authors had room for), the honoured
    ones are the earliest: a later entry is never kept over an earlier one."""
    n, entries, members = case
    kept = honoured(n, entries, members, {})
    mine: Counter[str] = Counter()
    roomy = []
    for e in entries:
        mine[e.author] += 1
        if mine[e.author] <= r3_limit(n):
            roomy.append(e)
    for key in {e.named for e in entries}:
        naming = [e.id in kept for e in roomy if e.named == key]
        assert naming == sorted(naming, reverse=True), key


def test_r3_group_partners_count_against_the_room() -> None:
    members = {"a": "p0", "b": "p1", "c": "p2"}
    entries = [Entry(1, "p3", "a"), Entry(2, "p4", "a"), Entry(3, "p5", "a")]
    # n = 8: each may lose 3; p0's household takes 2 of them, one entry naming p0 is left.
    assert honoured(8, entries, members, {"p0": 2}) == {1}
    assert honoured(8, entries, members, {}) == {1, 2, 3}
