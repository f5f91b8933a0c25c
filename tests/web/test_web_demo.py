"""``demo_world`` (for ``make demo``) and the app's lifespan with the notices worker."""

from __future__ import annotations

import json
import unicodedata

from fastapi.testclient import TestClient

from soulmark import services
from soulmark.core.marks import Window, scaled
from soulmark.core.times import SECOND, parse_iso
from soulmark.web import Settings, create_app
from soulmark.web.demo import DEMO_NAMES, demo_params, demo_world

from .conftest import T0


def scripts(names) -> set[str]:
    return {unicodedata.name(ch).split()[0] for n in names for ch in n if ch.isalpha()}


def test_demo_world_is_sealed_with_watchable_marks(store):
    demo = demo_world(store, now_us=T0)
    assert demo["people"] == 30 and demo["pairs"] == 15
    assert {"LATIN", "CJK", "ARABIC", "CYRILLIC", "DEVANAGARI"} <= scripts(DEMO_NAMES)
    start, end = parse_iso(demo["window_start"]), parse_iso(demo["window_end"])
    assert start > T0 and end - start == 240 * SECOND
    assert scaled(demo_params(240), Window(start, end)) == demo_params(240)
    doc = json.loads(services.transcript_text(store, world=demo["world"]))
    itches = {}
    for pid, _partner, itch, ink, legible in doc["lines"]:
        itch, ink, legible = map(parse_iso, (itch, ink, legible))
        assert start <= itch < ink < legible <= end
        assert (
            20 * SECOND <= ink - itch <= 70 * SECOND and 30 * SECOND <= legible - ink <= 60 * SECOND
        )
        itches[pid] = itch
    order = [w["person"] for w in demo["wrists"]]
    assert order == sorted(itches, key=itches.get) and len(demo["wrists"]) == 30
    assert all(w["token"].startswith("w_") for w in demo["wrists"])
    assert demo["organizer_token"].startswith("o_")
    assert not any(n in json.dumps(demo, ensure_ascii=False) for n in DEMO_NAMES)


def test_demo_world_serves_its_links(store):
    demo = demo_world(store, now_us=T0, people=5, window_s=120)
    app = create_app(Settings(store=store, clock=lambda: T0 + 60 * SECOND))
    with TestClient(app) as client:
        for path in (demo["paths"]["world"], demo["paths"]["organizer"]):
            assert client.get(path).status_code == 200
        assert client.get(f"/wrist/{demo['wrists'][0]['token']}").status_code == 200


def test_the_notices_worker_starts_and_stops_with_the_app(store):
    app = create_app(Settings(store=store, run_worker=True))
    with TestClient(app) as client:
        assert client.get("/").status_code == 200
        assert app.state.worker is not None and not app.state.worker.done()
    assert app.state.worker.done()


def test_demo_links_and_settings_from_the_environment(store, monkeypatch):
    from soulmark.web.demo import demo_links

    demo = demo_world(store, now_us=T0, people=4)
    links = demo_links(demo, "http://127.0.0.1:8000/", wrists=2)
    assert links["organizer"] == f"http://127.0.0.1:8000/organizer/{demo['organizer_token']}"
    assert len(links["wrists"]) == 2 and links["wrists"][0].startswith(
        "http://127.0.0.1:8000/wrist/w_"
    )
    monkeypatch.setenv("SOULMARK_SECRET", "ab" * 32)
    monkeypatch.setenv("SOULMARK_BASE_URL", "https://soulmark.example")
    settings = Settings.from_env(dev=True)
    assert settings.secret == bytes.fromhex("ab" * 32) and settings.dev
    assert settings.base_url == "https://soulmark.example"
