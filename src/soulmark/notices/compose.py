"""The words of each notice (soulmark.notices.mime makes them the bytes that go over SMTP).

A notice is written from the world and the kind only.  The partner is never read: the
queries behind a notice join ``marks.person_id`` to its own person and stop there, so no
byte of the partner's name, length, initials or id can reach a message (R6, B5).

Links.  Only the SHA-256 of a wrist token is stored, so the private wrist link cannot be
rebuilt after the join.  Notices therefore link to the world's public page and carry a
one-time sign-in link (soulmark.notices.signins): opening it only shows a button, pressing it
opens the wrist on that one device within 24 hours, once.  Email never carries the wrist's
own key; a forwarded notice opens one device session at most, listed on the wrist (issue 19).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from soulmark.core.links import private_link, world_url
from soulmark.i18n import DEFAULT, N_, translations
from soulmark.settings import DEFAULT_BASE_URL

__all__ = [
    "DEFAULT_BASE_URL",
    "KINDS",
    "KEPT",
    "WORDED",
    "Outgoing",
    "render",
    "render_signin",
    "world_link",
    "confirm_link",
    "confirmation",
    "signin_link",
    "signin",
    "signin_device",
    "invite_link",
    "invitation",
    "broadcast_mail",
    "organizer_mail",
    "removed_mail",
    "sender_link",
    "sender_mail",
]

KINDS = (
    "tingles",
    "stopped",
    "confirm",
    "signin",
    "organizer",
    "invite",
    "removed",
    "message",
    "reached",
    "unpaired",
    "unpaired-none",
)
KEPT = ("confirm", "signin", "organizer", "invite", "removed", "message")
"""Kinds queued with their words: their links cannot be rebuilt (only hashes are stored)."""

# Said when no one-time sign-in button could come with the notice: advice everyone can
# follow, including those who joined by invitation or slip and never kept a link.
_FOOTER = N_(
    "To see your wrist, open it where you are signed in, or open the world's page below: "
    'under "Lost your link?" it mails you a one-time sign-in link. Your private link '
    "itself is never sent by email: it is yours alone.\n\n"
    "The world's page: %(link)s"
)

_FOOTER_SIGNIN = N_(
    "To open your wrist on this device, open this link within 24 hours and press the "
    "sign-in button (it works once):\n%(signin)s\n\n"
    "The world's page: %(link)s"
)

_TEXT = {
    "tingles": (
        N_("Your wrist tingles - %(world)s"),
        N_(
            "Your wrist tingles.\n\n"
            "Something has begun in %(world)s. Nothing can be read yet. We will write once "
            "more when the tingle is gone."
        ),
    ),
    "stopped": (
        N_("It stopped - %(world)s"),
        N_(
            "It stopped.\n\n"
            "The tingle is gone, and in %(world)s a name has settled under the bandage. "
            "Look whenever you are ready: there is no hurry."
        ),
    ),
    # Issue 19 item 5.  Never the contact: only the wrist shows it (R10).
    "reached": (
        N_("You both reached out - %(world)s"),
        N_(
            "You both reached out.\n\n"
            "In %(world)s, you and your soulmate both said you would like to meet. Open your "
            "wrist to see how to reach each other: this mail does not say it."
        ),
    ),
    # The one an odd roster left out, in words that fit the world: a next draw only where
    # one can come (soulmark.notices.care).
    "unpaired": (
        N_("Your wrist has news - %(world)s"),
        N_(
            "Fate was drawn in %(world)s. With an odd number of people, one wrist stays bare "
            "this time, and this time it is yours. That happens, and it says nothing about "
            "you.\n\nYou are in the next draw: when the organizer draws again, your wrist "
            "will feel it."
        ),
    ),
    "unpaired-none": (
        N_("Your wrist has news - %(world)s"),
        N_(
            "Fate was drawn in %(world)s. With an odd number of people, one wrist stays bare, "
            "and this time it is yours. That happens, and it says nothing about you.\n\n"
            "No further draw is planned in this world: its organizer has closed it to new "
            "people, so your wrist stays bare here."
        ),
    ),
}

WORDED = tuple(_TEXT)
"""Kinds written from the world and the kind only (:func:`render`): the notices of a draw."""

_CONFIRM = (
    N_("Confirm your place in %(world)s"),
    N_(
        "Someone asked to join %(world)s with this address.\n\n"
        "If it was you, confirm here:\n%(link)s\n\n"
        "If it was not you, ignore this message: nothing happens without the link."
    ),
)

_SIGNIN = (
    N_("Sign in to your wrist in %(world)s"),
    N_(
        "Someone asked for a way back to a wrist in %(world)s with this address.\n\n"
        "If it was you, open this link within %(minutes)d minutes and press the button:\n"
        "%(link)s\n\n"
        "It works once. Signing in gives your wrist a new private link; the old one stops "
        "working.\n\n"
        "If it was not you, ignore this message: nothing happens without the link."
    ),
)

_SIGNIN_DEVICE = (
    N_("Sign in to your wrist in %(world)s"),
    N_(
        "A sign-in link for your wrist in %(world)s.\n\n"
        "Open it within %(hours)d hours and press the button to open your wrist on that "
        "device:\n%(link)s\n\n"
        "It works once. Your private link stays as it is.\n\n"
        "If you did not ask for it, ignore this message: nothing happens without the link."
    ),
)

_INVITE = (
    N_("You are invited to %(world)s"),
    N_(
        "You are invited to join %(world)s, where fate pairs everyone at random and each "
        "wrist shows the name of its soulmate in time.\n\n"
        "To join, open this link within %(days)d days and press the button:\n%(link)s\n\n"
        "It works once, and opens a wrist that only you can see.\n\n"
        "If you do not want to join, ignore this message: nothing happens without the link."
    ),
)

_INVITE_FROM = (
    N_("%(inviter)s invites you to %(world)s"),
    N_(
        "%(inviter)s invites you to join %(world)s, where fate pairs everyone at random and "
        "each wrist shows the name of its soulmate in time.\n\n"
        "To join, open this link within %(days)d days and press the button:\n%(link)s\n\n"
        "It works once, and opens a wrist that only you can see.\n\n"
        "If you do not want to join, ignore this message: nothing happens without the link."
    ),
)
_HELLO = N_("Hello %(name)s,")

_REMOVED = (
    N_("You were removed from %(world)s"),
    N_(
        "The organizer of %(world)s removed your name from the world before fate was drawn. "
        "You are not in the draw, and nothing about you is kept there."
    ),
)
_REMOVED_WHY = N_("The organizer's reason: %(reason)s")

_BROADCAST = (
    N_("A message from the organizer of %(world)s"),
    N_(
        "The organizer of %(world)s writes to everyone in the world:\n\n%(text)s\n\n"
        "Everyone received this message alike: it says nothing about anyone's wrist."
    ),
)

_ORGANIZER = (
    N_("Your world %(world)s is open"),
    N_(
        "Your world %(world)s is open.\n\n"
        "Share this link with the people who may join:\n%(join)s\n\n"
        "Your organizer link (keep it to yourself: it seals fate and shows the counts):\n"
        "%(link)s\n\n"
        "Invitations from your dashboard leave only once you confirm this address. "
        "Open this link and press the button:\n%(confirm)s"
    ),
)

_SENDER = (
    N_("Confirm your address for %(world)s"),
    N_(
        "You asked to send invitations from %(world)s.\n\n"
        "They leave only once you confirm this address. Open this link and press the "
        "button:\n%(link)s\n\n"
        "If it was not you, ignore this message: nothing is sent without the link."
    ),
)

QUOTED = N_("\u201c%(world)s\u201d")
"""A world's name in a subject: the organizer's words, quoted, and never the whole subject."""
SUBJECT_NAME = 60
"""Characters of a world's name a subject keeps (the body has it whole)."""

