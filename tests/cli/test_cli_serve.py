"""``soulmark serve`` reads its settings once and hands them to uvicorn's workers as an object:
nothing is written to ``os.environ``."""

from __future__ import annotations

import importlib
import os
import pickle

from soulmark.settings import read_environment

serving = importlib.import_module("soulmark.cli.serve")


def test_serve_builds_settings_once_and_writes_no_environment(cli, db_url, monkeypatch):
    monkeypatch.setenv("SOULMARK_SECRET", "ab" * 32)
    monkeypatch.setenv("SOULMARK_MAIL_FROM", "notices@school.example")
    seen = {}
    monkeypatch.setattr(
        serving, "run_app", lambda settings, options: seen.update(s=settings, o=options)
    )
    before = dict(os.environ)
    r = cli("serve", "--port", "9123", "--workers", "3", "--trusted-proxy", "10.0.0.1")
    assert r.code == 0, r.err
    assert dict(os.environ) == before
    settings = seen["s"]
    assert settings.db_url == db_url and settings.secret == bytes.fromhex("ab" * 32)
    assert settings.base_url == "http://127.0.0.1:9123" and settings.shared_attempts
    assert settings.trusted_proxies == ("10.0.0.1",) and not settings.dev
    assert settings.mail_from == "notices@school.example" and not settings.run_worker
    assert seen["o"]["workers"] == 3
    # Worker processes receive the settings pickled inside uvicorn's config.
    assert pickle.loads(pickle.dumps(settings)).secret == settings.secret


def test_the_environment_is_read_in_one_place():
    env = read_environment(
        {"SOULMARK_DB": "sqlite:///x.db", "SOULMARK_TRUSTED_PROXIES": " 10.0.0.1, ::1 ,"}
    )
    assert env.db_url == "sqlite:///x.db" and env.trusted_proxies == ("10.0.0.1", "::1")
    assert env.base_url is None and env.secret is None
