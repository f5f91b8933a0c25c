"""The JSON API's response models: every JSON route declares one, so openapi.json describes
every body a client can receive (tests/web/test_web_schemas.py checks each route has one).

The convention, for new routes too:
- one model per service result, named ``…Out``, built on :class:`Out`; where the result is
  a dataclass, :func:`mirror` makes the model from its fields, so the two cannot drift;
- the route passes ``response_model=…`` (or ``responses={200: {"model": …}}`` when it
  returns JSON text itself, as the transcript routes do) and returns the service's
  ``to_json()``; the page and its JSON twin render the same service result;
- :data:`AS_IS` (``response_model_exclude_unset``) keeps a body's keys exactly as the
  service gave them: a key a service leaves out (a name not yet legible) stays out,
  rather than appearing as ``null``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, create_model

from soulmark.services.broadcast import Broadcast
from soulmark.services.invite_preview import InvitePreview
from soulmark.services.invites import Invited
from soulmark.services.joins import Joined
from soulmark.services.moderation import Removed, Roster
from soulmark.services.naming import OwnName
from soulmark.services.schedule import Schedule
from soulmark.services.sealing import Sealed
from soulmark.services.shares import Share
from soulmark.services.world_admin import NewOrganizerLink
from soulmark.services.worlds import WorldCreated, WorldInfo
from soulmark.services.wrist_view import SharedView, WristView

__all__ = [
    "AS_IS",
    "AuditOut",
    "ConfirmedOut",
    "DashboardOut",
    "InvitedOut",
    "InvitePreviewOut",
    "BroadcastOut",
    "NewOrganizerLinkOut",
    "RemovedOut",
    "RosterOut",
    "ExportOut",
    "JoinedOut",
    "LeaveOutcomeOut",
    "LeftOut",
    "mirror",
    "NameOut",
    "OpenedOut",
    "OutboxOut",
    "Out",
    "PreviewOut",
    "RetentionOut",
    "ScheduleOut",
    "SealedOut",
    "ShareCreatedOut",
    "ShareOut",
    "SharesOut",
    "SharedViewOut",
    "SentOut",
    "SignedInOut",
    "TranscriptOut",
    "WorldOut",
    "WristOut",
]

AS_IS: dict[str, Any] = {"response_model_exclude_unset": True}


class Out(BaseModel):
    """A response body: the declared fields, and any a newer service adds (never dropped)."""

    model_config = ConfigDict(extra="allow")


def mirror(name: str, result: type[Any], doc: str, **more: Any) -> type[Out]:
    """A response model with the fields and defaults of the service's ``result`` dataclass;
    ``more`` adds the fields a route adds, or types one more precisely: ``(type, default)``."""
    hints = get_type_hints(result)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(result):
        if f.default is not dataclasses.MISSING:
            fields[f.name] = (hints[f.name], f.default)
        elif f.default_factory is not dataclasses.MISSING:
            fields[f.name] = (hints[f.name], f.default_factory())
        else:
            fields[f.name] = (hints[f.name], ...)
    fields.update(more)
    return create_model(name, __base__=Out, __doc__=doc, __module__=__name__, **fields)


class RoundOut(Out):
    round: int
    commitment: str
    sealed: bool
    sealed_at: str | None = None
    people: int
    pairs: int | None = None
    beacon: dict[str, Any] | None = None


class HistoryOut(Out):
    """One entry of a world's append-only history (services.fate_log)."""

    kind: str
    round: int
    commitment: str
    transcript_sha256: str | None = None
    at: str | None = None
    chain: str


WorldOut = mirror(
    "WorldOut",
    WorldInfo,
    "A world's public face: window, the open round's commitment, every round.",
    rounds=(list[RoundOut], []),
    history=(list[HistoryOut], []),
)
JoinedOut = mirror(
    "JoinedOut",
    Joined,
    'A join: the wrist token is shown this once.  ``confirmation: "sent"`` in an '
    "email-domain world, where the join counts once the mailed link is followed.",
)
OpenedOut = mirror(
    "OpenedOut",
    WorldCreated,
    "A new world: its commitment, the organizer's token and link (shown once), the join "
    "link to share.",
    join_url=(str, ...),
    organizer_url=(str, ...),
    mailed_to=(str | None, None),
    seal_at=(str | None, None),
)


class PreviewOut(Out):
    name: str
    preview: str


class ConfirmedOut(Out):
    world: str
    person: str
    round: int
    note: str


WristOut = mirror(
    "WristOut",
    WristView,
    "A bearer's wrist.  ``name``, ``partner`` and ``contact`` appear only once revealed.",
    transcript=(str | None, None),
)
SharedViewOut = mirror(
    "SharedViewOut",
    SharedView,
    "What a friend sees: no ids, and the name only if the bearer chose to show it.",
    label=(str | None, None),
)
ShareOut = mirror("ShareOut", Share, "A link that shows a friend your wrist.")
# mypy sees a model made by mirror() as a value, not a class: the two places that use one
# inside a type say so.
SharesOut = list[ShareOut]  # type: ignore[valid-type]
ShareCreatedOut = mirror(
    "ShareCreatedOut",
    Share,
    "A new share link.  ``token`` is shown this once: only its hash is kept.",
    token=(str, ...),
    url=(str, ...),
)


