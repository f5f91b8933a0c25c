"""Every notice mail carries a one-time sign-in button (issue 19 item 3), read from a real
SMTP server: opening its link only shows the button, pressing it opens that person's wrist on
this device (the private link stays), and a second press offers a fresh mail."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from notices_support import SmtpServer, World

from soulmark.core.times import DAY, SECOND
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings
from soulmark.store import Store
from soulmark.web import Settings, create_app
from soulmark.web.deps import CSRF_COOKIE, form_token

SITE = "https://soulmark.test"
LINK = re.compile(re.escape(SITE) + r"/signin/#(k_[\w-]+)")


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def _mails(store: Store, server: SmtpServer, world: World) -> dict[str, tuple[str, str]]:
    """Each recipient's tingles mail: its text and HTML parts."""
    settings = NoticeSettings(smtp_url=server.url, base_url=SITE)
    deliver_due(store, settings, now_us=world.end + SECOND)
    out = {}
    for msg in server.recorder.parsed():
        if str(msg["Subject"]).startswith("Your wrist tingles"):
            text = msg.get_body(("plain",)).get_content()
            html = msg.get_body(("html",)).get_content()
            out[str(msg["To"])] = (text, html)
    return out


def _client(store: Store, clock: Clock) -> tuple[TestClient, str]:
    settings = Settings(store=store, clock=clock, secret=b"n" * 32, base_url=SITE)
    client = TestClient(create_app(settings), base_url=SITE)
    client.get("/")
    return client, form_token(settings.secret, client.cookies[CSRF_COOKIE])


def test_i19_a_notice_signs_its_reader_in_by_a_button_once(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    mails = _mails(store, smtp_server, world)
    assert set(mails) == set(world.matched)
    reader = world.matched[0]
    text, html = mails[reader]
    assert "open the private wrist link you were given" not in text
    code = LINK.search(text).group(1)  # type: ignore[union-attr]
    assert f'href="{SITE}/signin/#{code}"' in html
    assert len({LINK.search(t).group(1) for t, _ in mails.values()}) == len(mails)  # type: ignore[union-attr]
    clock = Clock(world.end + 2 * SECOND)
    client, csrf = _client(store, clock)
    for _ in range(2):  # a mail scanner's GET, then the reader's: neither spends it
        page = client.get(f"/signin/{code}")
        assert page.status_code == 200 and 'id="signin-button"' in page.text
    signed = client.post("/signin", data={"csrf": csrf, "code": code})
    assert re.fullmatch(r"/wrist/me-[0-9a-f]{16}", signed.url.path)
    assert world.people[reader]["pid"] in signed.text and 'id="device-note"' in signed.text
    # The private link kept from the join still opens the wrist.
    bearer = {"Authorization": f"Bearer {world.people[reader]['token']}"}
    assert client.get("/api/wrist", headers=bearer).status_code == 200
    again = client.post("/signin", data={"csrf": csrf, "code": code})
    assert again.status_code == 404 and 'id="again-form"' in again.text
    sent = client.post("/signin/again", data={"csrf": csrf, "code": code})
    assert sent.status_code == 200 and 'id="again-sent"' in sent.text


def test_i19_a_notice_button_a_day_old_is_refused_kindly(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    text, _ = _mails(store, smtp_server, world)[world.matched[0]]
    code = LINK.search(text).group(1)  # type: ignore[union-attr]
    client, csrf = _client(store, Clock(world.end + SECOND + DAY + SECOND))
    page = client.get(f"/signin/{code}")
    assert page.status_code == 404 and 'id="again-form"' in page.text
    used = client.post("/signin", data={"csrf": csrf, "code": code})
    assert used.status_code == 404 and "/wrist/me-" not in str(used.url)


def test_i19_a_notice_without_a_button_gives_advice_everyone_can_follow() -> None:
    # Without a sign-in button (a bearer holding many live codes), the footer must not send
    # someone who joined by invitation or slip looking for a link they were never shown.
    from soulmark.notices.compose import render

    for lang, ask in (("en", "Lost your link?"), ("ja", "リンクをなくしましたか？")):
        _, body = render("tingles", world_name="Class 1-A", slug="c", base_url=SITE, lang=lang)
        assert ask in body and f"{SITE}/w/c" in body
        assert "when you joined" not in body and "参加したときに" not in body
