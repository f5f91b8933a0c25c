"""Domain errors: each carries a one-line message meant for a person.

They say what went wrong, not how a transport reports it: the web maps each type to an
HTTP status (soulmark.web.errors), the CLI to an exit code.
"""

from __future__ import annotations

__all__ = ["SoulmarkError", "InvalidInput", "NotFound", "Conflict", "TranscriptError"]


class SoulmarkError(Exception):
    """Base of every error soulmark reports to a person.

    ``str(error)`` is the English line (the CLI prints it, the API returns it).  ``code``, when
    set, names the kind of error for good: the web says it in the reader's language by that
    code (soulmark.web.words), never by reading the English; ``params`` are the values those
    words need (``n=100``, ``domain="ua.example"``).
    """

    def __init__(self, message: str, /, *, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class InvalidInput(SoulmarkError):
    """The request itself is wrong (a name, an address, a file): fixing it helps."""


class NotFound(SoulmarkError):
    """No world, round, wrist or link answers to that."""


class Conflict(SoulmarkError):
    """Well-formed, but the state does not allow it (already joined, nothing to read yet)."""


class TranscriptError(SoulmarkError):
    """A transcript that cannot be audited at all (not JSON, wrong format or version)."""
