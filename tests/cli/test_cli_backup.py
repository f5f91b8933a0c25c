"""``soulmark backup`` and ``soulmark restore`` (issue 17): one line for every bad input."""

from __future__ import annotations

from pathlib import Path

from soulmark.store import open_store


def test_i17_backup_and_restore_refuse_bad_paths_in_one_line(db_url: str, tmp_path: Path, cli):
    open_store(db_url).close()
    taken = tmp_path / "taken"
    taken.write_text("x")
    r = cli("backup", str(taken))
    assert r.code == 1 and "exists already" in r.err and "Traceback" not in r.err
    r = cli("restore", str(tmp_path / "missing.db"), "--yes")
    assert r.code == 1 and "no backup" in r.err
    r = cli("restore", str(taken))
    assert r.code == 1 and "--yes" in r.err
    if db_url.startswith("sqlite"):
        r = cli("restore", str(taken), "--yes")
        assert r.code == 1 and "not a SQLite backup" in r.err
    assert cli("backup", str(tmp_path / "fine.backup")).code == 0
