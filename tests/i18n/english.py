"""What counts as an English sentence left on a Japanese page or in a Japanese mail: runs of
Latin words, and any phrase of the catalog's own English (an untranslated msgid)."""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from importlib.resources import files

from babel.messages.pofile import read_po

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


_PLACEHOLDER = re.compile(r"%\(\w+\)s|%%|<[^>]+>|\{\{.*?\}\}")


@lru_cache(maxsize=1)
def _msgid_phrases() -> tuple[tuple[str, str], ...]:
    """Every run of three or more words in a catalog msgid, with the msgid it comes from."""
    pot = files("soulmark") / "locale" / "soulmark.pot"
    with pot.open("rb") as fp:
        catalog = read_po(fp)
    out = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in filter(None, ids):
            for piece in _PLACEHOLDER.split(msgid):
                piece = " ".join(piece.split()).strip(" .,:;·…")
                if len(piece.split()) >= 3:
                    out.append((piece, msgid))
    return tuple(out)


def untranslated(text: str) -> list[str]:
    """The catalog's English left in ``text``: each msgid a phrase of which appears as is."""
    flat = " ".join(text.split())
    return sorted({msgid for phrase, msgid in _msgid_phrases() if phrase in flat})
