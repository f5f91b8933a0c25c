"""B6: one round sealed at once by a server (two POSTs), a thread and another process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.harness.seal_race import RaceReport, judge, races_with_server

RACES = 6


@pytest.mark.slow
def test_b6_raced_seals_write_one_transcript_and_identical_marks(
    db_url: str, tmp_path: Path
) -> None:
    seed = int.from_bytes(os.urandom(4), "little")
    report = races_with_server(db_url, RACES, seed, tmp_path)
    print(report)
    assert report.failures == []
    assert report.races == report.one_writer == report.one_transcript == report.marks_match
    assert report.contenders == 4 * RACES


def test_the_judge_refuses_two_writers_or_two_seeds() -> None:
    # Never reaches the store: the outcomes alone already fail.
    report = RaceReport(races=1)
    judge(None, "w", [("a", False, "s1"), ("b", False, "s1")], report)  # type: ignore[arg-type]
    judge(None, "w", [("a", False, "s1"), ("b", True, "s2")], report)  # type: ignore[arg-type]
    judge(None, "w", [("a", False, "s1"), ("b", None, "boom")], report)  # type: ignore[arg-type]
    assert len(report.failures) == 3
    assert report.one_writer == 0