_SIGNATURE = "\n\n-- soulmark\n"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One claimed notice, ready for a transport."""

    notice_id: int
    to: str
    subject: str
    body: str
    """The text part; the HTML part is made from it (soulmark.notices.mime)."""
    world_name: str = ""
    """Kept out of the HTML part's links: the organizer's words stay words."""
    lang: str | None = None
    unsubscribe: str | None = None
    """The one-click link of a notice or an invitation (RFC 8058); None for other kinds."""

    @property
    def tail(self) -> tuple[str, str, str, str | None]:
        """What every message of one kind in one world shares (soulmark.notices.mime)."""
        return self.subject, self.body, self.world_name, self.lang


def world_link(base_url: str, slug: str) -> str:
    return world_url(slug, base_url)


def confirm_link(base_url: str, token: str) -> str:
    """The mailed confirmation link: the configured base URL, never a Host header."""
    return private_link(base_url, "confirm", token)


@lru_cache(maxsize=64)
def render(
    kind: str, *, world_name: str, slug: str, base_url: str, lang: str | None = None
) -> tuple[str, str]:
    """Subject and body of a notice of the wrist (``tingles``, ``stopped``, ``reached``,
    ``unpaired``...), in the bearer's language: the world, nothing else."""
    say = translations(lang or DEFAULT).gettext
    subject, text = _TEXT[kind]
    link = world_link(base_url, slug)
    body = say(text) % {"world": world_name} + "\n\n" + say(_FOOTER) % {"link": link}
    return say(subject) % {"world": _quoted(say, world_name)}, body + _SIGNATURE


