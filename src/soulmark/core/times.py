"""Moments as integer microseconds since the Unix epoch (UTC): exact in every store and language."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "now_us",
    "US",
    "SECOND",
    "MINUTE",
    "HOUR",
    "DAY",
    "to_us",
    "from_us",
    "iso",
    "parse_iso",
    "parse_end",
    "parse_local",
    "in_zone",
    "zone",
]

US = 1
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_DATES: dict[int, str] = {}


def to_us(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("moments must be timezone-aware")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * SECOND + delta.microseconds


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def iso(us: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ``: the one spelling used in transcripts and JSON."""
    day, rem = divmod(us, DAY)
    date = _DATES.get(day)
    if date is None:
        # Sealing a large round formats millions of moments over few distinct days.
        date = _DATES[day] = (_NAIVE_EPOCH + timedelta(days=day)).date().isoformat()
    sec, micro = divmod(rem, SECOND)
    hour, sec = divmod(sec, 3600)
    minute, sec = divmod(sec, 60)
    return f"{date}T{hour:02d}:{minute:02d}:{sec:02d}.{micro:06d}Z"


def parse_iso(text: str) -> int:
    """Parse an ISO 8601 moment; a moment without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not an ISO 8601 moment: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return to_us(moment)


def parse_end(text: str) -> int:
    """Parse the end of a window: a bare date means the end of that day (UTC), not its start.

    The window is closed (``[start, end]``), so the end is the day's last microsecond.
    """
    stripped = text.strip()
    if len(stripped) == 10 and stripped[4] == "-" and stripped[7] == "-":
        return parse_iso(stripped) + DAY - US
    return parse_iso(stripped)


def now_us() -> int:
    """Now, in integer microseconds since the epoch: the one reading of the wall clock."""
    return time.time_ns() // 1000


def zone(name: str | None) -> ZoneInfo:
    """An IANA time zone by name (None or empty: UTC); ValueError names an unknown one."""
    try:
        return ZoneInfo((name or "UTC").strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"not an IANA time zone: {name!r}") from None


def parse_local(text: str, zone_name: str | None, *, end: bool = False) -> int:
    """A moment typed in the world's zone: a bare date is that day's start (or, for the end
    of a window, its last microsecond); a time without an offset is local to the zone."""
    tz = zone(zone_name)
    stripped = text.strip()
    try:
        moment = datetime.fromisoformat(stripped)
    except ValueError:
        raise ValueError(f"not an ISO 8601 moment: {text!r}") from None
    date_only = len(stripped) == 10
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if date_only and end:
        following = (moment + timedelta(days=1)).replace(tzinfo=tz)
        return to_us(following) - US
    return to_us(moment)


def in_zone(text: str | None, zone_name: str | None) -> str:
    """An ISO moment (as the services give it) as it reads in a world's zone, with its offset
    and the zone's name: what the CLI prints for people."""
    if not text:
        return ""
    tz = zone(zone_name)
    moment = datetime.fromisoformat(text).astimezone(tz)
    return f"{moment.isoformat(timespec='seconds')} ({tz.key})"