class ExportOut(Out):
    """Everything kept about the bearer, for them to take away: their own data only."""

    world: dict[str, Any]
    you: dict[str, Any]
    wrist: dict[str, Any]
    shares: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []
    devices: list[dict[str, Any]] = []
    """The devices its notices are pushed to (docs/push.md)."""
    signed_in_devices: list[dict[str, Any]] = []
    """The devices kept signed in to this wrist: label and times (docs/participants.md)."""


class LeftOut(Out):
    removed: bool
    outcome: str
    message: str


class LeaveOutcomeOut(Out):
    outcome: str


class RetentionOut(Out):
    world: str
    retain_until: str


NameOut = mirror("NameOut", OwnName, "Your name as your soulmate will read it (R11).")
SealedOut = mirror("SealedOut", Sealed, "A sealed round (``already``: it had been before).")


class DashboardOut(Out):
    """Counts and an aggregate timeline: never a name, never a pair (B2)."""

    world: WorldOut  # type: ignore[valid-type]
    at: str
    counts: dict[str, int]
    """People by what they did: ``invited`` (on a list, not joined yet), ``unconfirmed``
    (joined, confirmation link not followed), ``waiting`` (for the next draw), then the
    states of their wrists."""
    timeline: list[dict[str, Any]]
    elapsed: float
    notices: dict[str, int] | None = None
    invitations: dict[str, int] | None = None
    """How many people were invited and how many claimed their invitation."""
    schedule: dict[str, str | None] | None = None
    """When the open round will be sealed on its own, and why it could not be if so."""
    mail_held: bool = False
    """True while no invitation may leave: the organizer has not confirmed an address."""
    draw: dict[str, int] | None = None
    """What a draw now would take: ``round``, ``people``, ``will_wait`` (one for an odd
    headcount), and how many rounds were ``drawn`` already."""


ScheduleOut = mirror(
    "ScheduleOut",
    Schedule,
    "The open round's planned seal: its moment (None: by hand only) and, if the worker could "
    "not seal then, why.",
)


InvitedOut = mirror(
    "InvitedOut",
    Invited,
    "Invitations mailed now, and rows skipped (already joined, holding a live invitation, or "
    "listed twice: a list sent twice is sent once).  Never a key to a wrist.",
)

BroadcastOut = mirror("BroadcastOut", Broadcast, "A message queued to everyone alike.")
NewOrganizerLinkOut = mirror(
    "NewOrganizerLinkOut",
    NewOrganizerLink,
    "The new organizer link, told once; the old one opens nothing any more.",
)
RosterOut = mirror(
    "RosterOut",
    Roster,
    "The people no draw has taken yet: names and roster ids, never a pair (B2).",
)
RemovedOut = mirror("RemovedOut", Removed, "A person removed before the draw.")

InvitePreviewOut = mirror(
    "InvitePreviewOut",
    InvitePreview,
    "What sending a list would do, with nothing sent: counts, the first rows as read, and the "
    "subject its mails will carry.",
)


class MismatchOut(Out):
    field: str
    message: str


class AuditOut(Out):
    """One report for a round's or a planet's transcript, as ``soulmark audit --json``."""

    ok: bool
    kind: str
    world: str | None = None
    round: int | None = None
    people: int | None = None
    pairs: int | None = None
    mismatches: list[MismatchOut]
    line: list[Any] | None = None
    commitment_checked: bool = False
    """False: no published commitment was compared, so a consistent re-draw passes too."""
    beacon: bool = False
    """False: the draw rests on no public beacon, only on its organizer's word."""


class SentOut(Out):
    """Always ``sent: true``, whether or not the address joined: it tells nobody who did."""

    sent: bool


class UnsubscribeOut(Out):
    """What a mailed unsubscribe link stops: never an address, never a person."""

    kind: str
    """``notices``: this person's notices in one world; ``invite``: invitations to this
    address from this site."""
    world: str
    world_name: str
    done: bool
    """True once unsubscribed (a GET only tells; a POST does it)."""


class SenderAskedOut(Out):
    mailed_to: str
    """Where the link that confirms the organizer's address went."""


class SenderOut(Out):
    world: str
    world_name: str
    confirmed: bool
    """True once the world may send invitations."""


class SignedInOut(Out):
    world: str
    token: str
    """The wrist's new private token; the one before it no longer opens anything."""


class OutboxOut(Out):
    available: bool
    messages: list[dict[str, Any]]


class TranscriptOut(Out):
    """A sealed round's transcript, format ``soulmark-transcript`` version 1 (docs/fate.md)."""

    format: str
    version: int
    world: dict[str, Any]
    round: int
    commitment: str
    secret: str
    beacon: dict[str, Any] | None
    trust: str
    roster: list[str]
    roster_digest: str
    seed: str
    algorithm: str
    pairs: int
    unmatched: str | None
    lines: list[list[Any]]
