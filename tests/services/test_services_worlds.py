"""Opening worlds: their public addresses."""

from __future__ import annotations

import pytest

from soulmark import services
from soulmark.core.errors import InvalidInput
from soulmark.core.times import DAY
from soulmark.services import worlds
from soulmark.store import Store


def _open(store: Store, slug: str | None = None) -> str:
    return services.create_world(
        store, name="Class of 2027", window_start=10 * DAY, window_end=20 * DAY, at=0, slug=slug
    ).world


def test_a_made_up_address_that_is_taken_is_drawn_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = _open(store, slug="class-of-2027-0000")
    suffixes = iter(["0000", "0001"])
    monkeypatch.setattr(worlds.secrets, "token_hex", lambda _n: next(suffixes))
    assert _open(store) == "class-of-2027-0001" != taken


def test_an_address_asked_for_that_is_taken_is_refused(store: Store) -> None:
    _open(store, slug="class-of-2027")
    with pytest.raises(InvalidInput, match="already exists"):
        _open(store, slug="class-of-2027")
