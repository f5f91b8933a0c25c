"""Mail that inboxes accept (issue 17 item 6): a text and an HTML part saying the same words,
Reply-To, a Message-ID on the public host, one-click unsubscribe headers, DKIM.

Every message is read as the real local SMTP server (aiosmtpd) received it."""

from __future__ import annotations

import base64
import re
import subprocess
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import dkim
import pytest
from notices_support import SmtpServer, World, make_world
from sqlalchemy import update

from soulmark.core.errors import InvalidInput
from soulmark.core.times import SECOND
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings
from soulmark.notices.dkim import open_signer
from soulmark.services import create_world
from soulmark.services.invites import Invitee, invite
from soulmark.settings import read_config
from soulmark.store import Store
from soulmark.store.models import WorldRow

BASE = "https://soulmark.test"


def settings_for(server: SmtpServer, **kw: object) -> NoticeSettings:
    return NoticeSettings(smtp_url=server.url, base_url=BASE, **kw)  # type: ignore[arg-type]


def _words(text: str) -> list[str]:
    return text.split()


def _html_words(html: str) -> list[str]:
    body = html.split("<body", 1)[1].split(">", 1)[1]
    return unescape(re.sub(r"<[^>]+>", "", body)).split()


def _parts(msg: EmailMessage) -> tuple[str, str]:
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_every_mail_is_multipart_alternative_with_the_same_words_in_text_and_html(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    deliver_due(store, settings_for(smtp_server), now_us=world.end + SECOND)
    messages = smtp_server.recorder.parsed()
    assert messages
    for msg in messages:
        assert msg.get_content_type() == "multipart/alternative"
        text, html = _parts(msg)
        assert _words(text) == _html_words(html)
        assert f'<a href="{BASE}/w/yuei">{BASE}/w/yuei</a>' in html


def test_japanese_notices_say_the_same_japanese_words_in_both_parts(
    store: Store, smtp_server: SmtpServer
) -> None:
    world = make_world(store)
    from soulmark.store.models import PersonRow

    with store.transaction() as s:
        s.execute(update(PersonRow).values(lang="ja"))
    deliver_due(store, settings_for(smtp_server), now_us=world.end + SECOND)
    for msg in smtp_server.recorder.parsed():
        text, html = _parts(msg)
        assert not text.isascii() and _words(text) == _html_words(html)
        assert '<html lang="ja">' in html


def test_html_part_escapes_world_name(store: Store, smtp_server: SmtpServer) -> None:
    name = '<b>Free</b> & "iPhone" <script>alert(1)</script> https://evil.example/x'
    world = make_world(store)
    with store.transaction() as s:
        s.execute(update(WorldRow).values(name=name))
    deliver_due(store, settings_for(smtp_server), now_us=world.end + SECOND)
    for msg in smtp_server.recorder.parsed():
        text, html = _parts(msg)
        assert name in text
        assert "<script" not in html and "<b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&amp;" in html
        # A link in the organizer's words stays words; soulmark's own stays a link.
        assert 'href="https://evil.example' not in html and f'href="{BASE}/w/yuei"' in html
        assert _words(text) == _html_words(html)


def test_html_part_never_links_a_world_name_that_looks_like_our_own_site(
    store: Store, smtp_server: SmtpServer
) -> None:
    world = make_world(store)
    with store.transaction() as s:
        s.execute(update(WorldRow).values(name=f"{BASE}/elsewhere"))
    deliver_due(store, settings_for(smtp_server), now_us=world.end + SECOND)
    for msg in smtp_server.recorder.parsed():
        _, html = _parts(msg)
        assert f'href="{BASE}/elsewhere' not in html and f'href="{BASE}/w/yuei"' in html


def test_reply_to_comes_from_the_setting_and_message_id_is_on_the_public_host(
    store: Store, world: World, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOULMARK_MAIL_REPLY_TO", "Class office <office@school.example>")
    monkeypatch.setenv("SOULMARK_MAIL_FROM", "soulmark <notices@mail.school.example>")
    monkeypatch.setenv("SOULMARK_BASE_URL", "https://marks.school.example/")
    settings = read_config().notices(smtp_url=smtp_server.url)
    deliver_due(store, settings, now_us=world.end + SECOND)
    for msg in smtp_server.recorder.parsed():
        assert str(msg["Reply-To"]) == "Class office <office@school.example>"
        assert re.fullmatch(r"<notice-\d+@marks\.school\.example>", str(msg["Message-ID"]))


def test_no_reply_to_header_without_the_setting(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    deliver_due(store, settings_for(smtp_server), now_us=world.end + SECOND)
    assert all(msg["Reply-To"] is None for msg in smtp_server.recorder.parsed())


def test_notices_and_invitations_carry_one_click_unsubscribe_without_any_key_to_a_wrist(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    end = world.end + 3600 * SECOND
    create_world(store, name="Invites", slug="inv", window_start=world.end, window_end=end, at=0)
    invite(store, world="inv", invitees=[Invitee("new@inv.example")], at=0, base_url=BASE)
    deliver_due(store, settings_for(smtp_server), now_us=world.end + SECOND)
    seen = set()
    for _, rcpts, raw in smtp_server.recorder.messages:
        msg = next(m for m in smtp_server.recorder.parsed() if str(m["To"]) == rcpts[0])
        links = re.findall(rb"List-Unsubscribe: <([^>]+)>", raw)
        assert len(links) == 1, raw[:400]
        assert links[0].startswith(f"{BASE}/unsubscribe/u_".encode())
        assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
        tokens = [p["token"] for p in world.people.values()]
        assert not any(t.encode() in links[0] for t in tokens)
        # A token of another kind where a token starts (not inside the u_ key's own random
        # characters, which may spell "k_" by chance: a flake CI met once).
        assert not re.search(rb"(?<![A-Za-z0-9_-])[wk]_[A-Za-z0-9_-]{16,}", links[0])
        seen.add(links[0])
        assert msg["List-Unsubscribe"] is not None
    assert len(seen) == len(smtp_server.recorder.messages)  # a key of its own each


def test_a_confirmation_carries_no_unsubscribe(store: Store, smtp_server: SmtpServer) -> None:
    from soulmark.notices import send_confirmation

    make_world(store)
    send_confirmation(store, to="a@yuei.example", world="yuei", link=f"{BASE}/confirm/#c_x")
    deliver_due(store, settings_for(smtp_server), now_us=0)
    [msg] = smtp_server.recorder.parsed()
    assert msg["List-Unsubscribe"] is None and msg.get_content_type() == "multipart/alternative"


def _dkim_key(folder: Path) -> tuple[Path, bytes]:
    key = folder / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    der = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    return key, b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


def test_dkim_signature_verifies(
    store: Store, world: World, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    key, record = _dkim_key(tmp_path)
    settings = settings_for(
        smtp_server,
        dkim_key_file=str(key),
        dkim_selector="sm2026",
        reply_to="office@yuei.example",
    )
    with store.transaction() as s:  # a long non-ASCII subject: folded encoded words
        s.execute(update(WorldRow).values(name="雄英高校ヒーロー科一年A組の運命の夜" * 2))
    asked: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        asked.append(name)
        return record if name == b"sm2026._domainkey.soulmark.localhost." else b""

    deliver_due(store, settings, now_us=world.end + SECOND)
    assert smtp_server.recorder.messages
    for _, _, raw in smtp_server.recorder.messages:
        assert raw.startswith(b"DKIM-Signature:") and b"?=\r\n =?utf-8?" in raw
        assert dkim.verify(raw, dnsfunc=dns), raw[:600]
        signed = re.search(rb"\bh=([^;]+);", raw.replace(b"\r\n ", b"")).group(1)  # type: ignore[union-attr]
        for header in (b"list-unsubscribe", b"list-unsubscribe-post", b"reply-to", b"subject"):
            assert header in signed.replace(b" ", b"").split(b":")
        # A message changed in transit no longer verifies.
        assert not dkim.verify(raw.replace(b"soulmark", b"soulmarx", 1), dnsfunc=dns)
    assert set(asked) == {b"sm2026._domainkey.soulmark.localhost."}


def test_a_dkim_key_that_cannot_be_read_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    missing = NoticeSettings(dkim_key_file=str(tmp_path / "none.pem"), dkim_selector="s")
    with pytest.raises(InvalidInput, match="SOULMARK_DKIM_KEY_FILE: cannot read"):
        open_signer(missing)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key\n")
    with pytest.raises(InvalidInput, match="is not a usable key"):
        open_signer(NoticeSettings(dkim_key_file=str(junk), dkim_selector="s"))


def test_dkim_key_and_selector_go_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOULMARK_DKIM_SELECTOR", "s1")
    with pytest.raises(InvalidInput, match="SOULMARK_DKIM_KEY_FILE and SOULMARK_DKIM_SELECTOR"):
        read_config()


def test_a_site_on_a_bare_address_takes_its_message_ids_from_the_from_domain(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    settings = NoticeSettings(
        smtp_url=smtp_server.url,
        base_url="http://127.0.0.1:8000",
        from_addr="soulmark <notices@school.example>",
    )
    deliver_due(store, settings, now_us=world.end + SECOND)
    for msg in smtp_server.recorder.parsed():
        assert re.fullmatch(r"<notice-\d+@school\.example>", str(msg["Message-ID"]))
        _, html = _parts(msg)
        assert '<a href="http://127.0.0.1:8000/w/yuei">' in html


def test_a_reply_to_that_is_no_address_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOULMARK_MAIL_REPLY_TO", "office")
    with pytest.raises(InvalidInput, match="SOULMARK_MAIL_REPLY_TO: not a mail address"):
        read_config()
