"""Generated subscriptions against the devices API (issue 19 item 2): never a 5xx, a device
only from a well-formed subscription to a public https push service, and nothing half-written."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soulmark import services
from soulmark.core.times import SECOND
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store
from soulmark.web import Settings, create_app
from tests.push_service import Browser


def _b64(n: int) -> st.SearchStrategy[str]:
    return st.binary(min_size=n, max_size=n).map(
        lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    )


ENDPOINTS = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda host, path: f"https://{host}/{path}", st.text(max_size=20), st.text(max_size=20)
    ),
    st.sampled_from(
        [
            "https://push.example.net/a",
            "http://push.example.net/a",
            "https://10.0.0.1/a",
            "ftp://x/y",
        ]
    ),
)
KEYS = st.one_of(_b64(65), _b64(16), st.text(max_size=90))
BODIES = st.fixed_dictionaries(
    {"endpoint": ENDPOINTS, "keys": st.fixed_dictionaries({"p256dh": KEYS, "auth": KEYS})},
    optional={
        "lang": st.text(max_size=20),
        "expirationTime": st.none() | st.floats(allow_nan=False, allow_infinity=False),
    },
)


def test_fuzzed_subscriptions_never_fail_the_server_nor_write_a_bad_device(
    store: Store, tmp_path: Path
) -> None:
    made = services.create_world(
        store, name="Fuzz", window_start=100 * SECOND, window_end=400 * SECOND, at=0
    )
    token = services.join(store, world=made.world, name="Ada Quill", email="a@f.test", at=1).token
    app = create_app(
        Settings(
            store=store,
            clock=lambda: 2,
            secret=os.urandom(32),
            notices=NoticeSettings(push_key=str(tmp_path / "k.pem")),
        )
    )
    auth = {"Authorization": f"Bearer {token}"}
    valid = Browser("https://push.example.net/ok").subscription()

    with TestClient(app) as client:

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(body=BODIES)
        def call(body: dict) -> None:
            got = client.post("/api/wrist/devices", json=body, headers=auth)
            assert got.status_code in (201, 409, 422), got.text
            if got.status_code != 201:
                assert "error" in got.json()
                return
            keys = body["keys"]
            assert body["endpoint"].strip().startswith("https://")
            assert len(base64.urlsafe_b64decode(keys["auth"] + "==")) == 16
            client.delete(f"/api/wrist/devices/{got.json()['id']}", headers=auth)

        call()
        assert client.post("/api/wrist/devices", json=valid, headers=auth).status_code == 201
        listed = client.get("/api/wrist/devices", headers=auth).json()["devices"]
        assert [d["service"] for d in listed] == ["push.example.net"]
