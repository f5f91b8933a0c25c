"""The wrist's sentences, to its bearer and to a friend: the one place they are written.

Each is marked for the catalogs and said in English as it stands (the CLI, the services'
JSON); a page or a JSON answer for people passes its reader's ``gettext`` instead.  A
sentence says the state and nothing else: it is the same whoever the partner is (R6).
"""

from __future__ import annotations

from collections.abc import Callable

from soulmark.i18n import N_

__all__ = [
    "LEFT_OUT",
    "LEFT_OUT_NONE",
    "Say",
    "bearer_sentence",
    "friend_sentence",
    "left_out_words",
]

Say = Callable[[str], str]
"""A ``gettext``: a sentence as written here, in its reader's language."""

_BEARER = {
    "bare": N_("Nothing on your wrist yet."),
    "itching": N_("Your wrist tingles."),
    "inking": N_("Ink is rising on your wrist. It cannot be read yet."),
    "covered": N_("It stopped. A name is ready under the bandage."),
    "revealed": N_("The name on your wrist."),
}
_NOT_DRAWN = N_("Fate has not been drawn yet.")
LEFT_OUT = N_(
    "Last time, fate had no match for you: that happens, and it says nothing about you. "
    "You are in the next draw."
)
LEFT_OUT_NONE = N_(
    "Last time, fate had no match for you: that happens, and it says nothing about you. "
    "No further draw is planned in this world, so your wrist stays bare here."
)
"""What the left out read where no next draw can come (joins closed): no promise of one."""

_FRIEND = {
    "bare": N_("Nothing on their wrist yet."),
    "itching": N_("Their wrist tingles."),
    "inking": N_("Ink is rising on their wrist. Nobody can read it yet."),
    "covered": N_("It stopped. A name waits under the bandage until they choose to look."),
    "revealed": N_("They have looked. The name is theirs to tell."),
}
_FRIEND_SHOWN = N_("They have looked, and they chose to show you the name.")


def _as_written(sentence: str) -> str:
    return sentence


def left_out_words(next_draw: bool) -> str:
    """What a wrist fate left out reads: a next draw only where one can come (issue 19)."""
    return LEFT_OUT if next_draw else LEFT_OUT_NONE


def bearer_sentence(
    state: str, *, sealed: bool, left_out: bool, next_draw: bool = True, say: Say = _as_written
) -> str:
    """What the bearer reads on their wrist in ``state``; a round not drawn yet says why they
    wait, kindly when fate left them unmatched (R9)."""
    text = say(_BEARER.get(state, _BEARER["bare"]))
    if not sealed:
        text += " " + say(left_out_words(next_draw) if left_out else _NOT_DRAWN)
    return text


def friend_sentence(state: str, *, shown: bool, say: Say = _as_written) -> str:
    """What a friend reads on a share link; ``shown``: the bearer shows them the name (B5)."""
    if state == "revealed" and shown:
        return say(_FRIEND_SHOWN)
    return say(_FRIEND.get(state, _FRIEND["bare"]))
