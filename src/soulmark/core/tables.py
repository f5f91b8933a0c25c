"""CSV as spreadsheets write it: a BOM, headers in any case, commas, semicolons or tabs.

Excel writes ``Email`` and, in much of Europe, separates with semicolons; Numbers and Google
Sheets export tabs on request; every one of them may leave blank rows at the end.  The
separator is read from the header line (the one of the three it uses most), headers are
compared trimmed and case-folded, and rows with nothing in them are skipped.  Each row keeps
its line number, so an error can say where it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

__all__ = ["SEPARATORS", "read_rows", "separator_of"]

SEPARATORS = (",", ";", "\t")


def separator_of(header: str) -> str:
    """The separator the header line uses most (a comma when it uses none)."""
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_rows(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header's names (trimmed, lower case) and each non-blank row with its line number.

    Raises csv.Error as the csv module does (the caller names the line)."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator_of(first))
    header = [name.strip().casefold() for name in next(reader, [])]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            yield reader.line_num, dict(zip(header, values, strict=False))

    return header, rows()
