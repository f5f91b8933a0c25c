"""The way in (issue 20 item 1): the home page leads to /new and opens any link it is given;
a refused /new keeps the form and says the server's reason next to its field; error pages
go back where the person was; only worlds actually opened count against the limit."""

from __future__ import annotations

import re

from soulmark.core.times import SECOND
from tests.web.conftest import T0

FORM = {"name": "Class 2-B", "window_start": "2030-04-01", "window_end": "2030-07-20"}


def test_home_page_offers_open_a_world_and_i_have_a_link(web):
    home = web.client.get("/").text
    assert 'id="home-new" href="/new"' in home
    assert 'id="home-link-form"' in home and 'action="/open"' in home


def test_a_pasted_join_link_goes_to_its_world_page(web):
    world = web.world(["A", "B"], seal=False)
    answer = web.form(
        "/open", {"link": f"http://soulmark.test/w/{world.slug}"}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/w/{world.slug}"


def test_a_pasted_bare_organizer_token_opens_the_dashboard(web):
    world = web.world(["A", "B"], seal=False)
    answer = web.form("/open", {"link": world.organizer})
    assert answer.status_code == 200 and 'id="organizer"' in answer.text


def test_a_pasted_link_that_is_nothing_says_so_and_goes_back_home(web):
    answer = web.form("/open", {"link": "hello"})
    assert answer.status_code == 404
    assert 'id="error-back"' in answer.text and 'href="/"' in answer.text


def test_new_with_an_unknown_zone_says_the_servers_reason_next_to_the_field(web):
    answer = web.form("/new", {**FORM, "time_zone": "JST"})
    assert answer.status_code == 422
    reason = re.search(r'id="error-time_zone"[^>]*>(.*?)</p>', answer.text, re.S)
    assert reason and "JST" in reason.group(1) and "not an IANA time zone" in reason.group(1)
    # The form is kept as it was typed.
    assert 'value="Class 2-B"' in answer.text and 'value="2030-04-01"' in answer.text
    assert 'aria-invalid="true" aria-describedby="error-time_zone"' in answer.text


def test_new_names_the_field_of_a_refused_date_and_of_a_reversed_window(web):
    bad = web.form("/new", {**FORM, "window_start": "soon"})
    assert bad.status_code == 422 and 'id="error-window_start"' in bad.text
    reversed_ = web.form("/new", {**FORM, "window_end": "2029-01-01"})
    assert reversed_.status_code == 422 and 'id="error-window_end"' in reversed_.text


def test_new_in_japanese_says_the_reason_in_japanese_with_the_servers_words(web):
    answer = web.form("/new?lang=ja", {**FORM, "time_zone": "JST"})
    assert answer.status_code == 422
    reason = re.search(r'id="error-time_zone"[^>]*>(.*?)</p>', answer.text, re.S)
    assert reason and "タイムゾーン" in reason.group(1) and "JST" in reason.group(1)


def test_new_offers_every_iana_zone_preset_to_the_viewers_zone(web):
    page = web.client.get("/new", cookies={"sm_tz": "Asia/Tokyo"}).text
    assert '<select id="new-zone"' in page
    assert '<option value="Asia/Tokyo" selected>' in page
    assert '<option value="Europe/Paris">' in page


def test_new_presets_fill_one_evening_and_a_school_term_in_the_chosen_zone(web):
    web.clock.now = T0  # 2030-03-17T17:46:40Z: 02:46 the next morning in Tokyo
    evening = web.client.get("/new?preset=evening&tz=Asia/Tokyo").text
    assert 'type="datetime-local" required value="2030-03-18T18:00"' in evening
    assert 'value="2030-03-18T22:00"' in evening
    assert '<option value="Asia/Tokyo" selected>' in evening
    term = web.client.get("/new?preset=term&tz=UTC").text
    assert 'type="date" required value="2030-03-17"' in term and 'value="2030-06-16"' in term


def test_an_evening_preset_opens_a_world_of_a_few_hours(web):
    web.clock.now = T0
    made = web.form(
        "/new",
        {
            "name": "Night",
            "window_start": "2030-03-18T18:00",
            "window_end": "2030-03-18T22:00",
            "time_zone": "Asia/Tokyo",
        },
    )
    assert made.status_code == 200 and made.url.path.endswith("/opened")


def test_only_worlds_actually_opened_count_against_the_limit(web):
    for _ in range(12):
        assert web.form("/new", {**FORM, "time_zone": "JST"}).status_code == 422
    opened = [web.form("/new", FORM, follow_redirects=False).status_code for _ in range(10)]
    assert opened == [303] * 10
    assert web.form("/new", FORM).status_code == 429
    web.clock.now += 3601 * SECOND
    assert web.form("/new", FORM, follow_redirects=False).status_code == 303


def test_a_refused_api_world_is_not_counted_either(web):
    body = {**FORM, "time_zone": "JST"}
    assert all(web.api("POST", "/api/worlds", json=body).status_code == 422 for _ in range(11))
    answer = web.api("POST", "/api/worlds", json=FORM)
    assert answer.status_code == 201


def test_an_error_page_goes_back_to_the_page_the_form_was_on(web):
    world = web.world(["A", "B"], seal=False)
    refused = web.form(f"/organizer/{world.organizer}/seal", {"round": "1"})
    assert refused.status_code == 422
    assert f'href="/organizer/{world.organizer}" id="error-back"' in refused.text
    joined = web.form(f"/w/{world.slug}/join", {"name": "", "email": "x@school.test"})
    assert f'href="/w/{world.slug}" id="error-back"' in joined.text
