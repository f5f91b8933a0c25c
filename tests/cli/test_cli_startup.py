"""``serve`` says, one line on stderr each, what a deployment lacks: a shared secret for
several processes, https behind a proxy, an invite code on a public address, a metrics
token (issue 17, item 1); and hands ``--log-json`` to uvicorn's workers."""

from __future__ import annotations

import importlib
import json
import logging.config

import pytest

serving = importlib.import_module("soulmark.cli.serve")

SECRET = "ab" * 32


@pytest.fixture
def served(cli, monkeypatch):
    seen: dict = {}
    monkeypatch.setattr(serving, "run_app", lambda s, o: seen.update(settings=s, options=o))

    def run(*args: str):
        r = cli("serve", *args)
        assert r.code == 0, r.err
        warnings = [line for line in r.err.splitlines() if line.startswith("warning:")]
        assert len(warnings) == len(r.err.strip().splitlines()), r.err  # one line each
        return warnings, seen

    return run


def test_no_warning_for_a_complete_deployment(served, monkeypatch):
    monkeypatch.setenv("SOULMARK_SECRET", SECRET)
    monkeypatch.setenv("SOULMARK_INSTANCES", "3")
    monkeypatch.setenv("SOULMARK_METRICS", "1")
    monkeypatch.setenv("SOULMARK_METRICS_TOKEN", "t0ken")
    warnings, _ = served(
        "--host",
        "0.0.0.0",
        "--invite-code",
        "c0de",
        "--trusted-proxy",
        "10.0.0.1",
        "--base-url",
        "https://soulmark.school.example",
    )
    assert warnings == []


def test_warns_when_several_instances_have_no_shared_secret(served, monkeypatch):
    monkeypatch.setenv("SOULMARK_INSTANCES", "2")
    (line,) = served()[0]
    assert "SOULMARK_INSTANCES is 2 but SOULMARK_SECRET is unset" in line and "403" in line


def test_warns_when_several_workers_have_no_shared_secret(served):
    (line,) = served("--workers", "2")[0]
    assert line.startswith("warning: --workers 2 without SOULMARK_SECRET")


def test_warns_when_the_base_url_is_not_https_behind_a_trusted_proxy(served, monkeypatch):
    monkeypatch.setenv("SOULMARK_BASE_URL", "http://soulmark.school.example")
    (line,) = served("--trusted-proxy", "10.0.0.1")[0]
    assert "the base URL http://soulmark.school.example is not https" in line


def test_warns_when_anyone_on_a_public_address_can_open_worlds(served):
    (line,) = served("--host", "0.0.0.0")[0]
    assert "anyone who reaches 0.0.0.0 can open a world" in line and "--invite-code" in line
    assert served("--host", "0.0.0.0", "--invite-code", "c0de")[0] == []


def test_warns_when_metrics_are_on_without_a_token(served, monkeypatch):
    monkeypatch.setenv("SOULMARK_METRICS", "true")
    (line,) = served()[0]
    assert "SOULMARK_METRICS is on without SOULMARK_METRICS_TOKEN" in line


def test_warns_that_each_worker_process_is_scraped_alone(served, monkeypatch):
    monkeypatch.setenv("SOULMARK_SECRET", SECRET)
    monkeypatch.setenv("SOULMARK_METRICS", "1")
    monkeypatch.setenv("SOULMARK_METRICS_TOKEN", "t0ken")
    (line,) = served("--workers", "3")[0]
    assert "--workers 3 with metrics on: each scrape reads one process of 3" in line


def test_metrics_settings_reach_the_app(served, monkeypatch):
    monkeypatch.setenv("SOULMARK_METRICS", "1")
    monkeypatch.setenv("SOULMARK_METRICS_TOKEN", "t0ken")
    monkeypatch.setenv("SOULMARK_WORKER_STALE_S", "12")
    settings = served()[1]["settings"]
    assert settings.metrics and settings.metrics_token == "t0ken"
    assert settings.worker_stale_s == 12


@pytest.mark.parametrize("how", ["option", "setting"])
def test_log_json_gives_uvicorn_a_json_log_and_no_access_log_of_its_own(
    served, monkeypatch, capsys, how
):
    if how == "setting":
        monkeypatch.setenv("SOULMARK_LOG_JSON", "yes")
    options = served(*(["--log-json"] if how == "option" else []))[1]["options"]
    assert options["access_log"] is False
    config = options["log_config"]
    assert config["formatters"]["main"]["()"] == "soulmark.observe.logs.JsonFormatter"
    kept = [(n, logging.getLogger(n).handlers[:]) for n in ("soulmark", "uvicorn")]
    try:
        logging.config.dictConfig(config)
        logging.getLogger("soulmark.web").warning("hello")
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    finally:
        for name, handlers in kept:
            logging.getLogger(name).handlers[:] = handlers
            logging.getLogger(name).propagate = True
    assert line["logger"] == "soulmark.web" and line["message"] == "hello"
    assert line["level"] == "warning" and line["request_id"] is None


def test_the_worker_takes_log_json_and_logs_no_address(cli, db_url):
    from soulmark import services
    from soulmark.notices import send_confirmation
    from soulmark.store import open_store

    store = open_store(db_url)
    try:
        made = services.create_world(
            store,
            name="Night School",
            window_start=2_000_000_000 * 10**6,
            window_end=2_000_100_000 * 10**6,
            at=1_900_000_000 * 10**6,
        )
        link = "https://soulmark.test/confirm/#c_" + "q" * 30
        send_confirmation(store, to="kat.b@school.example", world=made.world, link=link)
    finally:
        store.close()
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    root.handlers[:] = []  # as in a worker process: nothing set up before
    try:
        r = cli("worker", "--once", "--json", "--log-json")
    finally:
        root.handlers[:], root.level = kept
    assert r.code == 0, r.err
    assert json.loads(r.out)["sent"] == 1
    lines = [json.loads(line) for line in r.err.strip().splitlines()]
    outbox = next(line for line in lines if line["logger"] == "soulmark.notices.outbox")
    assert outbox["message"].startswith("to <address>:")
    assert "kat.b" not in r.err and "q" * 30 not in r.err
