"""Public pages, the audit page, errors, CSRF, headers, /docs and the dev outbox."""

from __future__ import annotations

import json

from soulmark import services
from soulmark.web import Settings, create_app


def test_world_page_shows_window_commitment_rounds_and_join_form(web):
    world = web.world(["A", "B"])
    page = web.client.get(f"/w/{world.slug}")
    assert page.status_code == 200
    info = web.api("GET", f"/api/worlds/{world.slug}").json()
    for needle in (info["commitment"], info["window_start"], 'id="join-form"', 'id="rounds"'):
        assert needle in page.text
    assert "how your name will be written on your soulmate" in page.text
    assert web.client.get("/w/nope").status_code == 404
    assert web.api("GET", "/api/worlds/nope").json() == {
        "error": "no world called 'nope'",
        "code": "world-unknown",
    }


def test_join_form_previews_the_name_as_written(web):
    world = web.world([], seal=False)
    done = web.form(f"/w/{world.slug}/join", {"name": "Tenya Iida", "email": "t@x.test"})
    # The join ends on the wrist itself (issue 19 item 3), its private link shown there.
    assert done.status_code == 200 and done.history[0].status_code == 303
    assert 'id="wrist"' in done.text and 'id="wrist-link"' in done.text
    assert "Tenya Iida" in web.client.get(f"{done.url.path}/name").text
    link = done.text.split('id="wrist-link" class="big-link" href="')[1].split('"')[0]
    assert link.startswith("http://soulmark.test/wrist/#w_")
    preview = web.api("POST", "/api/preview", json={"name": "  Zoe\u0308  "}).json()
    assert preview["name"] == "Zo\u00eb"
    bad = web.form(f"/w/{world.slug}/join", {"name": "a\u202eb", "email": "u@x.test"})
    assert bad.status_code == 422 and "invisible control character" in bad.text


def test_forms_without_the_csrf_token_are_refused(web):
    world = web.world([], seal=False)
    web.client.get("/")
    for data in ({}, {"csrf": "forged"}):
        r = web.client.post(
            f"/w/{world.slug}/join", data={"name": "A", "email": "a@x.test", **data}
        )
        assert r.status_code == 403
    token = web.csrf()
    web.client.cookies.set("sm_csrf", "x" * 40)  # another browser's nonce: the MAC no longer fits
    cross = web.client.post(
        f"/w/{world.slug}/join", data={"name": "A", "email": "a@x.test", "csrf": token}
    )
    assert cross.status_code == 403
    assert services.world_info(web.store, slug=world.slug).rounds[0]["people"] == 0


def test_audit_page_verifies_and_names_each_mismatch(web):
    world = web.world(["A", "B", "C"])
    text = web.client.get(f"/w/{world.slug}/transcript").text
    published = services.world_info(web.store, slug=world.slug).rounds[0]["commitment"]
    ok = web.form("/audit", {"transcript": text, "commitment": published})
    assert 'data-verified="true"' in ok.text and 'id="checked-no-beacon"' in ok.text
    upload = web.client.post(
        "/audit",
        data={"csrf": web.csrf()},
        files={"file": ("t.json", text.encode(), "application/json")},
    )
    assert 'data-verified="true"' in upload.text
    doc = json.loads(text)
    doc["lines"][0][2] = doc["lines"][1][2] if doc["lines"][0][2] != doc["lines"][1][2] else None
    doc["roster"] = list(reversed(doc["roster"]))
    tampered = web.form("/audit", {"transcript": json.dumps(doc)})
    assert 'data-verified="false"' in tampered.text and "roster" in tampered.text
    api = web.client.post("/api/audit", content=json.dumps(doc)).json()
    assert api["ok"] is False and {m["field"] for m in api["mismatches"]} >= {"roster"}
    assert web.client.post("/api/audit", content=text).json()["ok"] is True
    junk = web.client.post("/api/audit", content=b"not json")
    assert junk.status_code == 400 and junk.json() == {"error": "the transcript is not JSON"}
    assert web.form("/audit", {"transcript": ""}).status_code == 422


def test_api_errors_are_json_with_4xx(web):
    assert web.client.get("/api/nothing").json() == {"error": "Not Found", "code": "not-found"}
    r = web.client.post("/api/worlds/x/join", json={"name": "A"})
    assert r.status_code == 422 and "email" in r.json()["error"]
    r = web.client.post(
        "/api/worlds/x/join", content="name=A", headers={"content-type": "text/plain"}
    )
    assert 400 <= r.status_code < 500 and "error" in r.json()
    assert web.client.get("/api/wrist").status_code == 401


def test_security_headers_and_no_external_assets(web):
    world = web.world(["A", "B"])
    for path in ("/", f"/w/{world.slug}", "/audit", "/docs"):
        r = web.client.get(path)
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
        assert "http://" not in r.text.replace("http://soulmark.test", "")
        assert "https://" not in r.text
        assert 'name="viewport"' in r.text
    for asset in ("/static/soulmark.css", "/static/soulmark.js", "/static/favicon.svg"):
        assert web.client.get(asset).status_code == 200


def test_docs_describe_the_api_from_openapi(web):
    schema = web.client.get("/openapi.json").json()
    for path in ("/api/wrist", "/api/share", "/api/organizer", "/api/audit", "/api/worlds/{slug}"):
        assert path in schema["paths"]
    docs = web.client.get("/docs").text
    assert "/api/wrist/look" in docs and "/openapi.json" in docs


def test_dev_outbox_only_in_development(web, store):
    assert web.client.get("/api/dev/outbox").status_code == 200
    prod = create_app(Settings(store=store))
    from fastapi.testclient import TestClient

    with TestClient(prod) as client:
        assert client.get("/dev/outbox").status_code == 404
        assert client.get("/api/dev/outbox").json()["error"]


def test_access_logs_keep_only_the_kind_of_a_token():
    import logging

    from soulmark.web.app import TokenRedactor

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s"',
        ("127.0.0.1", "GET", "/wrist/w_abcdefghijklmnopqrstuvwx/look?x=1"),
        None,
    )
    TokenRedactor().filter(record)
    assert record.getMessage() == '127.0.0.1 - "GET /wrist/w_…/look?x=1"'


def test_an_unexpected_error_is_a_bare_500_and_logs_no_detail(web, monkeypatch, caplog):
    from soulmark.web.routes import worlds

    def boom(*_a, **_k):
        raise RuntimeError("INSERT people (name) VALUES ('Zedekiah Secretname')")

    monkeypatch.setattr(worlds.services, "world_info", boom)
    monkeypatch.setattr(worlds.services, "world_shown", boom)
    web.client.raise_server_exceptions = False
    r = web.api("GET", "/api/worlds/x")
    assert r.status_code == 500 and "Secretname" not in r.text and "error" in r.json()
    assert web.client.get("/w/x").status_code == 500
    assert "Secretname" not in caplog.text and "RuntimeError" in caplog.text
