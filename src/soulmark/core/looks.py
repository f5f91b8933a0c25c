"""One person, one look: the confusable skeleton of a name (Unicode TR39) and the key of an
address, so that what looks the same, or is the same address, is one person in a world.

The skeleton is TR39's (UTS #39, section 4, as revised in Unicode 15.1): NFD, remove every
Default_Ignorable_Code_Point, replace each character by its prototype from confusables.txt,
NFD again.  The mapping is read from the official data file shipped beside this module
(data/confusables.txt, unmodified, under the Unicode licence in data/LICENSE-UNICODE.txt);
updating it is replacing that file.  A name's *look* is its skeleton with runs of spaces
made one, the only step beyond TR39: a page collapses them, so they never tell two names apart.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache
from importlib.resources import files

import idna

__all__ = [
    "DEFAULT_IGNORABLE",
    "clean_domain",
    "confusables_version",
    "email_key",
    "look",
    "look_key",
    "skeleton",
]

DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    # Default_Ignorable_Code_Point, DerivedCoreProperties.txt (stable since Unicode 6.3).
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_IGNORABLE = frozenset(c for lo, hi in DEFAULT_IGNORABLE for c in range(lo, hi + 1))
_SPACES = re.compile(" {2,}")
_LINE = re.compile(r"^([0-9A-F]{4,6})\s*;\s*([0-9A-F ]+?)\s*;\s*MA\b")


def _data() -> str:
    return files("soulmark.core").joinpath("data/confusables.txt").read_text(encoding="utf-8-sig")


@cache
def _prototypes() -> dict[str, str]:
    """source character -> prototype, from confusables.txt (read once, a few ms)."""
    out: dict[str, str] = {}
    for line in _data().splitlines():
        found = _LINE.match(line)
        if found:
            source, target = found.groups()
            out[chr(int(source, 16))] = "".join(chr(int(cp, 16)) for cp in target.split())
    return out


def confusables_version() -> str:
    """The version of the confusables data in use, from its file's own header."""
    for line in _data().splitlines()[:12]:
        if line.startswith("# Version:"):
            return line.split(":", 1)[1].strip()
    return "unknown"  # pragma: no cover - the shipped file names its version


def skeleton(text: str) -> str:
    """TR39 ``skeleton(X)``: two strings are confusable when their skeletons are equal."""
    table = _prototypes()
    out = text
    # Once more until nothing changes: a prototype may decompose into characters that map
    # again (ǆ: d + ž, then z + caron; U+FE81: U+0622, then alef + madda), and a skeleton
    # must be its own.
    for _ in range(8):
        nfd = unicodedata.normalize("NFD", out)
        mapped = "".join(table.get(ch, ch) for ch in nfd if ord(ch) not in _IGNORABLE)
        done, out = out, unicodedata.normalize("NFD", mapped)
        if out == done:
            break
    return out


def look(name: str) -> str:
    """What a name looks like on a wrist: its skeleton, runs of spaces made one."""
    return _SPACES.sub(" ", skeleton(name)).strip(" ")


def look_key(name: str) -> str:
    """The stored key of a name's look: one per look in a world (a fixed-size digest, as a
    unique index wants; the name itself is stored beside it anyway)."""
    return hashlib.sha256(look(name).encode("utf-8", "surrogatepass")).hexdigest()


def clean_domain(domain: str) -> str:
    """A mail domain as it is stored and shown: UTS #46 mapped (case, width, NFC), so
    ``UA.Example`` and ``ua.example`` are one; a domain IDNA cannot read is NFC lower-cased."""
    domain = unicodedata.normalize("NFC", domain)
    try:
        return idna.uts46_remap(domain, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError):
        return domain.lower()


def _domain_key(domain: str) -> str:
    # The A-label: a domain written in Unicode and in punycode is one domain.
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return domain


def email_key(address: str) -> str:
    """What two addresses are compared by: one person holds one key in a world.

    Canonical caseless (NFC after case folding, RFC 6530 leaves the local part to the
    receiving host; soulmark has always read it caselessly) and the domain's A-label.
    """
    local, _, domain = unicodedata.normalize("NFC", address).rpartition("@")
    folded = unicodedata.normalize("NFC", local.casefold())
    return f"{folded}@{_domain_key(clean_domain(domain))}" if local else folded