def render_signin(
    kind: str,
    *,
    world_name: str,
    slug: str,
    base_url: str,
    signin: str | None,
    lang: str | None = None,
) -> tuple[str, str]:
    """A ``tingles`` or ``stopped`` notice whose footer is a one-time sign-in link (made for
    this one message, so never cached): the world and that link, nothing else.  Without one
    (its bearer holds many live codes), the words of :func:`render`."""
    if signin is None:
        return render(kind, world_name=world_name, slug=slug, base_url=base_url, lang=lang)
    say = translations(lang or DEFAULT).gettext
    subject, text = _TEXT[kind]
    footer = say(_FOOTER_SIGNIN) % {"signin": signin, "link": world_link(base_url, slug)}
    body = say(text) % {"world": world_name} + "\n\n" + footer
    return say(subject) % {"world": _quoted(say, world_name)}, body + _SIGNATURE


def _quoted(say: Callable[[str], str], world: str) -> str:
    short = world
    if len(world) > SUBJECT_NAME:
        short = world[: SUBJECT_NAME - 1].rstrip() + "\u2026"
    return say(QUOTED) % {"world": short}


def _kept(
    words: tuple[str, str], lang: str | None, world: str, **values: object
) -> tuple[str, str]:
    """Subject and body of a mail queued with its words, in ``lang``."""
    say = translations(lang or DEFAULT).gettext
    subject, text = words
    body = say(text) % {"world": world, **values}
    return say(subject) % {**values, "world": _quoted(say, world)}, body + _SIGNATURE


def confirmation(*, world_name: str, link: str, lang: str | None = None) -> tuple[str, str]:
    return _kept(_CONFIRM, lang, world_name, link=link)


def signin_link(base_url: str, code: str) -> str:
    """The mailed sign-in link: opening it only asks; the button on its page signs in."""
    return private_link(base_url, "signin", code)


def signin(*, world_name: str, link: str, minutes: int, lang: str | None = None) -> tuple[str, str]:
    """The mail that answers "lost your link?": a one-time code, never the wrist's key."""
    return _kept(_SIGNIN, lang, world_name, link=link, minutes=minutes)


def signin_device(
    *, world_name: str, link: str, hours: int, lang: str | None = None
) -> tuple[str, str]:
    """A one-time sign-in for one device: it opens the wrist, and changes no link."""
    return _kept(_SIGNIN_DEVICE, lang, world_name, link=link, hours=hours)


def invite_link(base_url: str, code: str) -> str:
    """The mailed invitation: opening it only asks; the button on its page claims it."""
    return private_link(base_url, "invite", code)


def invitation(
    *,
    world_name: str,
    link: str,
    days: int,
    lang: str | None = None,
    name: str | None = None,
    inviter: str | None = None,
) -> tuple[str, str]:
    """An organizer's invitation: a one-time claim code, never a key to a wrist.  It greets
    the invitee by the name on the organizer's list and says who invites, when given."""
    words = _INVITE_FROM if inviter else _INVITE
    subject, body = _kept(words, lang, world_name, link=link, days=days, inviter=inviter or "")
    if name:
        body = translations(lang or DEFAULT).gettext(_HELLO) % {"name": name} + "\n\n" + body
    return subject, body


def removed_mail(
    *, world_name: str, reason: str | None, lang: str | None = None
) -> tuple[str, str]:
    """To a person the organizer removed before the draw: that it happened, and why if said."""
    subject, body = _kept(_REMOVED, lang, world_name)
    if reason:
        why = translations(lang or DEFAULT).gettext(_REMOVED_WHY) % {"reason": reason}
        body = body.removesuffix(_SIGNATURE) + "\n\n" + why + _SIGNATURE
    return subject, body


def broadcast_mail(*, world_name: str, text: str, lang: str | None = None) -> tuple[str, str]:
    """The organizer's words to everyone, in words of its own in the reader's language."""
    return _kept(_BROADCAST, lang, world_name, text=text)


def organizer_mail(
    *, world_name: str, link: str, join: str, confirm: str, lang: str | None = None
) -> tuple[str, str]:
    """The organizer's own link, mailed when the world is opened from a browser, with the
    link that confirms their address (services.senders)."""
    return _kept(_ORGANIZER, lang, world_name, link=link, join=join, confirm=confirm)


def sender_link(base_url: str, code: str) -> str:
    """The mailed link that confirms an organizer's address: its page asks, its button does."""
    return private_link(base_url, "sender", code)


def sender_mail(*, world_name: str, link: str, lang: str | None = None) -> tuple[str, str]:
    return _kept(_SENDER, lang, world_name, link=link)
