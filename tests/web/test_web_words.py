"""Issue 18 item 6, words for a teenager: ids, fingerprints, chains and hashes sit under one
"for the curious" disclosure per page; nothing is said twice; times are friendly, without
seconds or "UTC"; one term per idea in Japanese."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib.resources import files

import pytest

from soulmark.core.times import SECOND

NAMES = ["Ximena Quetzalli Arroyo", "Bakugou Katsuki"]
_VOID = {"input", "br", "meta", "link", "img", "wbr", "hr", "source"}


class _Shown(HTMLParser):
    """The text a reader sees in <main>: no script, nothing ``hidden``, and, apart, what sits
    inside a closed <details>."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool, bool]] = []
        self.front: list[str] = []
        self.curious: list[str] = []
        self.details = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        names = dict(attrs)
        hidden = "hidden" in names or tag in ("script", "style", "head")
        inside = bool(self.stack) and self.stack[-1][2]
        self.stack.append((tag, hidden or bool(self.stack and self.stack[-1][1]), inside))
        if tag == "details":
            self.details += 1
            self.stack[-1] = (tag, self.stack[-1][1], True)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not data.strip() or (self.stack and self.stack[-1][1]):
            return
        (self.curious if self.stack and self.stack[-1][2] else self.front).append(data.strip())


def _shown(html: str) -> _Shown:
    main = html[html.index("<main") : html.index("</main>") + 7]
    parsed = _Shown()
    parsed.feed(main)
    return parsed


def _sentences(parts: list[str]) -> list[str]:
    text = " ".join(parts)
    return [s.strip() for s in re.split(r"(?<=[.。!?])\s*", text) if len(s.strip()) > 12]


HEX = re.compile(r"\b[0-9a-f]{32,}\b")
MOMENT = re.compile(r"\d{1,2}:\d{2}:\d{2}|\bUTC\b|[+-]\d{4}\b")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_i18_6_the_wrist_front_speaks_plainly_in_every_state(web, clock, lang):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    web.client.get(f"/?lang={lang}")
    for at in (a.itch_start - 1, a.itch_start, a.ink_start + 1, a.legible_at + 1):
        clock.now = at
        page = _shown(web.client.get(f"/wrist/{a.token}").text)
        front = " ".join(page.front)
        assert page.details == 1, "one disclosure for the curious"
        assert not HEX.search(front) and a.pid not in front, front
        assert "transcript" not in front.lower() and "記録" not in front
        assert not MOMENT.search(front), front
        said = _sentences(page.front)
        assert len(said) == len(set(said)), [s for s in said if said.count(s) > 1]
        assert a.pid in " ".join(page.curious)
    clock.now = a.legible_at + SECOND
    web.api("POST", "/api/wrist/look", a.token)
    page = _shown(web.client.get(f"/wrist/{a.token}").text)
    assert b.pid not in " ".join(page.front) and b.pid in " ".join(page.curious)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_i18_6_the_world_page_keeps_its_hashes_for_the_curious(web, clock, lang):
    world = web.world(NAMES)
    web.client.get(f"/?lang={lang}")
    page = _shown(web.client.get(f"/w/{world.slug}").text)
    front = " ".join(page.front)
    assert page.details == 1 and not HEX.search(front) and not MOMENT.search(front), front
    assert HEX.search(" ".join(page.curious)), "the fingerprints and the chain stay complete"


def test_i18_6_one_japanese_term_for_the_private_link_and_the_tingle():
    po = (files("soulmark") / "locale" / "ja" / "LC_MESSAGES" / "soulmark.po").read_text("utf-8")
    live = "\n".join(line for line in po.splitlines() if not line.startswith("#~"))
    assert "専用リンク" in live
    for other in ("個人用リンク", "非公開リンク", "専用の手首リンク", "うずき", "かゆみ"):
        assert other not in live, other
