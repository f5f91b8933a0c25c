"""The bytes that go over SMTP: headers, and a text part with an HTML twin of the same words.

The HTML part is made from the text part, not written beside it: every character of the text
is escaped (the world's name is the organizer's words, and no tag of theirs may reach a mail
client), paragraphs become ``<p>``, and the links soulmark itself wrote become anchors.  So
both parts say the same words in every language the catalogs have, by construction.

Written by hand rather than with :class:`email.message.EmailMessage`, which costs about 2 ms
a message: the parts are the same for every notice of one kind in one world (cached), and
only a few short headers change from one message to the next.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import ipaddress
import re
from dataclasses import dataclass
from email.header import Header
from functools import lru_cache
from html import escape
from urllib.parse import urlsplit

from soulmark.core.times import SECOND, from_us
from soulmark.notices.compose import Outgoing

__all__ = ["Letterhead", "html_of", "public_domain", "sender_domain", "to_bytes"]

ONE_CLICK = "List-Unsubscribe=One-Click"
"""The body RFC 8058 has a mail provider POST, and the header that tells it to."""
_LINK = re.compile(r"https?://[!#-;=?-~]+")
"""A link as soulmark writes one: printable ASCII up to a space, a quote or a bracket."""
_TRAILING = ".,;:!?)'"
_LONGEST_LINE = 998
"""RFC 5322's limit on a line; a longer one is sent in base64."""


@dataclass(frozen=True)
class Letterhead:
    """What every message of one sender shares: From, Reply-To and its Message-ID domain."""

    from_addr: str
    domain: str
    """The right of each Message-ID: the public site's host, never this machine's name."""
    reply_to: str | None = None
    site: str = ""
    """The host of the links soulmark writes: only those become anchors in the HTML part."""

    @property
    def fixed(self) -> str:
        head = f"From: {_address_header(self.from_addr)}\r\n"
        if self.reply_to:
            head += f"Reply-To: {_address_header(self.reply_to)}\r\n"
        return head


def public_domain(base_url: str, from_addr: str = "") -> str:
    """The host of the public site (``SOULMARK_BASE_URL``); for a site on a bare address or
    localhost (nothing public), the From address's domain."""
    host = (urlsplit(base_url).hostname or "").rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host and host != "localhost":
            return host
    return sender_domain(from_addr)


def sender_domain(from_addr: str) -> str:
    address = email.utils.parseaddr(from_addr)[1]
    return address.rpartition("@")[2] or "soulmark.localhost"


def _names(text: str, world: str) -> list[tuple[int, int]]:
    """Where the world's name stands in ``text``: the organizer's words, never made a link."""
    spans, at = [], text.find(world) if world else -1
    while at >= 0:
        spans.append((at, at + len(world)))
        at = text.find(world, at + 1)
    return spans


def _ours(url: str, start: int, host: str, names: list[tuple[int, int]]) -> bool:
    """A link soulmark wrote: on the public site, and not inside the world's name."""
    end = start + len(url)
    inside = any(a <= start and end <= b for a, b in names)
    return not inside and (urlsplit(url).hostname or "") == host


@lru_cache(maxsize=256)
def html_of(text: str, world: str, host: str, lang: str | None = None) -> str:
    """The HTML part of ``text``: the same words, all escaped, soulmark's own links anchors."""
    names, out, end = _names(text, world), [], 0
    for found in _LINK.finditer(text):
        url = found.group(0).rstrip(_TRAILING)
        if _ours(url, found.start(), host, names):
            link = escape(url)
            out += [escape(text[end : found.start()]), f'<a href="{link}">{link}</a>']
            end = found.start() + len(url)
    marked = "".join([*out, escape(text[end:])])
    paragraphs = [p.strip("\n").replace("\n", "<br>\n") for p in marked.split("\n\n")]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs if p)
    lang_attr = f' lang="{escape(lang)}"' if lang else ""
    return (
        f'<!DOCTYPE html>\n<html{lang_attr}><head><meta charset="utf-8"></head>\n'
        f'<body style="font-family:sans-serif;line-height:1.5">\n{body}\n</body></html>\n'
    )


def _header(value: str) -> str:
    # Non-ASCII world names (any script is welcome) become RFC 2047 encoded words.
    return value if value.isascii() else Header(value, "utf-8").encode(linesep="\r\n")


def _part(kind: str, text: str) -> bytes:
    lines = text.replace("\r\n", "\n").split("\n")
    raw = "\r\n".join(lines)
    if raw.isascii() and max(map(len, lines)) <= _LONGEST_LINE:
        cte, payload = "7bit", raw.encode("ascii")
    else:
        cte = "base64"
        payload = base64.encodebytes(raw.encode("utf-8")).replace(b"\n", b"\r\n").rstrip()
    head = f'Content-Type: text/{kind}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}\r\n'
    return head.encode("ascii") + b"\r\n" + payload + b"\r\n"


@lru_cache(maxsize=256)
def _content(tail: tuple[str, str, str, str | None], host: str) -> bytes:
    """The shared tail of a message: every notice of one kind in one world has the same one."""
    subject, body, world, lang = tail
    text, html = _part("plain", body), _part("html", html_of(body, world, host, lang))
    # Derived from the parts: a boundary that appeared inside them would be its own hash.
    boundary = "=_sm_" + hashlib.sha256(text + html).hexdigest()[:32]
    mark = f"--{boundary}\r\n".encode("ascii")
    head = (
        f"Subject: {_header(subject)}\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
    )
    return b"".join(
        (head.encode("ascii"), mark, text, mark, html, f"--{boundary}--\r\n".encode("ascii"))
    )


@lru_cache(maxsize=16)
def _address_header(value: str) -> str:
    name, address = email.utils.parseaddr(value)
    return email.utils.formataddr((name, address), charset="utf-8") if address else value


@lru_cache(maxsize=4)
def _date(seconds: int) -> str:
    return email.utils.format_datetime(from_us(seconds * SECOND))


def to_bytes(out: Outgoing, head: Letterhead, *, now_us: int) -> bytes:
    """RFC 5322 bytes.  The Message-ID is fixed per notice so a receiver can drop a repeat."""
    lines = (
        f"{head.fixed}To: {out.to}\r\nDate: {_date(now_us // SECOND)}\r\n"
        f"Message-ID: <notice-{out.notice_id}@{head.domain}>\r\n"
    )
    if out.unsubscribe:
        lines += f"List-Unsubscribe: <{out.unsubscribe}>\r\nList-Unsubscribe-Post: {ONE_CLICK}\r\n"
    # A non-ASCII address is sent as raw UTF-8 under SMTPUTF8 (RFC 6532).
    return lines.encode("utf-8") + _content(out.tail, head.site)
