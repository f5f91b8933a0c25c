"""The pure core of soulmark: fate, marks, wrists and transcripts.  No I/O, no web, no database."""

from soulmark.core.audit import Mismatch, audit, load_transcript
from soulmark.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    SoulmarkError,
    TranscriptError,
)
from soulmark.core.fate import CORE_ENGINES, EXACT_SHUFFLE, Engines, ExactShuffle, Pairing, pair_up
from soulmark.core.marks import Mark, MarkParams, Window, scaled, schedule_pair
from soulmark.core.stream import Stream
from soulmark.core.transcript import commitment, seal_transcript
from soulmark.core.validate import check_window, clean_email, clean_name
from soulmark.core.wrist import STROKES, WristState, wrist_at

__all__ = [
    "CORE_ENGINES",
    "EXACT_SHUFFLE",
    "Engines",
    "STROKES",
    "Conflict",
    "ExactShuffle",
    "InvalidInput",
    "Mark",
    "MarkParams",
    "Mismatch",
    "NotFound",
    "Pairing",
    "SoulmarkError",
    "Stream",
    "TranscriptError",
    "Window",
    "WristState",
    "audit",
    "check_window",
    "clean_email",
    "clean_name",
    "commitment",
    "load_transcript",
    "pair_up",
    "scaled",
    "schedule_pair",
    "seal_transcript",
    "wrist_at",
]
