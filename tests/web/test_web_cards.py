"""Issue 18 item 8, link previews: a world or share link pasted into a chat shows a card (Open
Graph and Twitter tags with a generated image) and the card never holds a partner's name, a
state that depends on one, or a token."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from PIL import Image

from soulmark.core.times import SECOND

NAMES = ["Ximena Quetzalli Arroyo", "Bakugou Katsuki"]
CRAWLER = {"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"}
TAGS = ("og:title", "og:description", "og:image", "og:url")


def _meta(html: str) -> dict[str, str]:
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html)
    return dict(found)


def _card(crawler: TestClient, path: str) -> tuple[dict[str, str], bytes]:
    page = crawler.get(path, headers=CRAWLER)
    assert page.status_code == 200, (path, page.status_code)
    meta = _meta(page.text)
    for tag in TAGS:
        assert meta.get(tag), (path, tag)
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"].startswith("http://soulmark.test/")
    assert meta["og:url"].startswith("http://soulmark.test/")
    return meta, page.content


def _png(crawler: TestClient, url: str) -> bytes:
    got = crawler.get(url.removeprefix("http://soulmark.test"), headers=CRAWLER)
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(got.content)).size == (1200, 630)
    return got.content


def test_i18_8_a_crawler_without_cookies_gets_the_cards_and_no_name_or_token(web, clock):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    made = web.api("POST", "/api/wrist/shares", a.token).json()
    # The worst case for a leak: the bearer has looked and shows the name on the share.
    clock.now = a.legible_at + SECOND
    web.api("POST", "/api/wrist/look", a.token)
    web.api("PUT", f"/api/wrist/shares/{made['id']}/show", a.token, json={"show": True})
    secrets = [a.name, b.name, a.token, b.token, made["token"], a.pid, b.pid]
    crawler = TestClient(web.app, base_url="http://soulmark.test")  # no cookies at all

    meta, page = _card(crawler, f"/w/{world.slug}")
    assert meta["og:title"] == "Test Academy" and meta["og:url"].endswith(f"/w/{world.slug}")
    image = _png(crawler, meta["og:image"])
    # A chat crawler drops what follows "#": the share link it fetches is the page before it.
    link = made["url"].removeprefix("http://soulmark.test")
    assert "#" in link
    share_meta, share_page = _card(crawler, link.split("#", 1)[0])
    share_image = _png(crawler, share_meta["og:image"])
    for blob in (page, image, share_page, share_image):
        for secret in secrets:
            assert secret.encode() not in blob
    assert not crawler.cookies.get("sm_session")


def test_i18_8_the_share_page_card_does_not_follow_the_wrist(web, clock):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    made = web.api("POST", "/api/wrist/shares", a.token).json()
    cards = []
    for at in (a.itch_start - 1, a.ink_start + 1, a.legible_at + SECOND):
        clock.now = at
        cards.append(_meta(web.client.get(f"/share/{made['token']}").text))
    web.api("POST", "/api/wrist/look", a.token)
    web.api("PUT", f"/api/wrist/shares/{made['id']}/show", a.token, json={"show": True})
    shown = web.client.get(f"/share/{made['token']}")
    assert b.name in shown.text  # the friend sees the name on the page itself...
    cards.append(_meta(shown.text))
    # ...but the card says the same in every state, and never the name or the token.
    assert all(c == cards[0] for c in cards) and cards[0]["og:title"]
    for value in cards[0].values():
        assert b.name not in value and made["token"] not in value


def test_i18_8_every_page_has_a_description(web):
    for path in ("/", "/audit", "/new"):
        assert _meta(web.client.get(path).text).get("description")
