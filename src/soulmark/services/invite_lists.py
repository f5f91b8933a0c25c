"""An organizer's list of invitees, read whole before anything is written (services.invites).

A CSV as spreadsheets write it (core.tables) or the API's JSON list: each entry an address,
with a name and a group if given.  One bad entry refuses the list, by its line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from soulmark.core.errors import InvalidInput, SoulmarkError
from soulmark.core.tables import read_rows
from soulmark.core.validate import clean_email, clean_name
from soulmark.services.intake import clean_group

__all__ = ["MAX_INVITEES", "Invitee", "clean_inviter", "invitees_from", "read_invitees"]

MAX_INVITEES = 5000
"""Rows in one list: a bigger community is invited in several lists."""
MAX_INVITER = 60
"""Characters of the organizer's name as the invitation says it ("Ms Sato invites you")."""


@dataclass(frozen=True, slots=True)
class Invitee:
    email: str
    name: str | None = None
    """The name as it will be written on a wrist; the invitee may change it when claiming."""
    group: str | None = None


def clean_inviter(raw: str | None) -> str | None:
    """The organizer's name as their invitations say it (None when not given): one line, a
    name's rules, short enough for a subject line."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        name = clean_name(text)
    except SoulmarkError as exc:
        raise InvalidInput(f"inviter: {exc}", code="inviter-invalid") from None
    if len(name) > MAX_INVITER:
        raise InvalidInput(f"inviter: at most {MAX_INVITER} characters", code="inviter-invalid")
    return name


def _invitee(record: Mapping[str, object], where: str, n: int) -> Invitee:
    try:
        email = clean_email(str(record.get("email") or ""))
        raw_name = str(record.get("name") or "").strip()
        group = clean_group(str(record.get("group") or ""))
        return Invitee(email, clean_name(raw_name) if raw_name else None, group)
    except SoulmarkError as exc:
        raise InvalidInput(f"{where}: {exc}", code="invitations-invalid", n=n) from None


def _bounded(found: Sequence[Invitee]) -> list[Invitee]:
    if not found:
        raise InvalidInput("the list has no one to invite")
    if len(found) > MAX_INVITEES:
        raise InvalidInput(f"at most {MAX_INVITEES} people per list; split it")
    return list(found)


def read_invitees(text: str) -> list[Invitee]:
    """A CSV with a header naming ``email`` (``name`` and ``group`` optional), as
    spreadsheets write it (core.tables); InvalidInput names the first bad line."""
    line = 1
    try:
        header, rows = read_rows(text)
        if "email" not in header:
            raise InvalidInput(
                "the CSV needs a header with an email column (name, group optional)",
                code="invitations-header",
            )
        found = []
        for line, record in rows:
            found.append(_invitee(record, f"line {line}", line))
        return _bounded(found)
    except csv.Error as exc:
        raise InvalidInput(f"line {line + 1}: the CSV cannot be read ({exc})") from None


def invitees_from(records: Iterable[Mapping[str, object]]) -> list[Invitee]:
    """The JSON list's entries (``email``, optional ``name`` and ``group``), checked alike."""
    return _bounded([_invitee(r, f"entry {i}", i) for i, r in enumerate(records, 1)])
