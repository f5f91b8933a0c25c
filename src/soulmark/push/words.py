"""What a push says: fixed words per kind and language, padded to one size (R6, B5).

A payload is written from the kind, the reader's language and the bearer's own world only;
the partner is never read.  Its plaintext is always :data:`SIZE` bytes, so neither the push
service nor anyone watching the wire learns a length, and the words never hold a name: the
name is read on the wrist, when its bearer chooses.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from soulmark.core.links import world_wrist_url
from soulmark.i18n import DEFAULT, N_, translations

__all__ = ["KINDS", "PREFIX", "SIZE", "open_path", "payload", "push_kind", "base_kind"]

PREFIX = "push-"
"""A push's notice kind is the mail's with this in front (``push-tingles``)."""
SIZE = 1024
"""Bytes of every payload's plaintext, before RFC 8291 encryption (which adds the same
86-byte header and 17-byte tag to each)."""
WORLD_CHARS = 40
"""Characters of a world's name a push keeps: enough to know which world it is."""

KINDS: dict[str, tuple[str, str]] = {
    "tingles": (
        N_("Your wrist tingles"),
        N_("Something has begun in %(world)s. Nothing can be read yet."),
    ),
    "stopped": (
        N_("It stopped"),
        N_("The tingle is gone in %(world)s. Look whenever you are ready: there is no hurry."),
    ),
    "reached": (
        N_("You both reached out"),
        N_("Open your wrist in %(world)s to see how to reach each other."),
    ),
    "unpaired": (
        N_("Your wrist has news"),
        N_("Open your wrist in %(world)s: there is word about this draw."),
    ),
}
"""The kinds a push carries: the mail's "tingles" and "stopped", and the two notices of
issue 19 item 5 (queued with :func:`soulmark.push.rows.queue_push`)."""


def push_kind(kind: str) -> str:
    return PREFIX + kind


def base_kind(kind: str) -> str:
    return kind.removeprefix(PREFIX)


def open_path(slug: str) -> str:
    """Where a click on the notification goes: this browser's wrist in that world, found
    by its own session cookie (``/wrist/me``), never a token."""
    return world_wrist_url(slug)


def _short(world: str) -> str:
    return world if len(world) <= WORLD_CHARS else world[: WORLD_CHARS - 1].rstrip() + "\u2026"


def _fields(kind: str, lang: str, world: str, slug: str) -> dict[str, Any]:
    say = translations(lang).gettext
    title, body = KINDS[kind]
    return {
        "v": 1,
        "kind": kind,
        "lang": lang,
        "title": say(title),
        "body": say(body) % {"world": f"\u201c{world}\u201d"} if world else say(title),
        "open": open_path(slug),
        "tag": f"soulmark-{slug}",
    }


def _encoded(fields: dict[str, Any], pad: int) -> bytes:
    return json.dumps({**fields, "pad": " " * pad}, ensure_ascii=False).encode()


@lru_cache(maxsize=512)
def payload(kind: str, *, lang: str | None, world: str, slug: str) -> bytes:
    """The plaintext of one push: a JSON object of exactly :data:`SIZE` bytes."""
    lang = lang or DEFAULT
    fields = _fields(kind, lang, _short(world), slug)
    bare = _encoded(fields, 0)
    if len(bare) > SIZE:  # a world name of many wide characters: it gives way, not the size
        fields = _fields(kind, lang, "", slug)
        bare = _encoded(fields, 0)
    if len(bare) > SIZE:
        raise ValueError("a push's words do not fit its fixed size")
    out = _encoded(fields, SIZE - len(bare))
    assert len(out) == SIZE
    return out
