"""Issue 9, care: reaching out passes a contact the person chooses, and can be taken back
until the partner has reached out too (R10 still decides when a contact is shown)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from soulmark.core.errors import Conflict, InvalidInput
from soulmark.core.times import HOUR
from soulmark.services import look, reach_out, seal, withdraw, wrist
from soulmark.services.lifecycle import export_person, leave
from soulmark.services.wrist_read import snapshot
from soulmark.store import Store
from soulmark.store.models import PersonRow
from tests.services.test_services_rules import BEFORE, END, open_world


def _revealed(store: Store) -> tuple[str, str]:
    created, (a, b) = open_world(store, ["Uraraka Ochaco", "Midoriya Izuku"])
    seal(store, world=created.world, at=BEFORE + HOUR)
    look(store, token=a.token, at=END)
    look(store, token=b.token, at=END)
    return a.token, b.token


def _both_reads(store: Store, token: str, at: int) -> dict[str, object]:
    """The wrist as the service and the one-query read path (polls, streams) see it."""
    full = wrist(store, token=token, at=at).to_json()
    assert snapshot(store, token=token, at=at).view(at).to_json() == full
    return full


def test_i9_reaching_out_passes_the_chosen_contact_not_the_join_address(store: Store) -> None:
    a, b = _revealed(store)
    mine = reach_out(store, token=a, at=END + 1, contact="  @ochaco on the class chat ").to_json()
    assert mine["my_contact"] == "@ochaco on the class chat" and "contact" not in mine
    theirs = reach_out(store, token=b, at=END + 2).to_json()  # no choice: the join address
    assert theirs["contact"] == "@ochaco on the class chat"
    assert _both_reads(store, b, END + 3)["contact"] == "@ochaco on the class chat"
    assert _both_reads(store, a, END + 3)["contact"] == "student1@ua.example"
    assert "student0@ua.example" not in str(_both_reads(store, b, END + 3))


def test_i9_a_reach_out_can_be_taken_back_until_the_partner_reaches_out(store: Store) -> None:
    a, b = _revealed(store)
    reach_out(store, token=a, at=END + 1, contact="first choice")
    back = withdraw(store, token=a, at=END + 2).to_json()
    assert back["reached_out"] is False and "my_contact" not in back
    theirs = reach_out(store, token=b, at=END + 3).to_json()
    assert "contact" not in theirs  # taken back: nothing passes
    assert "contact" not in _both_reads(store, b, END + 3)
    reach_out(store, token=a, at=END + 4, contact="second choice")
    assert _both_reads(store, b, END + 5)["contact"] == "second choice"
    with pytest.raises(Conflict, match="passed on"):
        withdraw(store, token=a, at=END + 6)
    with pytest.raises(Conflict, match="passed on"):
        reach_out(store, token=a, at=END + 6, contact="a third")
    assert reach_out(store, token=a, at=END + 7, contact="second choice").to_json()["contact"]
    assert _both_reads(store, b, END + 8)["contact"] == "second choice"


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "two\nlines", "a" * 81, "one two three four five six seven eight nine", "\u202e"],
)
def test_i9_a_contact_is_a_few_words_on_one_line_or_nothing_is_written(
    store: Store, bad: str
) -> None:
    a, _ = _revealed(store)
    with pytest.raises(InvalidInput, match="^the contact "):
        reach_out(store, token=a, at=END + 1, contact=bad)
    assert _both_reads(store, a, END + 2)["reached_out"] is False


def test_i9_leaving_erases_the_chosen_contact_and_it_never_passes(store: Store) -> None:
    a, b = _revealed(store)
    reach_out(store, token=a, at=END + 1, contact="@ochaco")
    assert export_person(store, token=a, at=END + 1)["you"]["contact"] == "@ochaco"
    reach_out(store, token=b, at=END + 2)
    leave(store, token=a, at=END + 3)
    assert "contact" not in _both_reads(store, b, END + 4)
    with store.read() as s:
        assert s.scalar(select(PersonRow.contact).where(PersonRow.name == "Uraraka Ochaco")) is None
