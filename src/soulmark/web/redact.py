"""No token in this app's logs (issue 22 item 12): what a log line keeps of a private path.

New links carry their token after ``#`` and never reach a server; old ones
(``/wrist/<token>``...) still arrive in paths, and the sessions' own rewrite puts the token
back into the path the access log reads.  A token keeps only its kind (``w_…``); any other
segment in a token's place (a token without its prefix, a mangled one) is masked whole,
as docs/deploy.md's nginx map does.  A session's name (``me-<handle>``) stays: it opens
nothing by itself.
"""

from __future__ import annotations

import logging
import re

from soulmark.core.links import KINDS

__all__ = ["TokenRedactor", "mask"]

_TOKEN = re.compile(r"\b([wsocku])_[A-Za-z0-9_-]{16,}")
_SEGMENT = re.compile(
    r"(?<!/api)(/(?:" + "|".join(KINDS) + r")/)"
    r"(?!me(?:-[0-9a-f]{16})?(?:[/?#\s\"]|$))(?![wsocku]_…)([^/?#\s\"]+)",
    re.IGNORECASE,
)


def mask(text: str) -> str:
    """``text`` (a path, a request line) with each token replaced by its kind."""
    return _SEGMENT.sub(r"\1…", _TOKEN.sub(r"\1_…", text))


class TokenRedactor(logging.Filter):
    """Private links hold tokens; access logs keep only their kind (``w_…``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        return True
