"""Domain errors: each carries a one-line message meant for a person."""

from __future__ import annotations

__all__ = ["SoulmarkError", "InvalidInput", "NotFound", "Conflict", "TranscriptError"]


class SoulmarkError(Exception):
    """Base of every error soulmark reports to a person."""

    status = 400


class InvalidInput(SoulmarkError):
    status = 422


class NotFound(SoulmarkError):
    status = 404


class Conflict(SoulmarkError):
    status = 409


class TranscriptError(SoulmarkError):
    """A transcript that cannot be audited at all (not JSON, wrong format or version)."""
