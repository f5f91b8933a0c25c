"""Hypothesis on the inputs issue 20 items 4, 5 and 9 added, through the API: link names,
link and report ids, slip counts and codes.  Never a 5xx; a 2xx body is what its response
model says; an error is one line; a wrist key never reaches an organizer's answer."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soulmark import services
from soulmark.store import Store
from soulmark.web import Settings, create_app
from soulmark.web.routes.co_organizers import ActionLogOut, LinkMadeOut, LinksOut
from soulmark.web.routes.reports import ReportRemovedOut, WristReportOut
from soulmark.web.routes.slips import SlipsOut
from soulmark.web.schemas import SignedInOut
from tests.harness.fuzz import T0, Clock, _sealed_world

texts = st.text(max_size=80) | st.sampled_from(["", " ", "main", "Mr Tanaka", "\u202e", "a\nb"])
ids = st.text(max_size=30) | st.sampled_from(["l_", "n_0", "ABCD-EFGH-JKLM", "../x", "%00"])
MODELS: dict[str, Any] = {
    "POST /api/organizer/links": LinkMadeOut,
    "DELETE /api/organizer/links": LinksOut,
    "GET /api/organizer/log": ActionLogOut,
    "POST /api/organizer/reports": ReportRemovedOut,
    "POST /api/organizer/slips": SlipsOut,
    "POST /api/slip": SignedInOut,
    "POST /api/wrist/report": WristReportOut,
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from soulmark.store import open_store

    store: Store = open_store(f"sqlite:///{tmp_path_factory.mktemp('f')}/fuzz.db")
    slug, organizer, wrists = _sealed_world(store, "Fuzz School")
    clock = Clock()
    app = create_app(Settings(store=store, clock=clock, secret=b"f" * 32))
    with TestClient(app) as client:
        yield client, organizer, wrists, slug
    store.close()


def _judge(answer: Any, label: str) -> None:
    assert answer.status_code < 500, (label, answer.text)
    body = answer.json()
    if answer.status_code < 300:
        model = next(m for key, m in MODELS.items() if label.startswith(key))
        model.model_validate(body)
        if label.startswith(("POST /api/organizer", "DELETE", "GET /api/organizer")):
            assert not re.search(r"\bw_[A-Za-z0-9_-]{20,}", answer.text)
    else:
        assert "\n" not in body["error"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=texts, link=ids, report=ids, count=st.integers(-5, 80), code=ids, slip_name=texts)
def test_i20_fuzzed_organizer_inputs_never_5xx_and_answer_their_models(
    seeded: Any, name: str, link: str, report: str, count: int, code: str, slip_name: str
) -> None:
    client, organizer, wrists, _slug = seeded
    auth = {"Authorization": f"Bearer {organizer}"}
    link, report = quote(link, safe="") or "x", quote(report, safe="") or "x"
    calls = [
        ("POST /api/organizer/links", "POST", "/api/organizer/links", {"name": name}, auth),
        ("DELETE /api/organizer/links", "DELETE", f"/api/organizer/links/{link}", None, auth),
        ("GET /api/organizer/log", "GET", "/api/organizer/log", None, auth),
        (
            "POST /api/organizer/reports",
            "POST",
            f"/api/organizer/reports/{report}/remove",
            None,
            auth,
        ),
        ("POST /api/organizer/slips", "POST", "/api/organizer/slips", {"count": count % 3}, auth),
        ("POST /api/slip", "POST", "/api/slip", {"code": code, "name": slip_name}, {}),
        (
            "POST /api/wrist/report",
            "POST",
            "/api/wrist/report",
            None,
            {"Authorization": f"Bearer {wrists[0]}"},
        ),
    ]
    for label, method, path, body, headers in calls:
        answer = client.request(method, path, json=body, headers=headers)
        if answer.status_code == 404 and not answer.headers.get("content-type", "").startswith(
            "application/json"
        ):
            continue  # a path the generated id broke apart: routing's own 404
        _judge(answer, label)


def test_i20_a_real_slip_from_the_api_joins_once(seeded: Any) -> None:
    client, organizer, _wrists, slug = seeded
    auth = {"Authorization": f"Bearer {organizer}"}
    made = client.post("/api/organizer/slips", json={"count": 1}, headers=auth).json()
    code = made["slips"][-1]["code"]
    first = client.post("/api/slip", json={"code": code, "name": "Fuzz Slip"})
    assert first.status_code == 200 and SignedInOut.model_validate(first.json())
    assert client.post("/api/slip", json={"code": code, "name": "Fuzz Slip 2"}).status_code == 404
    assert services.wrist(client.app.state.store, token=first.json()["token"], at=T0).world == slug
