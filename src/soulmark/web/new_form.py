"""The ``/new`` form's helpers: the time zones offered, presets, and which field an error is about.

A refused form is shown again as it was typed, with the server's reason next to the field it
is about, so a typo costs one correction rather than the whole form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import available_timezones

from soulmark.core.beacon import parse_spec
from soulmark.core.errors import InvalidInput, SoulmarkError
from soulmark.core.times import parse_iso, parse_local, zone
from soulmark.core.validate import clean_email, clean_name

__all__ = ["FIELDS", "check_zone", "check_window", "field_of", "preset", "zones"]

FIELDS = (
    "name",
    "window_start",
    "window_end",
    "time_zone",
    "email_domain",
    "organizer_email",
    "seal_at",
    "beacon",
    "invite_code",
)
"""The form's fields, as typed: what a refused form is shown again with."""

_BY_CODE = {
    "window-order": "window_end",
    "window-short": "window_end",
    "window-long": "window_end",
    "window-date": "window_start",
    "time-zone-unknown": "time_zone",
    "seal-at-past": "seal_at",
    "seal-at-late": "seal_at",
    "invite-code": "invite_code",
}


@lru_cache(maxsize=1)
def zones() -> tuple[str, ...]:
    """Every IANA zone this machine knows by a region's name ("Asia/Tokyo"), and UTC."""
    found = {
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    }
    return ("UTC", *sorted(found))


def check_zone(name: str | None) -> str:
    """The zone's name, or one line naming the one that is not a zone (with its code)."""
    try:
        return zone(name).key
    except ValueError as exc:
        raise InvalidInput(str(exc), code="time-zone-unknown", zone=name or "") from None


def check_window(start: str, end: str, time_zone: str | None) -> None:
    """Both ends read as dates or moments; the order and length are the service's to judge."""
    for field, text in (("window_start", start), ("window_end", end)):
        try:
            parse_local(text, time_zone)
        except ValueError as exc:
            raise InvalidInput(str(exc), code="window-date", field=field) from None


def _checks(form: Mapping[str, str]) -> list[tuple[str, Callable[[], object]]]:
    zone_name = form.get("time_zone") or "UTC"
    return [
        ("name", lambda: clean_name(form.get("name", ""))),
        ("time_zone", lambda: check_zone(zone_name)),
        ("window_start", lambda: parse_local(form.get("window_start", ""), zone_name)),
        ("window_end", lambda: parse_local(form.get("window_end", ""), zone_name)),
        (
            "organizer_email",
            lambda: form.get("organizer_email") and clean_email(form["organizer_email"]),
        ),
        (
            "beacon",
            lambda: form.get("beacon") and parse_spec(form["beacon"], parse_moment=parse_iso),
        ),
    ]


def field_of(exc: SoulmarkError, form: Mapping[str, str]) -> str | None:
    """The field a refusal is about: by its code, else the first field that is refused alone."""
    code = exc.code or ""
    if code == "window-date":
        return str(exc.params.get("field") or "window_start")
    if code.startswith("name-"):
        return "name"
    if code in _BY_CODE:
        return _BY_CODE[code]
    for field, check in _checks(form):
        try:
            check()
        except (SoulmarkError, ValueError):
            return field
    return None


def preset(kind: str, zone_name: str, now_us: int) -> dict[str, str]:
    """The window of a preset in ``zone_name``, as the form's fields hold it.

    "evening": a few hours tonight, from 18:00 (or the next quarter hour, if that is past)
    until four hours later; "term": from today to the end of the thirteenth week."""
    tz = zone(zone_name)
    now = datetime.fromtimestamp(now_us / 1e6, tz)
    if kind == "evening":
        start = now.replace(hour=18, minute=0, second=0, microsecond=0)
        if start < now:
            start = (now + timedelta(minutes=15 - now.minute % 15)).replace(second=0, microsecond=0)
        end = start + timedelta(hours=4)
        fmt = "%Y-%m-%dT%H:%M"
        return {"window_start": start.strftime(fmt), "window_end": end.strftime(fmt), "times": "1"}
    if kind == "term":
        end = now + timedelta(weeks=13)
        return {"window_start": now.strftime("%Y-%m-%d"), "window_end": end.strftime("%Y-%m-%d")}
    return {}
