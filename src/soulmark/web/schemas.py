"""The JSON API's response models: every JSON route declares one, so openapi.json describes
every body a client can receive (tests/web/test_web_schemas.py checks each route has one).

The convention, for new routes too:
- one model per service result, named ``…Out``, built on :class:`Out`;
- the route passes ``response_model=…`` (or ``responses={200: {"model": …}}`` when it
  returns JSON text itself, as the transcript routes do) and returns the service's
  ``to_json()``; the page and its JSON twin render the same service result;
- :data:`AS_IS` (``response_model_exclude_unset``) keeps a body's keys exactly as the
  service gave them: a key a service leaves out (a name not yet legible) stays out,
  rather than appearing as ``null``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AS_IS",
    "AuditOut",
    "ConfirmedOut",
    "DashboardOut",
    "ExportOut",
    "JoinedOut",
    "LeaveOutcomeOut",
    "LeftOut",
    "OpenedOut",
    "OutboxOut",
    "Out",
    "PreviewOut",
    "RetentionOut",
    "SealedOut",
    "ShareCreatedOut",
    "ShareOut",
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


class WorldOut(Out):
    """A world's public face: window, the open round's commitment, every round."""

    world: str
    name: str
    window_start: str
    window_end: str
    open_round: int
    commitment: str
    email_domain: str | None = None
    rounds: list[RoundOut] = []
    joins_open: bool = True
    history: list[HistoryOut] = []


class JoinedOut(Out):
    """A join: the wrist token is shown this once.  ``confirmation: "sent"`` in an
    email-domain world, where the join counts once the mailed link is followed."""

    world: str
    person: str
    token: str
    name: str
    round: int
    note: str
    confirmation: str | None = None
    commitment: str | None = None
    """The joined round's commitment, to audit its transcript against."""


class OpenedOut(Out):
    """A new world: its commitment, the organizer's token and link (shown once), the join
    link to share."""

    world: str
    name: str
    commitment: str
    organizer_token: str
    window_start: str
    window_end: str
    beacon: dict[str, Any] | None = None
    time_zone: str = "UTC"
    join_url: str
    organizer_url: str
    mailed_to: str | None = None


class PreviewOut(Out):
    name: str
    preview: str


class ConfirmedOut(Out):
    world: str
    person: str
    round: int
    note: str


class MarkOut(Out):
    """What a wrist shows, to its bearer or a friend: the world, the state and the ink."""

    world: str
    world_name: str
    state: str
    message: str
    progress: float | None = None
    strokes: int | None = None
    strokes_total: int
    legible_at: str | None = None
    looked_at: str | None = None
    name: str | None = None


class WristOut(MarkOut):
    """A bearer's wrist.  ``name``, ``partner`` and ``contact`` appear only once revealed."""

    person: str
    round: int
    sealed: bool
    partner: str | None = None
    reached_out: bool = False
    my_contact: str | None = None
    """What you pass them, once you reached out (yours to take back until they reach out)."""
    contact: str | None = None
    confirmed: bool = True
    transcript: str | None = None
    commitment: str | None = None


class ShareOut(Out):
    id: int
    created_at: int
    revoked: bool
    show_name: bool


class ShareCreatedOut(ShareOut):
    token: str
    """Shown this once: only its hash is kept."""
    url: str


class SharedViewOut(MarkOut):
    """What a friend sees: no ids, and the name only if the bearer chose to show it."""


class ExportOut(Out):
    """Everything kept about the bearer (R-export): their own data only."""

    world: dict[str, Any]
    you: dict[str, Any]
    wrist: dict[str, Any]
    shares: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []


class LeftOut(Out):
    removed: bool
    outcome: str
    message: str


class LeaveOutcomeOut(Out):
    outcome: str


class RetentionOut(Out):
    world: str
    retain_until: str


class SealedOut(Out):
    world: str
    round: int
    pairs: int
    unmatched: int
    people: int
    seed: str
    already: bool


class DashboardOut(Out):
    """Counts and an aggregate timeline: never a name, never a pair (B2)."""

    world: WorldOut
    at: str
    counts: dict[str, int]
    timeline: list[dict[str, Any]]
    elapsed: float
    notices: dict[str, int] | None = None


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


class SentOut(Out):
    """Always ``sent: true``, whether or not the address joined: it tells nobody who did."""

    sent: bool


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
