"""Issue 21: the reader's language is passed to what answers, never kept in a hidden global.

With ``Accept-Language: ja`` every JSON answer about a wrist speaks Japanese: the GET, and the
look, reach-out and withdraw POSTs, which answered in English while the language lived in a
context variable that only page rendering set."""

from __future__ import annotations

from soulmark.i18n import translations
from soulmark.services.wrist_words import bearer_sentence

JA = {"Accept-Language": "ja"}
NAMES = ["Izuku Midoriya", "Ochaco Uraraka"]


def _said_in(code: str, state: str) -> str:
    return bearer_sentence(state, sealed=True, left_out=False, say=translations(code).gettext)


def test_i21_every_wrist_answer_get_and_post_speaks_the_readers_language(web):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    web.clock.now = max(p.legible_at for p in world.people.values()) + 1
    auth = {"Authorization": f"Bearer {a.token}", **JA}
    calls = [
        ("GET", "/api/wrist", None, "covered"),
        ("POST", "/api/wrist/look", None, "revealed"),
        ("POST", "/api/wrist/reach-out", {"contact": "@izuku"}, "revealed"),
        ("POST", "/api/wrist/reach-out/withdraw", None, "revealed"),
    ]
    for method, path, body, state in calls:
        r = web.client.request(method, path, headers=auth, json=body)
        assert r.status_code == 200, (path, r.text)
        assert r.json()["state"] == state
        assert r.json()["message"] == _said_in("ja", state), path
        assert _said_in("ja", state) != _said_in("en", state)
