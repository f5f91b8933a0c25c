"""One person, one look (issue 22), through the services: a look-alike name is refused at every
door a name comes in by, and one address in two spellings is one person."""

from __future__ import annotations

import contextlib
import io
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from soulmark.core.errors import Conflict, InvalidInput, SoulmarkError
from soulmark.core.looks import look_key
from soulmark.core.times import DAY, parse_iso
from soulmark.services import create_world, join
from soulmark.services.confirm import confirm
from soulmark.services.exclusions import add_exclusion
from soulmark.services.intake import join_csv
from soulmark.services.invites import Invitee, claim, invite
from soulmark.services.naming import rename
from soulmark.services.tokens import new_pid, new_token, token_hash
from soulmark.store import Store
from soulmark.store.models import PersonRow, WorldRow
from tests.mailbox import confirmations, invitations

T0 = parse_iso("2031-04-01T00:00:00Z")
TAG_A = "\U000e0041"

LOOKALIKES = [
    ("Anna", "\u0410nna"),  # Cyrillic А
    ("Anna", "An\u200bna"),  # U+200B inside
    ("Anna", f"An{TAG_A}na"),  # a tag character inside
    ("Anna", "An\u034fna"),  # U+034F inside
    ("Anna", "An\u3164na"),  # U+3164 inside
    ("Tenya Iida", "Tenya lida"),
]


def _world(store: Store, domain: str | None = None) -> str:
    made = create_world(
        store, name="Yuei", window_start=T0, window_end=T0 + 300 * DAY, at=T0 - DAY,
        email_domain=domain,
    )  # fmt: skip
    return made.world


def _people(store: Store, world: str) -> int:
    """People holding an address in the world (a join of a taken address makes a stand-in
    that holds none: see services.joins._stand_in)."""
    with store.transaction() as s:
        wid = s.scalar(select(WorldRow.id).where(WorldRow.slug == world))
        held = PersonRow.email_key.contains("@")
        q = select(func.count()).select_from(PersonRow).where(PersonRow.world_id == wid, held)
        return s.scalar(q) or 0


@pytest.mark.parametrize(("name", "imitation"), LOOKALIKES)
@pytest.mark.parametrize("first", ["name", "imitation"])
def test_issue22_a_lookalike_name_is_refused_beside_the_name_it_imitates(
    store: Store, name: str, imitation: str, first: str
) -> None:
    world = _world(store)
    a, b = (name, imitation) if first == "name" else (imitation, name)
    try:
        join(store, world=world, name=a, email="first@x.test", at=T0 - DAY)
    except InvalidInput as exc:  # a hidden character inside: refused on its own
        assert exc.code == "name-hidden" and a == imitation
        return
    with pytest.raises(SoulmarkError) as info:
        join(store, world=world, name=b, email="second@x.test", at=T0 - DAY)
    assert info.value.code in {"name-lookalike", "name-hidden"}
    assert "\n" not in str(info.value) and name not in str(info.value)
    assert _people(store, world) == 1


@pytest.mark.parametrize(
    "names",
    [
        ["爆豪勝己", "轟焦凍", "Tenya Iida", "Bakugou Katsuki", "Katsuki Bakugou"],
        ["Zoë", "Zoe", "Anna", "Anne", "anna"],
    ],
)
def test_r11_names_that_do_not_look_alike_all_join(store: Store, names: list[str]) -> None:
    world = _world(store)
    for i, name in enumerate(names):
        assert join(store, world=world, name=name, email=f"p{i}@x.test", at=T0 - DAY).name == name
    assert _people(store, world) == len(names)


def test_issue22_a_lookalike_of_another_world_is_no_concern(store: Store) -> None:
    one, two = _world(store), _world(store)
    join(store, world=one, name="Anna", email="a@x.test", at=T0 - DAY)
    assert join(store, world=two, name="\u0410nna", email="a@x.test", at=T0 - DAY)


@pytest.mark.parametrize(
    "again", ["zoe\u0308@ua.example", "zoë@UA.EXAMPLE", "Zoe\u0308@Ua.Example", "zoë@ua．example"]
)
def test_issue22_one_address_in_two_spellings_is_one_person(store: Store, again: str) -> None:
    world = _world(store)
    join(store, world=world, name="Zoë", email="zoë@ua.example", at=T0 - DAY)
    with contextlib.suppress(Conflict):  # what it answers is the membership rule's
        join(store, world=world, name="Zoë Second", email=again, at=T0 - DAY)
    assert _people(store, world) == 1


def test_issue22_a_domain_world_takes_its_domain_in_any_spelling(store: Store) -> None:
    world = _world(store, domain="UA.Example")
    joined = join(store, world=world, name="Zoë", email="zoe\u0308@ua.EXAMPLE", at=T0 - DAY)
    assert joined.confirmation == "sent"
    [mail] = confirmations(store)
    assert mail["to"] == "zoë@ua.example"


