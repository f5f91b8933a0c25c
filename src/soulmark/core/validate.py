"""Parsing of what people type: names (R11), email addresses, windows."""

from __future__ import annotations

import re
import unicodedata

from soulmark.core.errors import InvalidInput
from soulmark.core.marks import Window
from soulmark.core.times import DAY, MINUTE

__all__ = ["MAX_NAME", "clean_name", "clean_email", "check_window"]

MAX_NAME = 100
MIN_WINDOW = 1 * MINUTE
MAX_WINDOW = 100 * 366 * DAY

# Explicit bidi embeddings, overrides, isolates and marks could make a name render as
# someone else's; joiners (U+200C/U+200D) stay allowed because real scripts need them.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BAD_CATEGORIES = {"Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


def clean_name(raw: str) -> str:
    """The name as it will be written on a wrist: NFC, outer whitespace trimmed."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise InvalidInput("the name is empty")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"the name is longer than {MAX_NAME} characters")
    if name.isascii() and name.isprintable():
        return name
    for ch in name:
        if ch in _BIDI:
            raise InvalidInput(f"the name holds a bidirectional control character U+{ord(ch):04X}")
        if unicodedata.category(ch) in _BAD_CATEGORIES:
            raise InvalidInput(f"the name holds a control character U+{ord(ch):04X}")
    return name


def clean_email(raw: str) -> str:
    """An address for notices; its domain is lower-cased."""
    email = raw.strip()
    if len(email) > 254 or not _EMAIL.match(email) or not email.isprintable():
        raise InvalidInput(f"not a valid email address: {raw!r}")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def check_window(start: int, end: int) -> Window:
    if end <= start:
        raise InvalidInput("the window's end must be after its start")
    if end - start < MIN_WINDOW:
        raise InvalidInput("the window must be at least a minute long")
    if end - start > MAX_WINDOW:
        raise InvalidInput("the window must be at most 100 years long")
    return Window(start, end)
