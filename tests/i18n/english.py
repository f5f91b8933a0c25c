"""What counts as an English sentence left on a Japanese page or in a Japanese mail."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_WORDS = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ \u00a0]+[A-Za-z][A-Za-z'’,]*){2,}")
_LINK = re.compile(r"\b(?:https?://|/)\S*")
_CODE_LIKE = re.compile(r"\b[a-z]_[A-Za-z0-9_-]{8,}|\b[0-9a-f]{16,}\b")


class _Text(HTMLParser):
    """A page's visible text, plus the attributes people hear (aria-label, title, alt...)."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._skip += 1
        for key, value in attrs:
            if key in self.SPOKEN and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(p.strip() for p in parser.parts if p.strip())


def english_left(text: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """Runs of three or more Latin words, once people's own words (names, world names,
    addresses) and links are taken out."""
    for value in sorted(allowed, key=len, reverse=True):
        text = text.replace(value, " ")
    text = _CODE_LIKE.sub(" ", _LINK.sub(" ", text))
    return _WORDS.findall(text)
