"""Every page on a phone-width screen, with nothing fetched from anywhere but this server:
the home page, a world page, the API description, the organizer's dashboard, a wrist, a
friend's view, an error; the unmatched wrist is bare and said kindly (R9); and anyone can
download a transcript from the world page and audit it in the browser (B1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from soulmark import services
from soulmark.services.shares import create_share

from .conftest import PHONE, Live, fits_phone, shot, wait_state

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAMES = ("Tenya Iida", "Bakugou Katsuki", "Ochaco Uraraka")
PAPER = "rgb(255, 250, 246)"
"""The stylesheet's page colour: seeing it computed proves the shipped CSS applied."""


def styled(page: Any) -> bool:
    return bool(
        page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == PAPER
    )


def test_b1_r9_every_page_fits_a_phone_and_stays_on_localhost(
    live: Live, open_page: Any, tmp_path: Path
) -> None:
    made = live.create_world(name="Phone Academy")
    joined = [live.join(made.world, n, f"p{i}@ua.test") for i, n in enumerate(NAMES)]
    live.seal(made.world)
    moments = live.moments(made.world)
    alone = next(j for j in joined if moments[j.person].partner is None)
    paired = next(j for j in joined if moments[j.person].partner is not None)
    _, share_token = create_share(live.store, token=paired.token, at=live.clock.now)

    page = open_page(PHONE)
    pages = [
        ("/", "#home", "40-home"),
        (f"/w/{made.world}", "#world", None),
        ("/docs", None, "41-docs"),
        ("/audit", "#audit", None),
        (f"/organizer/{made.organizer_token}", "#organizer", None),
        (f"/wrist/{paired.token}", "#wrist", None),
        (f"/share/{share_token}", "#shared", None),
        (f"/wrist/{alone.token}", "#wrist", "42-unmatched-bare"),
    ]
    for path, root, name in pages:
        answer = page.goto(live.url(path))
        assert answer is not None and answer.status == 200, path
        if root:
            page.wait_for_selector(root)
        assert styled(page), f"{path}: the shipped stylesheet did not apply"
        assert fits_phone(page), f"{path}: wider than a phone"
        html = page.content()
        if "/wrist/" not in path:
            for n in NAMES:
                assert n not in html, f"{path} shows {n!r}"
        if name:
            shot(page, name)
    fetched = {urlsplit(u).path for u in page.traffic.requests}
    assert {"/static/soulmark.css", "/static/soulmark.js"} <= fetched

    # R9: the one fate left out sees a bare wrist and why, kindly, in the next round.
    page.goto(live.url(f"/wrist/{alone.token}"))
    wait_state(page, "bare")
    message = page.locator("#message").inner_text()
    assert (
        message.startswith("Nothing on your wrist yet.") and "fate had no match for you" in message
    )

    # An unknown link: a page that says so, in the same clothes.
    answer = page.goto(live.url("/wrist/w_" + "x" * 40))
    assert answer is not None and answer.status == 404
    assert styled(page) and fits_phone(page)

    # B1: anyone downloads round 1's transcript from the world page and audits it here.
    page.goto(live.url(f"/w/{made.world}"))
    with page.expect_download() as got:
        page.locator('#rounds tr[data-round="1"] a').click()
    text = Path(got.value.path()).read_text()
    assert json.loads(text)["world"]["slug"] == made.world
    for n in NAMES:
        assert n not in text  # opaque ids only
    published = services.world_info(live.store, slug=made.world).rounds[0]["commitment"]
    page.goto(live.url("/audit"))
    page.locator("#transcript").fill(text)
    page.locator("#commitment").fill(published)
    page.click("#audit-button")
    page.wait_for_selector("#result")
    assert page.locator("#result").get_attribute("data-verified") == "true"
    checked = page.locator("#checked-no-beacon").inner_text()  # no public beacon: it says so
    assert checked.startswith(f"Checked: draw 1 of {made.world}")
    shot(page, "43-audit-verified")

    # A changed schedule does not verify; this time the file is uploaded.
    doc = json.loads(text)
    line = next(x for x in doc["lines"] if x[1] is not None)
    line[4] = line[3]  # legible at the moment the ink starts: not what fate scheduled
    forged = tmp_path / "forged-transcript.json"
    forged.write_text(json.dumps(doc))
    page.goto(live.url("/audit"))
    page.set_input_files("#file", str(forged))
    page.click("#audit-button")
    page.wait_for_selector("#result")
    assert page.locator("#result").get_attribute("data-verified") == "false"
    assert page.locator("#mismatches li").count() >= 1
    assert fits_phone(page)
    shot(page, "44-audit-mismatch")
