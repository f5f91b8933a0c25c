"""``soulmark serve`` reads its settings once and hands them to uvicorn's workers as an object:
nothing is written to ``os.environ``."""

from __future__ import annotations

import importlib
import json
import os
import pickle
import re

from soulmark import services
from soulmark.core.errors import InvalidInput
from soulmark.settings import read_config
from soulmark.store import open_store

serving = importlib.import_module("soulmark.cli.serve")


def test_serve_builds_settings_once_and_writes_no_environment(cli, db_url, monkeypatch):
    monkeypatch.setenv("SOULMARK_SECRET", "ab" * 32)
    monkeypatch.setenv("SOULMARK_MAIL_FROM", "notices@school.example")
    monkeypatch.setenv("SOULMARK_NOTICE_LEASE_S", "45")
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
    assert settings.base_url == "http://127.0.0.1:9123"
    assert settings.trusted_proxies == ("10.0.0.1",) and not settings.dev
    assert settings.notices.from_addr == "notices@school.example" and not settings.run_worker
    assert seen["o"]["workers"] == 3
    # The in-app worker mails with the same settings: the lease, and links to the site.
    assert settings.notices.lease_s == 45 and settings.notices.base_url == settings.base_url
    # Worker processes receive the settings pickled inside uvicorn's config.
    assert pickle.loads(pickle.dumps(settings)).secret == settings.secret


def test_the_environment_is_read_in_one_place(monkeypatch):
    monkeypatch.setenv("SOULMARK_DB", "sqlite:///x.db")
    monkeypatch.setenv("SOULMARK_TRUSTED_PROXIES", " 10.0.0.1, ::1 ,")
    monkeypatch.setenv("SOULMARK_BASE_URL", "  ")  # empty counts as unset
    config = read_config()
    assert config.db == "sqlite:///x.db" and config.trusted_proxies == ("10.0.0.1", "::1")
    assert config.base_url is None and config.secret is None


def test_i9_serve_demo_writes_its_own_database_file_says_which_and_pairs_its_links(
    cli, db_url, monkeypatch
):
    monkeypatch.setenv("SOULMARK_SECRET", "ab" * 32)
    monkeypatch.setenv("SOULMARK_DB", db_url)  # the user's own database: left alone
    seen = {}
    monkeypatch.setattr(serving, "run_app", lambda settings, options: seen.update(s=settings))
    r = cli("serve", "--demo", "--port", "9124", db=False)
    assert r.code == 0, r.err
    demo_url = seen["s"].db_url
    assert demo_url != db_url and "soulmark-demo-" in demo_url
    assert f"Demo database: {demo_url.removeprefix('sqlite:///')}" in r.out
    pairs = re.findall(r"pair (\d), ([AB]) +http://127\.0\.0\.1:9124/wrist/#(w_\S+)", r.out)
    assert [(n, side) for n, side, _ in pairs] == [("1", "A"), ("1", "B"), ("2", "A"), ("2", "B")]
    store = open_store(demo_url)
    try:
        partners = {t: services.wrist(store, token=t, at=0).person for _, _, t in pairs}
        tokens = [t for _, _, t in pairs]
        lines = {
            p: q
            for p, q, *_ in json.loads(
                services.transcript_text(
                    store, world=services.wrist(store, token=tokens[0], at=0).world
                )
            )["lines"]
        }
    finally:
        store.close()
    for a, b in (tokens[0:2], tokens[2:4]):
        assert lines[partners[a]] == partners[b]


def test_i17_serve_warns_when_strangers_can_open_worlds_on_a_public_address(cli, monkeypatch):
    monkeypatch.setattr(serving, "run_app", lambda settings, options: None)
    public = cli("serve", "--host", "0.0.0.0", "--port", "9125")
    assert public.code == 0 and "--invite-code" in public.err
    assert public.err.count("\n") == 1, "one line"
    coded = cli("serve", "--host", "0.0.0.0", "--port", "9125", "--invite-code", "tea")
    assert "warning" not in coded.err
    assert "warning" not in cli("serve", "--port", "9125").err, "loopback is the operator's own"


def test_i17_invitation_quotas_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SOULMARK_INVITES_PER_DAY", "40")
    monkeypatch.setenv("SOULMARK_INVITES_PER_HOUR", "90")
    quotas = read_config().quotas
    assert (quotas.world_day, quotas.instance_hour) == (40, 90)
    monkeypatch.setenv("SOULMARK_INVITES_PER_DAY", "many")
    try:
        read_config()
    except InvalidInput as exc:
        assert "SOULMARK_INVITES_PER_DAY" in str(exc)
    else:
        raise AssertionError("a quota that is not a number is refused")
