"""services.tokens: every private link is a random token of which only the hash is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from soulmark.core.errors import NotFound
from soulmark.services.tokens import by_token, new_token, token_hash
from soulmark.store import Store
from soulmark.store.models import PersonRow, WorldRow
from tests.services.test_services_rules import open_world


def test_r1_wrist_tokens_are_random_and_say_only_what_kind_of_link_they_are():
    tokens = {new_token("w") for _ in range(100)}
    assert len(tokens) == 100
    assert all(t.startswith("w_") and len(t) == 2 + 32 for t in tokens)  # 192 bits


def test_r1_a_token_is_stored_only_as_its_hash(store: Store):
    created, (joined,) = open_world(store, ["Tenya Iida"])
    with store.transaction() as s:
        person = s.scalars(select(PersonRow)).one()
        world = s.scalars(select(WorldRow)).one()
        stored = [str(v) for row in (person, world) for v in vars(row).values()]
    assert person.token_hash == token_hash(joined.token)
    assert world.organizer_token_hash == token_hash(created.organizer_token)
    assert not any(t in v for v in stored for t in (joined.token, created.organizer_token))


def test_r1_by_token_finds_the_row_and_names_what_is_missing(store: Store):
    _, (joined,) = open_world(store, ["Tenya Iida"])
    with store.transaction() as s:
        assert by_token(s, PersonRow.token_hash, joined.token, missing="x").pid == joined.person
        with pytest.raises(NotFound, match="^no wrist has that token$"):
            by_token(s, PersonRow.token_hash, joined.token + "x", missing="no wrist has that token")
