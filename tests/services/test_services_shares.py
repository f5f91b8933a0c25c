"""services.shares: a friend's view of a wrist (B5): the state, never the name unless shown."""

from __future__ import annotations

import pytest

from soulmark.core.errors import Conflict, NotFound
from soulmark.core.times import HOUR
from soulmark.services import look, seal
from soulmark.services.shares import create_share, revoke_share, shared_view, show_name
from soulmark.store import Store
from tests.services.test_services_rules import BEFORE, END, open_world


def _shared(store: Store) -> tuple[str, str, int, str]:
    """A sealed pair; the first has shared their wrist.  (bearer, partner, share id, link)."""
    created, (a, b) = open_world(store, ["Uraraka Ochaco", "Midoriya Izuku"])
    seal(store, world=created.world, at=BEFORE + HOUR)
    share, link = create_share(store, token=a.token, at=BEFORE + HOUR)
    return a.token, b.token, share.id, link


def test_b5_a_friend_sees_the_name_only_once_the_bearer_looked_and_chose_to_show_it(store):
    bearer, _, share_id, link = _shared(store)
    with pytest.raises(Conflict, match="look at your wrist"):
        show_name(store, token=bearer, share_id=share_id, show=True, at=END)
    look(store, token=bearer, at=END)
    assert shared_view(store, token=link, at=END).name is None
    show_name(store, token=bearer, share_id=share_id, show=True, at=END)
    assert shared_view(store, token=link, at=END).name == "Midoriya Izuku"
    assert "person" not in shared_view(store, token=link, at=END).to_json()  # no ids


def test_b5_a_revoked_link_opens_nothing_and_cannot_be_shown_again(store):
    bearer, _, share_id, link = _shared(store)
    assert revoke_share(store, token=bearer, share_id=share_id, at=END).revoked
    assert revoke_share(store, token=bearer, share_id=share_id, at=END).revoked  # idempotent
    with pytest.raises(NotFound, match="no wrist is shared with that link"):
        shared_view(store, token=link, at=END)
    with pytest.raises(Conflict, match="revoked"):
        show_name(store, token=bearer, share_id=share_id, show=False, at=END)


@pytest.mark.parametrize("share_id", ["the partner's", 10**6, 2**40, 0])
def test_b5_another_wrists_share_answers_exactly_like_a_missing_one(store, share_id):
    _, partner, own_id, _ = _shared(store)
    asked = own_id if share_id == "the partner's" else share_id
    with pytest.raises(NotFound, match="^this wrist has no such share link$"):
        revoke_share(store, token=partner, share_id=asked, at=END)
