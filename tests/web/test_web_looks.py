"""One person, one look (issue 22), through the HTTP API and the join form: each look-alike
of the issue is refused beside the name it imitates with a 4xx JSON line and its code."""

from __future__ import annotations

import contextlib
import json

import pytest
from sqlalchemy import func, select

from soulmark.core.validate import HIDDEN_RANGES
from soulmark.store.models import PersonRow

TAG_A = "\U000e0041"
LOOKALIKES = [
    pytest.param("\u0410nna", id="cyrillic-A"),
    pytest.param("An\u200bna", id="U+200B"),
    pytest.param(f"An{TAG_A}na", id="tag"),
    pytest.param("An\u034fna", id="U+034F"),
    pytest.param("An\u3164na", id="U+3164"),
]


def _join(web, world, name: str, email: str, **headers: str):
    path = f"/api/worlds/{world.slug}/join"
    return web.client.post(path, json={"name": name, "email": email}, headers=headers)


def _count(web) -> int:
    """People holding an address (a join of a taken address makes a stand-in that holds
    none: see services.joins._stand_in)."""
    held = PersonRow.email_key.contains("@")
    with web.store.transaction() as s:
        return s.scalar(select(func.count()).select_from(PersonRow).where(held)) or 0


@pytest.mark.parametrize("imitation", LOOKALIKES)
def test_issue22_api_refuses_a_lookalike_beside_the_name_it_imitates(web, imitation) -> None:
    world = web.world(["Anna"], seal=False)
    answer = _join(web, world, imitation, "imitator@school.test")
    assert 400 <= answer.status_code < 500
    body = answer.json()
    assert body["code"] in {"name-lookalike", "name-hidden"}
    assert "\n" not in body["error"] and "Anna" not in body["error"]
    assert _count(web) == 1


def test_issue22_api_says_the_refusal_in_japanese_by_its_code(web) -> None:
    world = web.world(["Anna"], seal=False)
    answer = _join(web, world, "\u0410nna", "i@school.test", **{"Accept-Language": "ja"})
    assert answer.status_code == 409 and answer.json()["code"] == "name-lookalike"
    assert "よく似ています" in answer.json()["error"]
    hidden = _join(web, world, "Bo\u200bb", "j@school.test", **{"Accept-Language": "ja"})
    assert hidden.status_code == 422 and hidden.json()["code"] == "name-hidden"
    assert "隠れています" in hidden.json()["error"]


def test_issue22_the_join_form_refuses_a_lookalike_in_one_line(web) -> None:
    world = web.world(["Anna"], seal=False)
    page = web.form(f"/w/{world.slug}/join", {"name": "\u0410nna", "email": "i@school.test"})
    assert page.status_code == 409
    assert "looks too much like one already in this world" in page.text
    assert _count(web) == 1


@pytest.mark.parametrize(
    "names", [["爆豪勝己", "轟焦凍"], ["Tenya Iida", "Tenya Ida"], ["Zoë", "Zoe"]]
)
def test_r11_api_lets_names_that_do_not_look_alike_join(web, names) -> None:
    world = web.world([], seal=False)
    for i, name in enumerate(names):
        answer = _join(web, world, name, f"n{i}@school.test")
        assert answer.status_code == 201 and answer.json()["name"] == name
    assert _count(web) == len(names)


@pytest.mark.parametrize(
    "again",
    ["zoe\u0308@school.test", "zoë@SCHOOL.TEST", "zoe\u0308@School.Test"],
    ids=["decomposed", "upper-domain", "both"],
)
def test_issue22_api_one_address_in_two_spellings_is_one_person(web, again) -> None:
    world = web.world([], seal=False)
    assert _join(web, world, "Zoë", "zoë@school.test").status_code == 201
    with contextlib.suppress(Exception):  # what it answers is the membership rule's
        _join(web, world, "Zoë Again", again)
    assert _count(web) == 1


def test_issue22_the_join_form_carries_the_hidden_list_the_server_refuses(web) -> None:
    world = web.world([], seal=False)
    page = web.client.get(f"/w/{world.slug}").text
    start = page.index('data-hidden="') + len('data-hidden="')
    carried = page[start : page.index('"', start)].replace("&#34;", '"').replace("&quot;", '"')
    assert [tuple(r) for r in json.loads(carried)] == list(HIDDEN_RANGES)
    assert 'data-hides="' in page
