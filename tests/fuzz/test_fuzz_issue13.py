"""Hypothesis on the inputs issue 13 added: forwarded headers, relay answers, audit bodies."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.beacon import BeaconSpec
from soulmark.core.errors import SoulmarkError
from soulmark.services.audit import audit_report
from soulmark.services.relays import _one
from soulmark.web.limits import client_key, parse_proxies

PROXIES = parse_proxies(["127.0.0.1", "10.0.0.0/8", "fd00::/8"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    peer=st.sampled_from(["127.0.0.1", "10.1.2.3", "198.51.100.7", "fd00::1", "?", ""]),
    forwarded=st.lists(st.binary(max_size=60), max_size=3),
)
def test_any_forwarded_header_gives_one_client_key(peer: str, forwarded: list[bytes]) -> None:
    scope = {"client": (peer, 1), "headers": [(b"x-forwarded-for", f) for f in forwarded]}
    key = client_key(scope, PROXIES)
    assert isinstance(key, str) and 0 < len(key) <= 64
    if peer == "198.51.100.7":  # not a proxy: its own address, whatever the header says
        assert key == peer


@settings(max_examples=200, deadline=None)
@given(body=json_values | st.binary(max_size=200).map(lambda b: b.hex()))
def test_any_relay_answer_is_verified_or_skipped(body: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(body).encode())

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        assert _one(client, "http://relay.invalid", BeaconSpec("quicknet", 123)) is None


@settings(max_examples=200, deadline=None)
@given(doc=json_values, commitment=st.none() | st.text(max_size=70))
def test_any_audit_body_is_a_report_or_one_clear_error(doc: Any, commitment: str | None) -> None:
    try:
        report = audit_report(json.dumps(doc), commitment=commitment)
    except SoulmarkError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert report.commitment_checked is (commitment is not None)
