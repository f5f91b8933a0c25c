"""A wrist as its bearer and a friend see it: the one view, built from one snapshot.

soulmark.services.wrist_read loads a :class:`WristSnapshot` in one SELECT; everything a wrist
then shows at a moment is worked out here, and only here: its state (R5, R8), the partner's
name once the bearer has looked (R6), its side of reaching out (R10, whose rule is
soulmark.core.reaching), why an undrawn wrist waits (R9), and what a friend may see of it
(B5).  The page, the CLI, every answer to a POST, ``GET /api/wrist`` and the streams all show
this view; its sentences are services.wrist_words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from soulmark.core.marks import Mark
from soulmark.core.times import iso
from soulmark.core.wrist import STROKES, next_change, wrist_at
from soulmark.services.wrist_words import (
    LEFT_OUT,
    LEFT_OUT_NONE,
    Say,
    bearer_sentence,
    friend_sentence,
    left_out_words,
)

__all__ = [
    "LEFT_OUT",
    "LEFT_OUT_NONE",
    "left_out_words",
    "MarkView",
    "SharedView",
    "WristSnapshot",
    "WristView",
    "friend_view",
]


@dataclass(frozen=True, kw_only=True)
class MarkView:
    """What a wrist shows, to its bearer or a friend: the world, the state and the ink.
    No ids: a friend's view is exactly this."""

    world: str
    world_name: str
    state: str
    message: str
    progress: float | None = None
    strokes: int | None = None
    strokes_total: int = STROKES
    legible_at: str | None = None
    looked_at: str | None = None
    name: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Only the keys that carry something: absent keys say nothing either."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True, kw_only=True)
class WristView(MarkView):
    """A bearer's wrist: the mark, and who and where they are."""

    person: str
    round: int
    sealed: bool
    partner: str | None = None
    reached_out: bool = False
    my_contact: str | None = None
    """What the bearer passes (once they reached out): theirs to take back until both have."""
    contact: str | None = None
    confirmed: bool = True
    """False while a join in an email-domain world waits for its link (it is not drawn)."""
    commitment: str | None = None
    """The commitment of the bearer's round, to audit its transcript against (B1)."""
    left_out: bool = False
    """Fate had no partner for them last round; they wait for the next draw (R9)."""
    next_draw: bool | None = None
    """For the left out only: whether a next draw can come (the world takes new people)."""

    def to_json(self) -> dict[str, Any]:
        """``confirmed`` is left to the caller: the web's twin shows it, the wrist does not."""
        shown = super().to_json()
        del shown["confirmed"]
        return shown

    def said(self, say: Say) -> str:
        """:attr:`message` in the reader's language."""
        return bearer_sentence(
            self.state,
            sealed=self.sealed,
            left_out=self.left_out,
            next_draw=self.next_draw is not False,
            say=say,
        )


@dataclass(frozen=True, kw_only=True)
class SharedView(MarkView):
    """What a friend sees.  Deliberately no ids: neither the bearer's nor the partner's."""

    def said(self, say: Say) -> str:
        return friend_sentence(self.state, shown=self.name is not None, say=say)


@dataclass(frozen=True)
class WristSnapshot:
    """A wrist without its clock (B3): the view at any moment is :meth:`view`, so a stream
    keeps its snapshot until somebody acts.  ``person_id``, ``partner_id`` and ``world_id``
    are internal ids (which streams to wake); they are never shown."""

    person_id: int
    world_id: int
    partner_id: int | None
    world: str
    world_name: str
    zone: str
    """The world's IANA zone: its pages speak it until the viewer's own zone is known."""
    person: str
    round: int
    confirmed: bool
    mark: Mark | None
    looked_at: int | None
    reached_out_at: int | None
    my_contact: str | None
    """What the bearer passes, once they reached out."""
    offer: str
    """The join address: one choice the reach-out form offers, never filled in (issue 19)."""
    unmatched_before: bool
    """Joined before the previous round was sealed: fate left them unmatched (R9)."""
    next_draw: bool = True
    """Whether a next draw can come: the world still takes new people (issue 19 item 5)."""
    partner_name: str | None = None
    """Loaded only once the bearer has looked (R6)."""
    partner_pid: str | None = None
    contact: str | None = None
    """The partner's contact, once both reached out (soulmark.core.reaching)."""
    commitment: str | None = None
    """The bearer's round's published commitment, to audit its transcript against (B1)."""

    def view(self, at: int) -> WristView:
        """The bearer's wrist at ``at``: the partner appears only once it is revealed (R6)."""
        state = wrist_at(self.mark, at, self.looked_at)
        sealed, left_out = self.mark is not None, self.mark is None and self.unmatched_before
        view = WristView(
            state=state.state,
            message=bearer_sentence(
                state.state, sealed=sealed, left_out=left_out, next_draw=self.next_draw
            ),
            progress=state.progress,
            strokes=state.strokes,
            legible_at=_iso(state.legible_at),
            looked_at=_iso(state.looked_at),
            left_out=left_out,
            next_draw=self.next_draw if left_out else None,
            world=self.world,
            world_name=self.world_name,
            person=self.person,
            round=self.round,
            sealed=sealed,
            confirmed=self.confirmed,
            commitment=self.commitment,
        )
        if state.state != "revealed" or self.partner_name is None:
            return view
        return replace(
            view,
            name=self.partner_name,
            partner=self.partner_pid,
            reached_out=self.reached_out_at is not None,
            my_contact=self.my_contact,
            contact=self.contact,
        )

    def next_change(self, at: int) -> int | None:
        """When the clock alone next changes :meth:`view` (None: not any more)."""
        return next_change(self.mark, at, self.looked_at)


def friend_view(view: WristView, show: bool) -> SharedView:
    """A friend's view of ``view``: the name only if the bearer chose to ``show`` it (B5)."""
    shown = view.name if show and view.state == "revealed" else None
    return SharedView(
        world=view.world,
        world_name=view.world_name,
        state=view.state,
        message=friend_sentence(view.state, shown=shown is not None),
        progress=view.progress,
        strokes=view.strokes,
        legible_at=view.legible_at,
        looked_at=view.looked_at,
        name=shown,
    )


def _iso(us: int | None) -> str | None:
    return iso(us) if us is not None else None
