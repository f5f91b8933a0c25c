"""Schemathesis over the whole JSON API at length (issue 5 item 6): the table of a long run.

    python -m bench.fuzz --calls 10000

The fuzzer itself is the tests' (tests/harness/fuzz.py): a store seeded with a sealed world of
long, distinctive names, real tokens in the generated calls, and every response checked for
5xx, schema conformance and any byte of a seeded name (R6, B2).
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections import Counter
from pathlib import Path

from tests.harness.fuzz import FuzzReport, fuzz

from bench.common import fresh_db, header, table, write
from soulmark.store import open_store


def _kinds(report: FuzzReport) -> Counter[str]:
    out: Counter[str] = Counter()
    for key, n in report.violations.items():
        out[key.split(" · ")[0]] += n
    return out


PARSER_ROWS = [
    [
        "arbitrary bytes -> `load_transcript` + `audit`: TranscriptError or mismatches",
        "300 + 2 pinned",
        "holds",
    ],
    ["any JSON in every transcript field (right header) -> only mismatches", "300", "holds"],
    ["1-4 top-level fields replaced by any JSON -> a mismatch is reported", "300", "holds"],
    ["any cell of any transcript line replaced by any JSON -> detected", "200", "holds"],
    [
        "arbitrary text -> `beacon.parse_spec`: a spec or a one-line InvalidInput",
        "500 + 4 pinned",
        "holds after the fix below",
    ],
    ["`quicknet@<any moment>` -> a spec or InvalidInput", "300", "holds"],
    ["`quicknet:N` round-trips, N in 1..10^12", "100", "holds"],
    [
        "CSV of generated rows (valid, invalid, duplicate, multi-line), batches of 1-5 -> "
        "every valid row stored as written, every bad row named by its line",
        "60",
        "holds",
    ],
    [
        "arbitrary text as a CSV -> a report or a one-line SoulmarkError",
        "60 + 5 pinned",
        "holds after the fix below",
    ],
]
PARSERS_NOTE = """
Found and fixed (service module): a field larger than `csv.field_size_limit()` escaped
`join_csv` as `_csv.Error` (a 500 in the organizer's intake); it is now a one-line
InvalidInput naming the line (src/soulmark/services/intake.py, `_records`).

Found and fixed (core): `parse_spec("quicknet:²")` raised ValueError instead of
InvalidInput: `str.isdigit()` accepts superscript digits that `int()` rejects, and a round of
more than 4300 digits did the same; a round is now 1-18 ASCII digits
(src/soulmark/core/beacon.py, `parse_spec`;
`tests/fuzz/test_fuzz_parsers.py::test_b1_beacon_round_with_other_digits_is_refused`).
"""


def parsers_section() -> str:
    head = (
        "\n## Hypothesis on the parsers\n\n`python -m pytest tests/fuzz/test_fuzz_parsers.py`"
        " (names, emails and windows: tests/core/test_core_validate.py; field tampering:"
        " tests/core/test_core_audit.py).\n\n"
    )
    return head + table(["property", "examples per run", "outcome"], PARSER_ROWS) + PARSERS_NOTE


def render(report: FuzzReport, backend: str, seed_value: int) -> str:
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(report.statuses.items()))
    rows = [
        ["generated calls", report.calls],
        ["calls with a real wrist, share or organizer token", report.real_tokens],
        ["... answered 2xx, by token", ", ".join(f"{k}: {n}" for k, n in report.reached.items())],
        ["operations covered", len(report.operations)],
        ["responses 5xx (or exceptions)", len(report.server_errors)],
        ["schema violations", sum(report.violations.values())],
        ["partner-name bytes before legible", len(report.leaks)],
        ["statuses", statuses],
        ["time", f"{report.seconds:.0f} s"],
    ]
    body = header("Fuzzing: schemathesis over the JSON API") + f"{backend}, seed {seed_value}\n\n"
    body += table(["figure", "value"], rows)
    kinds = [[k, n] for k, n in _kinds(report).most_common()]
    if kinds:
        body += "\nSchema violations by check:\n\n" + table(["check", "responses"], kinds)
        worst = [[k, n] for k, n in report.violations.most_common(40)]
        body += "\nBy operation and status:\n\n" + table(["check · operation · status", "n"], worst)
    for title, items in (("5xx", report.server_errors), ("Leaks", report.leaks)):
        if items:
            body += f"\n### {title}\n\n" + "\n".join(f"- `{x}`" for x in items[:30]) + "\n"
    return body + parsers_section()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", default="fuzz", help="results file name under bench/results")
    args = parser.parse_args()
    seed_value = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    with (
        tempfile.TemporaryDirectory(prefix="soulmark-fuzz-") as tmp,
        fresh_db(args.backend, Path(tmp)) as url,
    ):
        store = open_store(url)
        try:
            report = fuzz(store, args.calls, seed_value)
        finally:
            store.close()
    write(args.out, render(report, args.backend, seed_value))
    raise SystemExit(1 if report.server_errors or report.leaks or report.violations else 0)


if __name__ == "__main__":
    main()
