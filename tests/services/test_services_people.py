"""services.joins: the one join (R9, R11, B6), email-domain worlds included."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from soulmark.core.errors import InvalidInput
from soulmark.core.times import DAY, parse_iso
from soulmark.services import create_world, join, wrist
from soulmark.store import Store
from soulmark.store.link_models import ConfirmationRow
from soulmark.store.notice_models import NoticeRow
from tests.mailbox import confirmations

T0 = parse_iso("2031-04-01T00:00:00Z")


def _world(store: Store, domain: str | None = None) -> str:
    made = create_world(
        store,
        name="Yuei",
        window_start=T0,
        window_end=T0 + 300 * DAY,
        at=T0 - DAY,
        email_domain=domain,
    )
    return made.world


def test_r11_join_keeps_the_name_as_written_and_counts_at_once_outside_a_domain(store):
    world = _world(store)
    joined = join(store, world=world, name=" 爆豪勝己 ", email="k@x.test", at=T0 - DAY)
    assert joined.name == "爆豪勝己" and joined.confirmation is None
    assert "confirmation" not in joined.to_json() and confirmations(store) == []
    assert wrist(store, token=joined.token, at=T0).confirmed is True


def test_b6_a_domain_join_and_its_mail_are_written_in_one_transaction(store):
    world = _world(store, domain="yuei.test")
    joined = join(
        store,
        world=world,
        name="Iida",
        email="i@yuei.test",
        at=T0 - DAY,
        base_url="https://s.example/",
    )
    assert joined.confirmation == "sent" and joined.to_json()["confirmation"] == "sent"
    assert wrist(store, token=joined.token, at=T0).confirmed is False
    [mail] = confirmations(store)
    assert mail["link"].startswith("https://s.example/confirm/#c_")
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ConfirmationRow)) == 1
        assert s.scalar(select(func.count()).select_from(NoticeRow)) == 1


def test_b6_a_refused_domain_join_leaves_nothing_behind(store):
    world = _world(store, domain="yuei.test")
    with pytest.raises(InvalidInput, match="yuei.test"):
        join(store, world=world, name="X", email="x@evil.test", at=T0 - DAY)
    join(store, world=world, name="Y", email="y@yuei.test", at=T0 - DAY)
    # Joining again is answered as a new join (issue 22) and asks for no second confirmation.
    again = join(store, world=world, name="Z", email="Y@yuei.test", at=T0 - DAY)
    assert again.confirmation == "sent"
    assert len(confirmations(store)) == 1
