"""The demo world served (``soulmark serve --demo``) and the app's lifespan with the worker."""

from __future__ import annotations

from fastapi.testclient import TestClient

from soulmark.core.times import SECOND
from soulmark.services.demo import build_demo
from soulmark.settings import read_config
from soulmark.web import Settings, create_app

from .conftest import T0


def test_demo_world_serves_its_links(store):
    demo = build_demo(store, now_us=T0, people=5, window_s=120)
    app = create_app(Settings(store=store, clock=lambda: T0 + 60 * SECOND))
    with TestClient(app) as client:
        for path in (demo.paths["world"], demo.paths["organizer"]):
            assert client.get(path).status_code == 200
        assert client.get(f"/wrist/{demo.wrists[0].token}").status_code == 200


def test_the_notices_worker_starts_and_stops_with_the_app(store):
    app = create_app(Settings(store=store, run_worker=True))
    with TestClient(app) as client:
        assert client.get("/").status_code == 200
        assert app.state.worker is not None and not app.state.worker.done()
    assert app.state.worker.done()


def test_demo_links_and_settings_from_the_environment(store, monkeypatch):
    demo = build_demo(store, now_us=T0, people=4)
    links = demo.links("http://127.0.0.1:8000/", wrists=2)
    assert links["organizer"] == f"http://127.0.0.1:8000/organizer/#{demo.organizer_token}"
    assert len(links["wrists"]) == 2 and links["wrists"][0].startswith(
        "http://127.0.0.1:8000/wrist/#w_"
    )
    monkeypatch.setenv("SOULMARK_SECRET", "ab" * 32)
    monkeypatch.setenv("SOULMARK_BASE_URL", "https://soulmark.example")
    settings = Settings.from_config(read_config(), dev=True)
    assert settings.secret == bytes.fromhex("ab" * 32) and settings.dev
    assert settings.base_url == "https://soulmark.example"