def test_issue22_never_with_names_an_address_in_any_spelling(store: Store) -> None:
    world = _world(store)
    me = join(store, world=world, name="Zoë", email="zoë@ua.example", at=T0 - DAY)
    with pytest.raises(InvalidInput) as info:
        add_exclusion(store, token=me.token, email="ZOE\u0308@UA.example", at=T0 - DAY)
    assert info.value.code == "exclusion-self"


def test_issue22_a_csv_refuses_the_lookalike_row_and_keeps_the_others(store: Store) -> None:
    world = _world(store)
    join(store, world=world, name="Anna", email="a@x.test", at=T0 - DAY)
    rows = "name,email\n\u0410nna,b@x.test\nTenya Iida,c@x.test\nTenya lida,d@x.test\n"
    report = join_csv(store, world=world, source=io.StringIO(rows), at=T0 - DAY)
    assert report.joined == 1
    assert [e.line for e in report.errors] == [2, 4]
    assert all("looks too much like" in e.message for e in report.errors)


def test_issue22_a_rename_to_a_lookalike_is_refused_and_a_rename_of_ones_own_look_is_not(
    store: Store,
) -> None:
    world = _world(store)
    join(store, world=world, name="Anna", email="a@x.test", at=T0 - DAY)
    bo = join(store, world=world, name="Bo", email="b@x.test", at=T0 - DAY)
    with pytest.raises(Conflict) as info:
        rename(store, token=bo.token, name="\u0410nna")
    assert info.value.code == "name-lookalike"
    assert rename(store, token=bo.token, name="B\u043e").name == "B\u043e"  # Cyrillic о: still Bo
    assert rename(store, token=bo.token, name="Bob").name == "Bob"
    assert join(store, world=world, name="Bo", email="c@x.test", at=T0 - DAY)  # Bo is free again


def test_issue22_a_claim_under_a_lookalike_is_refused_and_the_invitation_stays(
    store: Store,
) -> None:
    world = _world(store)
    join(store, world=world, name="Anna", email="a@x.test", at=T0 - DAY)
    invite(store, world=world, invitees=[Invitee("b@x.test", "Anna")], at=T0 - DAY)
    [mail] = invitations(store)
    code = mail["link"].rsplit("#", 1)[1]
    with pytest.raises(Conflict) as info:
        claim(store, code=code, name="", at=T0 - DAY)  # the organizer's suggestion
    assert info.value.code == "name-lookalike"
    assert claim(store, code=code, name="Anna B.", at=T0 - DAY).world == world


def test_issue22_a_domain_join_takes_its_look_when_confirmed(store: Store) -> None:
    world = _world(store, domain="ua.example")
    first = join(store, world=world, name="Anna", email="a@ua.example", at=T0 - DAY)
    second = join(store, world=world, name="\u0410nna", email="b@ua.example", at=T0 - DAY)
    links = [m["link"].rsplit("#", 1)[1] for m in confirmations(store)]
    confirm(store, token=links[1], at=T0 - DAY)  # the imitation confirms first: it is in
    with pytest.raises(Conflict) as info:
        confirm(store, token=links[0], at=T0 - DAY)
    assert info.value.code == "name-lookalike"
    rename(store, token=first.token, name="Anna A.")
    assert confirm(store, token=links[0], at=T0 - DAY).world == world  # the link was not spent
    assert second.person != first.person


def test_issue22_the_database_holds_one_look_per_world(store: Store) -> None:
    world = _world(store)
    join(store, world=world, name="Anna", email="a@x.test", at=T0 - DAY)
    with pytest.raises(IntegrityError), store.transaction() as s:
        wid = s.scalar(select(WorldRow.id).where(WorldRow.slug == world))
        s.add(
            PersonRow(
                world_id=wid,
                pid=new_pid(),
                name="\u0410nna",
                email="b@x.test",
                email_key="b@x.test",
                look_key=look_key("\u0410nna"),
                token_hash=token_hash(new_token("w")),
                round=1,
                joined_at=T0,
            )  # fmt: skip
        )
        s.flush()


def test_issue22_concurrent_lookalike_joins_cannot_both_land(store: Store) -> None:
    world = _world(store)
    names = ["Anna", "\u0410nna", "\u0391nna", "Ann\u0430", "\u0410nn\u0430", "An\u0578a"]
    barrier = threading.Barrier(len(names))
    answers: list[str] = []

    def one(i: int, name: str) -> None:
        barrier.wait()
        try:
            join(store, world=world, name=name, email=f"p{i}@x.test", at=T0 - DAY)
            answers.append("joined")
        except SoulmarkError as exc:
            answers.append(exc.code)

    threads = [threading.Thread(target=one, args=(i, n)) for i, n in enumerate(names)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["joined"] + ["name-lookalike"] * (len(names) - 1)
    assert _people(store, world) == 1
