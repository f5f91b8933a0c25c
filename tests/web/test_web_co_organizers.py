"""Issue 20 item 5: named co-organizer links, revoked and refused, and the log of organizer
actions (which link did what, and when; never whom)."""

from __future__ import annotations

import re

from soulmark.web.session import handle_of


def _made(web, world, name="Mr Tanaka"):
    answer = web.api("POST", "/api/organizer/links", world.organizer, json={"name": name})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_i20_5_a_named_co_organizer_link_opens_the_dashboard_and_acts(web):
    world = web.world(["A", "B", "C"], seal=False)
    made = _made(web, world)
    assert made["organizer_token"].startswith("o_") and made["name"] == "Mr Tanaka"
    assert made["organizer_url"].endswith(f"#{made['organizer_token']}")
    co = made["organizer_token"]
    assert web.api("GET", "/api/organizer", co).status_code == 200
    renamed = web.api("POST", "/api/organizer/name", co, json={"name": "Class 2-B"})
    assert renamed.status_code == 200
    log = web.api("GET", "/api/organizer/log", world.organizer).json()["actions"]
    assert [(a["actor"], a["action"]) for a in log] == [
        ("Mr Tanaka", "renamed"),
        ("main", "link-made"),
    ]
    assert all(set(a) == {"actor", "action", "at"} for a in log)


def test_i20_5_a_revoked_link_is_refused_and_revoking_again_changes_nothing(web):
    world = web.world(["A", "B"], seal=False)
    made = _made(web, world)
    gone = web.api("DELETE", f"/api/organizer/links/{made['link']}", world.organizer)
    assert gone.status_code == 200 and gone.json()["links"][0]["revoked"]
    assert web.api("GET", "/api/organizer", made["organizer_token"]).status_code == 404
    again = web.api("DELETE", f"/api/organizer/links/{made['link']}", world.organizer)
    assert again.status_code == 200
    log = web.api("GET", "/api/organizer/log", world.organizer).json()["actions"]
    assert [a["action"] for a in log].count("link-revoked") == 1


def test_i20_5_only_the_main_link_manages_links(web):
    world = web.world(["A", "B"], seal=False)
    co = _made(web, world)["organizer_token"]
    refused = web.api("POST", "/api/organizer/links", co, json={"name": "Someone"})
    assert refused.status_code == 409 and refused.json()["code"] == "not-main-organizer"
    bad = web.api("POST", "/api/organizer/links", world.organizer, json={"name": " "})
    assert bad.status_code == 422


def test_i20_5_a_co_organizer_replaces_their_own_link_and_keeps_their_name(web):
    world = web.world(["A", "B"], seal=False)
    co = _made(web, world)["organizer_token"]
    fresh = web.api("POST", "/api/organizer/replace", co).json()["organizer_token"]
    assert web.api("GET", "/api/organizer", co).status_code == 404
    assert web.api("GET", "/api/organizer", fresh).status_code == 200
    assert web.api("GET", "/api/organizer", world.organizer).status_code == 200
    log = web.api("GET", "/api/organizer/log", fresh).json()["actions"]
    assert log[0] == {**log[0], "actor": "Mr Tanaka", "action": "link-replaced"}


def test_i20_5_the_form_makes_one_link_for_two_presses_and_shows_it_once(web):
    world = web.world(["A", "B"], seal=False)
    web.client.get(f"/organizer/{world.organizer}")
    here = f"/organizer/me-{handle_of(world.organizer)}"
    page = web.client.get(here).text
    once = re.search(r'name="once" value="([0-9a-f]+)"', page).group(1)
    first = web.form(f"{here}/links", {"name": "Ms Ito", "once": once}, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].endswith("/links/made")
    shown = web.client.get(first.headers["location"]).text
    assert 'id="co-organizer-url"' in shown and "/organizer/#o_" in shown
    assert 'id="link-shown-before"' in web.client.get(first.headers["location"]).text
    second = web.form(f"{here}/links", {"name": "Ms Ito", "once": once}, follow_redirects=False)
    assert second.status_code == 303
    links = web.api("GET", "/api/organizer/links", world.organizer).json()["links"]
    assert [link["name"] for link in links] == ["Ms Ito"]
    board = web.client.get(here).text
    assert 'id="action-log"' in board and "Ms Ito" in board
    link_id = links[0]["link"]
    done = web.form(f"{here}/links/{link_id}/revoke", follow_redirects=False)
    assert done.status_code == 303
    assert 'id="revoked-note"' in web.client.get(done.headers["location"]).text
