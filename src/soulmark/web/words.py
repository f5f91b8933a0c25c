"""Words for people: what a state, a note or an error says, in the viewer's language.

The services speak in states and in one-line English errors, each with a stable code (the
CLI keeps the English).  People read sentences from the catalogs instead: this module turns
a note or an error's code into plain words (a wrist's own sentences are
soulmark.services.wrist_words).  SPEC state names never reach a page.
"""

from __future__ import annotations

from typing import Any

from soulmark.i18n import N_
from soulmark.web.lang import Speech

__all__ = [
    "ERROR_WORDS",
    "api_error",
    "error_text",
    "PREVIEW",
    "SHARE_CARD",
    "SHARE_TITLE",
    "WORLD_CARD",
    "UNCONFIRMED",
]

WORLD_CARD = N_(
    "Join %(world)s on soulmark: a name appears on your wrist, once, and you choose when to look."
)
SHARE_CARD = N_(
    "A friend is showing you their wrist on soulmark as it changes. The name stays theirs to tell."
)
SHARE_TITLE = N_("A friend's wrist")
PREVIEW = N_("This is how your name will be written on your soulmate's wrist.")
UNCONFIRMED = N_(
    "Your join is waiting for the confirmation link we mailed you. It counts once you open it."
)


ERROR_WORDS: dict[str, str] = {
    "invalid-request": N_("Something in the request is missing or not right: %(fields)s."),
    "invitations-neither": N_("Send either a CSV file's text or a list of invitations."),
    "leave-unconfirmed": N_("Leaving cannot be undone: say that you are sure to leave."),
    "transcript-format": N_("This is not a soulmark fate transcript."),
    "push-invalid": N_("This device's browser gave a subscription that cannot be used."),
    "push-too-many": N_("A wrist can send notices to at most %(n)s devices. Remove one first."),
    "push-unknown": N_("This wrist has no such device."),
    "device-unknown": N_("This wrist has no such signed-in device."),
    "session-missing": N_(
        "This browser has no wrist open. Open your private link again, or ask for a sign-in "
        "mail on your world's page."
    ),
    "push-off": N_("This site does not send notices to devices."),
    "once-too-long": N_("This form is out of date. Reload the page and try again."),
    "share-retry": N_("That did not go through. Please press the button again."),
    "link-name-invalid": N_(
        "Give the organizer link a short name of its own (not “main”, which is the world's)."
    ),
    "person-slip": N_("This person joined with a slip and has no address to mail."),
    "slips-domain": N_("A world open to one email domain cannot have join slips."),
    "slips-many": N_("This world already has as many unused join slips as it can hold."),
    "report-unknown": N_("This world has no report with that id."),
    "wrist-unknown": N_("This wrist link does not work. Check that you copied all of it."),
    "share-unknown": N_("This share link does not work."),
    "link-unknown": N_("This link does not work. Check that you copied all of it."),
    "share-revoked": N_("This share link has been turned off."),
    "email-domain": N_("Only @%(domain)s addresses can join this world."),
    "name-empty": N_("Please write your name."),
    "name-too-long": N_("Your name can be at most %(n)s characters long."),
    "name-control": N_("Your name holds an invisible control character. Please type it again."),
    "name-hidden": N_(
        "Your name hides an invisible character inside it. Please type it again without it."
    ),
    "name-lookalike": N_(
        "This name looks too much like one already in this world. Add something that tells "
        "you apart, such as a second name or an initial."
    ),
    "email-invalid": N_("That does not look like an email address."),
    "world-unknown": N_("There is no world at this address."),
    "organizer-unknown": N_("This organizer link does not work."),
    "confirmation-unknown": N_("This confirmation link does not work."),
    "confirmation-used": N_("This confirmation link has already been used."),
    "form-expired": N_("This form has expired. Reload the page and try again."),
    "look-first-reach": N_("Look at your wrist before you reach out."),
    "look-first-show": N_("Look at your wrist before you show the name to a friend."),
    "nothing-to-read": N_("There is nothing to read yet."),
    "transcript-missing": N_("Paste a transcript or choose its file."),
    "transcript-too-large": N_("That transcript is too large."),
    "exclusion-self": N_("That is your own address."),
    "exclusions-too-many": N_("You can name at most %(n)s people."),
    "exclusions-room": N_(
        "With %(n)s people in your draw so far, you can name at most %(room)s: everyone keeps "
        "at least half of the draw as possible partners."
    ),
    "exclusions-frozen": N_("Fate has been drawn, so your never-with list can no longer change."),
    "seal-groups-tight": N_(
        "Your exclusion groups leave someone fewer than half of the round as possible "
        "partners, or allow no pairing at all. Change the groups, then draw fate. Nothing was "
        "drawn."
    ),
    "server-error": N_("Something went wrong on our side. Nothing was lost."),
    "database-unreachable": N_(
        "We cannot reach our database for a moment. Nothing was lost: try again in a few seconds."
    ),
    "streams-full": N_("Too many live pages are open here right now. Try again in a moment."),
    "streams-per-client": N_(
        "Too many live pages are open from your address. Close some, then try again."
    ),
    "not-found": N_("There is no page at this address."),
    "method-not-allowed": N_("This page cannot be opened like that. Go back and try again."),
    "seal-unconfirmed": N_("Tick the box to confirm: drawing fate cannot be undone."),
    "retention-past": N_("The date must be in the future."),
    "label-too-long": N_("A share link's label can be at most %(n)s characters long."),
    "contact-empty": N_("Please write what to pass them."),
    "contact-too-long": N_("What you pass can be at most %(n)s characters long."),
    "contact-too-many-words": N_(
        "What you pass can be at most %(n)s words: a handle or an address is enough."
    ),
    "contact-control": N_("What you pass must fit on one line, without invisible characters."),
    "contact-hidden": N_("What you pass must fit on one line, without invisible characters."),
    "name-sealed": N_("Fate has been drawn, so your name can no longer change."),
    "contact-passed": N_("You have both reached out: your contact has already been passed on."),
    "invitation-spent": N_(
        "This invitation has expired or was already used. Ask the organizer for a new one."
    ),
    "invitations-invalid": N_(
        "Line %(n)s of the list is not right. Check that it holds one valid address. "
        "Nothing was sent."
    ),
    "invitations-domain": N_(
        "Everyone on this list must have an address at %(domain)s. Nothing was sent."
    ),
    "invitations-header": N_(
        "The list needs a first line that names its columns, one of them email (name and "
        "group are optional). Nothing was sent."
    ),
    "invitations-missing": N_("Choose the CSV file to send."),
    "inviter-invalid": N_(
        "Your name for the invitations must fit on one line, in at most 60 characters. "
        "Nothing was sent."
    ),
    "joins-closed": N_("The organizer has closed joining for now."),
    "person-joined": N_("This person has joined already: there is no invitation to send again."),
    "person-unknown": N_("Nobody on the list has this id. Reload the page and try again."),
    "roster-frozen": N_(
        "This draw's public beacon is due: its list of people is fixed, and nobody can be removed."
    ),
    "reason-invalid": N_("The reason must fit on one line, in at most 300 characters."),
    "message-invalid": N_(
        "Write a message of 1 to 2,000 characters, without invisible characters."
    ),
    "message-quota": N_("A world can send at most %(n)s messages a day. Try again tomorrow."),
    "beacon-out": N_(
        "This draw's public beacon is already out, so its fingerprint cannot change now."
    ),
    "seal-at-past": N_("The planned draw must be later than now."),
    "seal-at-late": N_("That moment leaves too little time for the marks to appear."),
    "signin-spent": N_("This sign-in link has expired or was already used. Ask for a new one."),
    "time-zone-unknown": N_(
        "%(zone)s is not a time zone we know. Choose one from the list, such as Asia/Tokyo."
    ),
    "window-date": N_("Write a date such as 2027-04-01, or a date and a time."),
    "window-order": N_("The last day must come after the first."),
    "window-short": N_("The dates must leave at least a minute."),
    "window-long": N_("The dates can be at most 100 years apart."),
    "seal-empty": N_("Nobody has joined yet, so there is no fate to draw."),
    "seal-one": N_("Only one person has joined: fate needs at least two."),
    "invite-code": N_("Opening a world here needs an invite code from this site."),
    "sender-unconfirmed": N_(
        "Invitations leave once you confirm your own address. Open the link we mailed you, or "
        "ask for a new one on this page. Nothing was sent."
    ),
    "sender-confirmed": N_("Your address is confirmed already."),
    "sender-unknown": N_("This confirmation link does not work. Ask for a new one."),
    "invite-quota-world": N_(
        "A world can send at most %(n)s invitations a day; %(left)s can leave now. Nothing "
        "was sent."
    ),
    "invite-quota-site": N_(
        "This site has sent as many invitations as it may this hour. Try again later. "
        "Nothing was sent."
    ),
    "unsubscribe-unknown": N_(
        "This unsubscribe link does not work. It may be from a world whose data was erased."
    ),
    "unsubscribe-body": N_(
        "An unsubscribe is sent with its button, which posts List-Unsubscribe=One-Click."
    ),
    "slip-spent": N_(
        "This slip was used already, or the code is not right. Check it, or ask your teacher "
        "for another slip."
    ),
    "slips-count": N_("Make between 1 and %(n)s slips at once."),
    "report-early": N_("You can report a name once you have looked at it."),
    "not-main-organizer": N_("Only the world's own organizer link can make or revoke links."),
    "too-many-worlds": N_("Too many worlds were opened from here. Try again in an hour."),
    "too-many-signins": N_(
        "Too many sign-in links were asked for from here. Try again in ten minutes."
    ),
    "too-many-attempts": N_(
        "Too many links that do not work were tried from here. Try again in a minute."
    ),
}
"""An error's words for people, by its code (SoulmarkError.code): never by its English."""
_INVALID_FORM = N_("Something in the form is missing or not right. Please check it and try again.")
_UNKNOWN = N_("That could not be done.")


def error_text(
    message: str, status: int, speech: Speech, code: str = "", params: dict[str, Any] | None = None
) -> str:
    """An error in plain words by its code; one without words (an unknown code) says
    ``message`` with a capital in English, and that it could not be done in another language."""
    if code in ERROR_WORDS:
        return speech.gettext(ERROR_WORDS[code], **(params or {}))
    if status == 422:
        return speech.gettext(_INVALID_FORM)
    if speech.code != "en":
        return speech.gettext(_UNKNOWN)
    return message[:1].upper() + message[1:]


def api_error(
    message: str, speech: Speech, code: str = "", params: dict[str, Any] | None = None
) -> str:
    """The API's one line: the English as the CLI says it, or its words in the asker's language."""
    if speech.code == "en" or code not in ERROR_WORDS:
        return message
    return speech.gettext(ERROR_WORDS[code], **(params or {}))
