"""Issue 9, care: a participant changes the name their soulmate will read, until their
round is sealed; after, one line says why not (page, JSON, CLI's service)."""

from __future__ import annotations

from soulmark.web.session import handle_of

NAMES = ["Ana Rename", "Bo Rename"]


def test_i9_a_name_changes_before_the_seal_and_the_partner_reads_the_new_one(web, clock):
    world = web.world(NAMES, seal=False)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    web.client.get(f"/wrist/{a.token}")
    here = f"/wrist/me-{handle_of(a.token)}"
    wrist = web.client.get(here).text
    assert f'href="{here}/name"' in wrist and "Ana Rename" not in wrist  # only ever the partner's
    page = web.client.get(f"{here}/name").text
    assert 'id="name-form"' in page and 'value="Ana Rename"' in page
    changed = web.form(f"{here}/name", {"name": "  Ana Rename\u0301 "})
    assert changed.status_code == 200 and 'value="Ana Renamé"' in changed.text
    assert web.api("GET", "/api/wrist/name", a.token).json() == {
        "name": "Ana Renamé",  # NFC, trimmed: exactly as it will be written (R11)
        "editable": True,
    }
    put = web.api("PUT", "/api/wrist/name", b.token, json={"name": "Bo Again"})
    assert put.status_code == 200 and put.json()["name"] == "Bo Again"
    web.seal(world)
    clock.now = max(p.legible_at for p in world.people.values() if p.legible_at)
    seen = web.api("POST", "/api/wrist/look", b.token).json()
    assert seen["name"] == "Ana Renamé"


def test_i9_a_name_is_refused_in_one_line_after_the_seal_and_the_form_is_gone(web):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    late = web.api("PUT", "/api/wrist/name", a.token, json={"name": "Too Late"})
    assert late.status_code == 409 and late.json()["code"] == "name-sealed"
    assert "sealed" in late.json()["error"] and "\n" not in late.json()["error"]
    assert web.api("GET", "/api/wrist/name", a.token).json() == {
        "name": NAMES[0],
        "editable": False,
    }
    web.client.get(f"/wrist/{a.token}")
    here = f"/wrist/me-{handle_of(a.token)}"
    assert 'id="rename-link"' not in web.client.get(here).text
    fixed = web.client.get(f"{here}/name").text
    assert 'id="name-form"' not in fixed and "can no longer change" in fixed
    refused = web.form(f"{here}/name", {"name": "Too Late"})
    assert refused.status_code == 409 and "can no longer change" in refused.text


def test_i9_a_bad_new_name_is_one_line_and_nothing_changes(web):
    world = web.world(NAMES, seal=False)
    a = world.by_name(NAMES[0])
    bad = web.api("PUT", "/api/wrist/name", a.token, json={"name": "\u200b"})
    assert bad.status_code == 422 and bad.json()["error"] == "the name is empty"
    assert web.api("GET", "/api/wrist/name", a.token).json()["name"] == NAMES[0]
