"""Languages: gettext catalogs under ``soulmark/locale``, chosen per person, formatted by Babel.

A language is a directory ``locale/<code>/LC_MESSAGES/soulmark.po``: the list of languages is
read from the package, so adding one is adding a catalog (see docs/i18n.md).  Catalogs ship as
``.po`` and are compiled in memory by Babel on first use, so a clean checkout, an editable
install and a wheel all work with no build step.

The web, the notices and the CLI call :func:`translations` with a language code; nothing here
knows about requests.
"""

from __future__ import annotations

import gettext
import io
import re
from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from soulmark.core.times import from_us, now_us

__all__ = [
    "DEFAULT",
    "DOMAIN",
    "N_",
    "available",
    "display_name",
    "format_moment",
    "from_accept_language",
    "pick",
    "translations",
    "zone",
]

DEFAULT = "en"
DOMAIN = "soulmark"


def N_(message: str) -> str:
    """Marks a string for the catalogs; it is translated later, in the reader's language."""
    return message


_CODE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?$")


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def available() -> tuple[str, ...]:
    """Every language with a catalog, the default first (read once from the package: every
    page's language switch asks)."""
    root = files("soulmark") / "locale"
    found = {
        d.name
        for d in root.iterdir()
        if _CODE.match(d.name) and (d / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
    }
    found.add(DEFAULT)
    return (DEFAULT, *sorted(found - {DEFAULT}))


@lru_cache(maxsize=16)
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalog of ``code`` (an unknown code gets the untranslated default)."""
    if code not in available():
        return gettext.NullTranslations()
    po = files("soulmark") / "locale" / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=code, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)  # a fuzzy guess is not a translation
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@lru_cache(maxsize=64)
def display_name(code: str) -> str:
    """The language's own name for itself (``日本語``), for the language switch."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name.isascii() else name


def pick(code: str | None) -> str | None:
    """``code`` as one of :func:`available`, matching a region to its language (``ja-JP``)."""
    if not code:
        return None
    code = code.strip().replace("-", "_")
    langs = available()
    if code in langs:
        return code
    base = code.split("_", 1)[0].lower()
    return base if base in langs else None


def from_accept_language(header: str | None) -> str:
    """The best available language for an ``Accept-Language`` header (RFC 9110 weights)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, i, tag))
    for _, _, tag in sorted(ranked):
        found = pick(tag)
        if found:
            return found
    return DEFAULT


def zone(name: str | None) -> ZoneInfo:
    """A time zone by IANA name; UTC for anything unknown (a cookie is untrusted input)."""
    if name and len(name) < 64:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


# How a moment is said next to today (issue 18 item 6): a friendly day, the time without
# seconds, and no zone name (the page is already in the reader's zone).  soulmark.js says
# the same words with Intl once the browser's own zone is known.
DAY_WORDS = {
    -1: N_("yesterday at %(time)s"),
    0: N_("today at %(time)s"),
    1: N_("tomorrow at %(time)s"),
}
DATE_WORDS = N_("%(date)s at %(time)s")


def format_moment(us: int, *, code: str, tz: ZoneInfo, now: int | None = None) -> str:
    """A moment (microseconds, UTC) as a person of ``code`` reads it in their zone, next to
    ``now`` (the clock's moment; the wall clock when not given)."""
    today = from_us(now_us() if now is None else now).astimezone(tz).date()
    return _moment(us, pick(code) or DEFAULT, tz, today.toordinal())


# A moment's wording changes only with the day it is read on, and a wrist shows the same few
# again and again (every poll and every frame of a stream): Babel's formatting is the
# costliest part of a poll.
@lru_cache(maxsize=65_536)
def _moment(us: int, locale: str, tz: ZoneInfo, today: int) -> str:
    moment: datetime = from_us(us).astimezone(tz)
    words = translations(locale).gettext
    clock = str(format_time(moment, "HH:mm", tzinfo=tz, locale=locale))
    days = moment.date().toordinal() - today
    if days in DAY_WORDS:
        return words(DAY_WORDS[days]) % {"time": clock}
    same_year = moment.year == datetime.fromordinal(today).year
    date = str(format_skeleton("MMMMd" if same_year else "yMMMMd", moment, locale=locale))
    return words(DATE_WORDS) % {"date": date, "time": clock}
