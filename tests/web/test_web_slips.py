"""Issue 20 item 9, school mode: a class sheet of join slips; a student joins with a slip and
a name and no email address; each slip claims a place as an invitation does, once; the sheet
never shows a wrist key."""

from __future__ import annotations

import re

from sqlalchemy import select

from soulmark.store.models import PersonRow
from soulmark.store.notice_models import NoticeRow
from soulmark.web.session import handle_of


def _slips(web, world, n=3):
    answer = web.api("POST", "/api/organizer/slips", world.organizer, json={"count": n})
    assert answer.status_code == 200, answer.text
    return [s["code"] for s in answer.json()["slips"]]


def test_i20_9_each_slip_claims_a_place_counted_as_invited(web):
    world = web.world(["A", "B"], seal=False)
    codes = _slips(web, world)
    assert len(set(codes)) == 3 and all(
        re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes
    )
    board = web.api("GET", "/api/organizer", world.organizer).json()
    assert board["counts"]["invited"] == 3
    roster = web.api("GET", "/api/organizer/people", world.organizer).json()["people"]
    assert sorted(p["status"] for p in roster).count("slip") == 3


def test_i20_9_a_student_joins_by_slip_without_email_once(web):
    world = web.world(["A", "B"], seal=False)
    code = _slips(web, world, 1)[0]
    joined = web.api(
        "POST", "/api/slip", json={"code": code.lower().replace("-", " "), "name": "Kenji"}
    )
    assert joined.status_code == 200, joined.text
    token = joined.json()["token"]
    wrist = web.api("GET", "/api/wrist", token).json()
    assert wrist["world"] == world.slug and not wrist["sealed"]
    again = web.api("POST", "/api/slip", json={"code": code, "name": "Other"})
    assert again.status_code == 404 and again.json()["code"] == "slip-spent"
    assert web.api("GET", "/api/organizer/slips", world.organizer).json() == {
        "world": world.slug,
        "slips": [],
        "used": 1,
    }
    with web.store.read() as s:
        kenji = s.scalars(select(PersonRow).where(PersonRow.name == "Kenji")).one()
        assert kenji.email == "" and kenji.confirmed
    web.seal(world)
    with web.store.read() as s:
        mails = s.scalars(select(NoticeRow.to_addr)).all()
    assert "" not in mails  # notices come by push or on the wrist page only


def test_i20_9_the_sheet_prints_codes_and_qr_never_a_wrist_key_and_one_press_makes_once(web):
    world = web.world(["A", "B"], seal=False)
    web.client.get(f"/organizer/{world.organizer}")
    here = f"/organizer/me-{handle_of(world.organizer)}"
    sheet = web.client.get(f"{here}/slips").text
    once = re.search(r'name="once" value="([0-9a-f]+)"', sheet).group(1)
    for _ in range(2):
        done = web.form(f"{here}/slips", {"count": "4", "once": once}, follow_redirects=False)
        assert done.status_code == 303
    sheet = web.client.get(done.headers["location"]).text
    assert sheet.count('class="slip"') == 4 and sheet.count("<svg") == 4
    assert not re.search(r"\bw_[A-Za-z0-9_-]{20,}", sheet) and "/slip" in sheet
    code = re.search(r"<code>([A-Z2-9-]{14})</code>", sheet).group(1)
    page = web.client.get(f"/j/{code}")
    assert page.status_code == 200 and 'id="slip-form"' in page.text
    assert web.api("GET", "/api/organizer/slips", world.organizer).json()["used"] == 0
    joined = web.form("/slip", {"code": code, "name": "Aiko"}, follow_redirects=False)
    assert joined.status_code == 303 and joined.headers["location"].startswith("/wrist/me-")
    assert web.client.get(f"{here}/slips").text.count('class="slip"') == 3


def test_i20_9_bad_counts_and_codes_are_one_line_errors(web):
    world = web.world(["A", "B"], seal=False)
    bad = web.api("POST", "/api/organizer/slips", world.organizer, json={"count": 0})
    assert bad.status_code == 422 and bad.json()["code"] == "slips-count"
    nope = web.api("POST", "/api/slip", json={"code": "NOPE", "name": "X"})
    assert nope.status_code == 404 and "\n" not in nope.json()["error"]
    assert web.client.get("/j/NOPE-NOPE-NOPE").status_code == 404


def test_i20_9_erasing_a_world_erases_its_slips(web):
    from soulmark.services.lifecycle import erase_expired, set_retention

    world = web.world(["A", "B"], seal=False)
    _slips(web, world, 2)
    now = web.clock.now
    set_retention(web.store, organizer_token=world.organizer, until=now + 1, at=now)
    assert erase_expired(web.store, at=web.clock.now + 2) == [world.slug]
    assert web.api("GET", "/api/organizer/slips", world.organizer).json()["slips"] == []
