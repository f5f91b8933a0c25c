"""Issue 21: every JSON answer, GET and POST, speaks the reader's language: its ``error`` too.

The reader's language is passed to what answers (soulmark.web.deps SpeechDep, the error
handlers' speech of the request), never kept in a hidden global."""

from __future__ import annotations

import re

JA = {"Accept-Language": "ja", "Authorization": "Bearer no-such-bearer-token"}
EN = {**JA, "Accept-Language": "en"}
KANA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _api_calls(web) -> list[tuple[str, str]]:
    """Every JSON route the app documents, its path parameters filled with nonsense."""
    calls = []
    for template, operations in web.client.get("/openapi.json").json()["paths"].items():
        if template.startswith("/api/"):
            path = re.sub(r"\{[^}]+\}", "nope", template)
            calls += [(method.upper(), path) for method in sorted(operations)]
    return calls


def test_i21_every_json_error_get_and_post_speaks_the_readers_language(web):
    calls = _api_calls(web)
    assert {m for m, _ in calls} >= {"GET", "POST"} and len(calls) > 20
    english = []
    for method, path in calls:
        ja = web.client.request(method, path, headers=JA, json={})
        if ja.status_code < 400 or "json" not in ja.headers.get("content-type", ""):
            continue
        en = web.client.request(method, path, headers=EN, json={})
        said, meant = ja.json()["error"], en.json()["error"]
        if not KANA.search(said) or said == meant:
            english.append(f"{method} {path} {ja.status_code}: {said}")
    assert english == [], "\n".join(english)
