"""The version comes from one place (issue 17): pyproject.toml, as installed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import soulmark

ROOT = Path(__file__).resolve().parents[2]


def test_i17_the_version_is_the_one_pyproject_names(cli):
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert soulmark.__version__ == declared
    r = cli("--version", db=False)
    assert r.code == 0 and r.out.strip() == f"soulmark {declared}"


def test_i17_the_changelog_has_an_entry_for_this_version():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f"## {declared}" in (ROOT / "CHANGELOG.md").read_text()
