"""The world page a crowd of QR scans opens is kept for its second (issue 21): one reading
serves them all, each viewer still gets their own CSRF token, and a change in the world
shows at once."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient

from soulmark.core.times import SECOND
from soulmark.web.routes import worlds

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PEOPLE = re.compile(r'<tr data-round="1"><td>1</td>\s*<td>[^<]*</td>\s*<td>(\d+)</td>')


def _settled(web) -> None:
    # The change log is also read back by this process's own tail (another process's writes
    # arrive that way): a page kept before it caught up is dropped once more when it does.
    time.sleep(4 * web.settings.live_tail_s)


def _counting(monkeypatch) -> list[str]:
    calls: list[str] = []
    shown = worlds.services.world_shown

    def counted(store, *, slug, at=None):
        calls.append(slug)
        return shown(store, slug=slug, at=at)

    monkeypatch.setattr(worlds.services, "world_shown", counted)
    return calls


def test_i21_a_crowd_on_the_world_page_is_served_one_reading_each_with_its_own_token(
    web, monkeypatch
) -> None:
    world = web.world([], seal=False)
    _settled(web)
    calls = _counting(monkeypatch)
    other = TestClient(web.app, base_url="http://soulmark.test")
    first = web.client.get(f"/w/{world.slug}")
    second = other.get(f"/w/{world.slug}")
    assert first.status_code == second.status_code == 200 and calls == [world.slug]
    mine, theirs = CSRF.search(first.text)[1], CSRF.search(second.text)[1]
    assert mine != theirs and "csrf-slot" not in first.text + second.text
    joined = other.post(
        f"/w/{world.slug}/join",
        data={"csrf": theirs, "name": "Kei Crowd", "email": "kei@school.test"},
        follow_redirects=False,
    )
    assert joined.status_code == 303  # the token filled into the kept page is that viewer's


def test_i21_a_join_shows_on_the_kept_world_page_at_once(web, monkeypatch) -> None:
    world = web.world([], seal=False)
    before = web.client.get(f"/w/{world.slug}")
    assert PEOPLE.search(before.text)[1] == "0"
    web.api("POST", f"/api/worlds/{world.slug}/join", json={"name": "Ann", "email": "a@x.test"})
    after = web.client.get(f"/w/{world.slug}")
    assert PEOPLE.search(after.text)[1] == "1", "the join's change dropped the kept page"


def test_i21_a_kept_world_page_lasts_no_longer_than_its_second(web, monkeypatch) -> None:
    world = web.world([], seal=False)
    _settled(web)
    calls = _counting(monkeypatch)
    web.client.get(f"/w/{world.slug}")
    web.client.get(f"/w/{world.slug}")
    web.client.get(f"/w/{world.slug}?lang=ja")  # another language is another page
    web.clock.now += SECOND
    web.client.get(f"/w/{world.slug}")
    assert calls == [world.slug] * 3
