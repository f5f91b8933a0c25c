"""The organizer's dashboard (B2): aggregates, chart, seal, transcript — never a name."""

from __future__ import annotations

import csv
import io
import re

from soulmark.core.times import SECOND

NAMES = [f"Organizerleak Person{i:02d} Zyxw" for i in range(7)]


def assert_no_names(text: str) -> None:
    assert "Organizerleak" not in text and "Zyxw" not in text


def test_dashboard_counts_every_state_and_never_names(web, clock):
    world = web.world(NAMES)
    first = min(world.people.values(), key=lambda p: p.legible_at or 10**30)
    clock.now = first.legible_at
    web.api("POST", "/api/wrist/look", first.token)
    data = web.api("GET", "/api/organizer", world.organizer).json()
    counts = data["counts"]
    assert sum(counts.values()) == 7 and counts["revealed"] == 1 and counts["waiting"] == 1
    assert data["world"]["world"] == world.slug and len(data["timeline"]) == 24
    assert sum(b["legible"] for b in data["timeline"]) == 6
    page = web.client.get(f"/organizer/{world.organizer}")
    assert page.status_code == 200
    assert re.search(r'id="count-revealed" data-count="1"', page.text)
    assert '<svg id="timeline"' in page.text and 'class="bar-legible"' in page.text
    for text in (page.text, str(data)):
        assert_no_names(text)
        assert "@school.test" not in text


def test_timeline_csv_and_transcript_downloads_hold_only_numbers_and_ids(web):
    world = web.world(NAMES)
    for path in (f"/organizer/{world.organizer}/timeline.csv", "/api/organizer/timeline.csv"):
        token = world.organizer if path.startswith("/api") else None
        text = web.api("GET", path, token).text
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["slice_start", "slice_end", "itch_starts", "legible"]
        assert sum(int(r[3]) for r in rows[1:]) == 6
        assert_no_names(text)
    download = web.client.get(f"/organizer/{world.organizer}/transcript?round=1")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert_no_names(download.text)
    api = web.api("GET", "/api/organizer/transcript", world.organizer)
    assert api.text == download.text


def test_seal_button_is_idempotent_under_double_submit(web, clock):
    world = web.world(NAMES, seal=False)
    page = web.client.get(f"/organizer/{world.organizer}").text
    assert re.search(r'name="round" value="1"', page) and 'id="seal"' in page
    clock.now += SECOND
    unconfirmed = web.form(f"/organizer/{world.organizer}/seal", {"round": "1"})
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.text
    assert web.api("GET", f"/api/worlds/{world.slug}").json()["open_round"] == 1
    first = web.form(f"/organizer/{world.organizer}/seal", {"round": "1", "confirm": "yes"})
    assert first.status_code == 200 and 'id="sealed-note"' in first.text
    transcript = web.client.get(f"/w/{world.slug}/transcript").text
    again = web.form(f"/organizer/{world.organizer}/seal", {"round": "1", "confirm": "yes"})
    assert again.status_code == 200
    assert web.client.get(f"/w/{world.slug}/transcript").text == transcript
    api = web.api("POST", "/api/organizer/seal", world.organizer, json={"round": 1}).json()
    assert api["already"] is True and api["pairs"] == 3
    info = web.api("GET", f"/api/worlds/{world.slug}").json()
    assert info["open_round"] == 2 and [r["sealed"] for r in info["rounds"]] == [True, False]


def test_sealing_an_empty_round_is_a_409(web):
    world = web.world([], seal=False)
    refused = web.api("POST", "/api/organizer/seal", world.organizer, json={"round": 1})
    assert refused.status_code == 409 and "error" in refused.json()
