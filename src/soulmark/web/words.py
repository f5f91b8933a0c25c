"""Words for people: what a state, a note or an error says, in the viewer's language.

The services speak in states and in one-line English errors (the CLI and the API's
``{"error": ...}`` keep those).  People read sentences from the catalogs instead: this module
turns a state into a sentence and a known error into plain words.  SPEC state names never
reach a page.
"""

from __future__ import annotations

import re
from typing import Any

from soulmark.i18n import N_
from soulmark.web.lang import Speech

__all__ = ["error_text", "friend_message", "joined_note", "wrist_message", "PREVIEW", "UNCONFIRMED"]

PREVIEW = N_("This is how your name will be written on your soulmate's wrist.")
UNCONFIRMED = N_(
    "Your join is waiting for the confirmation link we mailed you. It counts once you open it."
)

_WRIST = {
    "bare": N_("Nothing on your wrist yet."),
    "itching": N_("Your wrist tingles."),
    "inking": N_("Ink is rising on your wrist. It cannot be read yet."),
    "covered": N_("It stopped. A name is ready under the bandage; look whenever you want."),
    "revealed": N_("The name on your wrist."),
}
_NOT_DRAWN = N_("Fate has not been drawn yet.")
_LEFT_OUT = N_(
    "Last time, fate had no match for you: that happens, and it says nothing about you. "
    "You are in the next draw."
)

_FRIEND = {
    "bare": N_("Nothing on their wrist yet."),
    "itching": N_("Their wrist tingles."),
    "inking": N_("Ink is rising on their wrist. Nobody can read it yet."),
    "covered": N_("It stopped. A name waits under the bandage until they choose to look."),
    "revealed": N_("They have looked. The name is theirs to tell."),
}
_FRIEND_SHOWN = N_("They have looked, and they chose to show you the name.")


def wrist_message(view: Any, speech: Speech) -> str:
    """The bearer's sentence for their wrist (the service's English stays in the CLI)."""
    text = speech.gettext(_WRIST.get(view.state, _WRIST["bare"]))
    if not view.sealed:
        text += " " + speech.gettext(_LEFT_OUT if view.left_out else _NOT_DRAWN)
    return text


def friend_message(view: Any, speech: Speech) -> str:
    if view.state == "revealed" and getattr(view, "name", None):
        return speech.gettext(_FRIEND_SHOWN)
    return speech.gettext(_FRIEND.get(view.state, _FRIEND["bare"]))


def joined_note(joined: dict[str, Any], speech: Speech) -> str:
    if joined.get("confirmation"):
        return speech.gettext(
            N_("We sent a link to your address. Your join counts once you open it.")
        )
    if str(joined.get("note", "")).startswith("joins for round"):
        return speech.gettext(
            N_("Joining for this draw had just closed, so you are in the next one.")
        )
    if int(joined.get("round", 1)) > 1:
        return speech.gettext(
            N_("Fate has already been drawn once in this world, so you are in the next draw.")
        )
    return speech.gettext(N_("Fate has not been drawn yet. We will write when your wrist tingles."))


_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), m)
    for p, m in (
        (
            r"^no wrist has that token",
            N_("This wrist link does not work. Check that you copied all of it."),
        ),
        (r"^no wrist is shared with that link", N_("This share link does not work.")),
        (r"^this share link has been revoked", N_("This share link has been turned off.")),
        (r"^this wrist has no such share link", N_("This share link does not work.")),
        (
            r"has already joined .*confirmation link",
            N_("This address has already joined. It is waiting for the confirmation link we sent."),
        ),
        (r"has already joined", N_("This address has already joined this world.")),
        (
            r"is open to @(?P<domain>\S+) addresses only",
            N_("Only @%(domain)s addresses can join this world."),
        ),
        (r"^the name is empty|^the name has no visible character", N_("Please write your name.")),
        (
            r"^the name is longer than (?P<n>\d+) characters",
            N_("Your name can be at most %(n)s characters long."),
        ),
        (
            r"^the name holds",
            N_("Your name holds an invisible control character. Please type it again."),
        ),
        (r"^not a valid email address", N_("That does not look like an email address.")),
        (r"^no world called", N_("There is no world at this address.")),
        (r"^no world has that organizer token", N_("This organizer link does not work.")),
        (r"^no join waits for that confirmation link", N_("This confirmation link does not work.")),
        (
            r"^this confirmation link has already been used",
            N_("This confirmation link has already been used."),
        ),
        (r"^this form has expired", N_("This form has expired. Reload the page and try again.")),
        (
            r"^look at your wrist before reaching out",
            N_("Look at your wrist before you reach out."),
        ),
        (
            r"^look at your wrist before showing",
            N_("Look at your wrist before you show the name to a friend."),
        ),
        (r"^there is nothing to read yet", N_("There is nothing to read yet.")),
        (r"^paste a transcript", N_("Paste a transcript or choose its file.")),
        (r"^that transcript is too large", N_("That transcript is too large.")),
        (r"^that is your own address", N_("That is your own address.")),
        (r"^you may name at most (?P<n>\d+) people", N_("You can name at most %(n)s people.")),
        (
            r"^your never-with list is frozen",
            N_("Fate has been drawn, so your never-with list can no longer change."),
        ),
        (
            r"^something went wrong on our side",
            N_("Something went wrong on our side. Nothing was lost."),
        ),
        (r"^Not Found$", N_("There is no page at this address.")),
        (
            r"^Method Not Allowed$",
            N_("This page cannot be opened like that. Go back and try again."),
        ),
        (
            r"^tick the box to confirm",
            N_("Tick the box to confirm: drawing fate cannot be undone."),
        ),
        (r"^the retention date must be in the future", N_("The date must be in the future.")),
        (
            r"^the contact is empty|^the contact has no visible character",
            N_("Please write what to pass them."),
        ),
        (
            r"^the contact is longer than (?P<n>\d+) characters",
            N_("What you pass can be at most %(n)s characters long."),
        ),
        (
            r"^the contact is more than (?P<n>\d+) words",
            N_("What you pass can be at most %(n)s words: a handle or an address is enough."),
        ),
        (
            r"^the contact holds",
            N_("What you pass must fit on one line, without invisible characters."),
        ),
        (
            r"^your round is sealed: your name",
            N_("Fate has been drawn, so your name can no longer change."),
        ),
        (
            r"^your contact has already been passed on|^you have both reached out",
            N_("You have both reached out: your contact has already been passed on."),
        ),
    )
]
_INVALID_FORM = N_("Something in the form is missing or not right. Please check it and try again.")
_UNKNOWN = N_("That could not be done.")


def error_text(message: str, status: int, speech: Speech) -> str:
    """A known error in plain words; an unknown one starts with a capital (English only)."""
    for pattern, msgid in _ERRORS:
        found = pattern.search(message)
        if found:
            return speech.gettext(msgid, **found.groupdict())
    if status == 422:
        return speech.gettext(_INVALID_FORM)
    if speech.code != "en":
        return speech.gettext(_UNKNOWN)
    return message[:1].upper() + message[1:]
