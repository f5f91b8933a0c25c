"""Parsing of what people type: names (R11), email addresses, windows."""

from __future__ import annotations

import re
import unicodedata

from soulmark.core.errors import InvalidInput
from soulmark.core.looks import DEFAULT_IGNORABLE, clean_domain
from soulmark.core.marks import Window
from soulmark.core.times import DAY, MINUTE

__all__ = [
    "MAX_NAME",
    "MAX_CONTACT",
    "BLANK_RANGES",
    "HIDDEN_RANGES",
    "name_length",
    "clean_name",
    "clean_contact",
    "clean_email",
    "check_window",
]

MAX_NAME = 100
"""In UTF-16 code units, the unit a browser's ``maxlength`` and ``String.length`` count."""
MAX_CONTACT = 80
"""A handle or an address: a few words, in UTF-16 code units as :data:`MAX_NAME`."""
MAX_CONTACT_WORDS = 8

BLANK_RANGES: tuple[tuple[int, int], ...] = (
    # Unicode White_Space.
    (0x0009, 0x000D),
    (0x0020, 0x0020),
    (0x0085, 0x0085),
    (0x00A0, 0x00A0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    # Unicode Default_Ignorable_Code_Point: drawn as nothing (U+200B, U+3164, U+FEFF, ...).
    *DEFAULT_IGNORABLE,
    # Braille pattern blank: a letter-like symbol that shows no dot.
    (0x2800, 0x2800),
)
"""Characters that show nothing.  The join form's preview (soulmark.js) gets this very list
from the page, so what is previewed is what is stored."""

_BLANK = frozenset(c for lo, hi in BLANK_RANGES for c in range(lo, hi + 1))
# Inside a name a blank may only be a space, or one of the invisible characters that real
# scripts and emoji need: joiners, variation selectors (emoji, ideographic variants of
# Japanese names) and Mongolian's free variation selectors.  The skeleton drops these, so
# they cannot make one name look like another either (soulmark.core.looks).
_SPACING = frozenset(c for c in _BLANK if chr(c).isspace())
_NEEDED = frozenset(
    c
    for lo, hi in ((0x180B, 0x180F), (0x200C, 0x200D), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
    for c in range(lo, hi + 1)
)
_HIDDEN = _BLANK - _SPACING - _NEEDED


def _ranges(points: frozenset[int]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for c in sorted(points):
        if out and out[-1][1] == c - 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return tuple(out)


HIDDEN_RANGES = _ranges(_HIDDEN)
"""Characters that show nothing and are refused inside a name (U+200B, U+034F, U+3164, tag
characters…); the join form's preview gets this list from the page as it gets BLANK_RANGES."""
# Marks draw only on a base character: a name needs a base that shows.
_NOT_A_BASE = ("M", "Z", "C")
MIN_WINDOW = 1 * MINUTE
MAX_WINDOW = 100 * 366 * DAY

# Explicit bidi embeddings, overrides, isolates and marks could make a name render as
# someone else's; joiners (U+200C/U+200D) stay allowed because real scripts need them.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BAD_CATEGORIES = {"Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


def name_length(name: str) -> int:
    """Length in UTF-16 code units, as the browser counts it."""
    return len(name.encode("utf-16-le", "surrogatepass")) // 2  # a lone surrogate is refused later


def _trim(name: str) -> str:
    start, end = 0, len(name)
    while start < end and ord(name[start]) in _BLANK:
        start += 1
    while end > start and ord(name[end - 1]) in _BLANK:
        end -= 1
    return name[start:end]


def _shows(ch: str) -> bool:
    return ord(ch) not in _BLANK and not unicodedata.category(ch).startswith(_NOT_A_BASE)


def _clean_text(raw: str, what: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", raw)
    # Checked before trimming: a bidi control is refused, never silently dropped.
    for ch in _BIDI.intersection(text):
        raise InvalidInput(
            f"the {what} holds a bidirectional control character U+{ord(ch):04X}",
            code=f"{what}-control",
        )
    text = _trim(text)
    if not text:
        raise InvalidInput(f"the {what} is empty", code=f"{what}-empty")
    if name_length(text) > limit:
        raise InvalidInput(
            f"the {what} is longer than {limit} characters", code=f"{what}-too-long", n=limit
        )
    if text.isascii() and text.isprintable():
        return text
    for ch in text:
        if unicodedata.category(ch) in _BAD_CATEGORIES:
            raise InvalidInput(
                f"the {what} holds a control character U+{ord(ch):04X}", code=f"{what}-control"
            )
    if not any(_shows(ch) for ch in text):
        raise InvalidInput(f"the {what} has no visible character", code=f"{what}-empty")
    for ch in text:
        if ord(ch) in _HIDDEN:
            # Trimmed at the ends, refused inside: hidden, it would make two names that look
            # alike differ, or carry something the reader of the wrist cannot see.
            raise InvalidInput(
                f"the {what} hides an invisible character U+{ord(ch):04X}", code=f"{what}-hidden"
            )
    return text


def clean_name(raw: str) -> str:
    """The name as it will be written on a wrist: NFC, blank characters trimmed at both ends.

    It must show at least one visible character, and be at most MAX_NAME UTF-16 units long.
    """
    return _clean_text(raw, "name", MAX_NAME)


def clean_line(raw: str, what: str, limit: int) -> str:
    """One line of free text (an organizer's reason, a message's subject): a name's rules
    against invisible and control characters, up to ``limit`` characters."""
    return _clean_text(raw, what, limit)


def clean_contact(raw: str) -> str:
    """What a person chooses to pass to their soulmate (R10): one line of a few words (a line
    break is a control character, refused as in a name)."""
    contact = _clean_text(raw, "contact", MAX_CONTACT)
    if len(contact.split()) > MAX_CONTACT_WORDS:
        raise InvalidInput(
            f"the contact is more than {MAX_CONTACT_WORDS} words",
            code="contact-too-many-words",
            n=MAX_CONTACT_WORDS,
        )
    return contact


def clean_email(raw: str) -> str:
    """An address for notices: NFC, its domain case-folded as IDNA maps it (UTS #46).

    Two addresses are one person when their :func:`soulmark.core.looks.email_key` is equal.
    """
    local, at, domain = unicodedata.normalize("NFC", raw.strip()).rpartition("@")
    email = f"{local}{at}{clean_domain(domain)}"  # mapped first: a full-width dot is a dot
    if len(email) > 254 or not _EMAIL.match(email) or not email.isprintable():
        raise InvalidInput(f"not a valid email address: {raw!r}", code="email-invalid")
    return email


def check_window(start: int, end: int) -> Window:
    if end <= start:
        raise InvalidInput("the window's end must be after its start", code="window-order")
    if end - start < MIN_WINDOW:
        raise InvalidInput("the window must be at least a minute long", code="window-short")
    if end - start > MAX_WINDOW:
        raise InvalidInput("the window must be at most 100 years long", code="window-long")
    return Window(start, end)
