"""``soulmark config`` and docs/settings.md (issue 17 item 2): every setting in one object,
documented from it, shown in effect with its secrets masked."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import soulmark
from soulmark.settings import Config, read_config
from soulmark.settings.reference import reference

DOCS = Path(__file__).resolve().parents[2] / "docs" / "settings.md"
SECRET_HEX = "5ec7e7" * 8
SMTP_PASSWORD = "hunter2-do-not-print"


def test_i17_docs_settings_md_is_generated_from_the_settings_object():
    assert DOCS.read_text(encoding="utf-8") == reference(), (
        "docs/settings.md is out of date: soulmark config --reference > docs/settings.md"
    )


def test_i17_the_reference_names_every_setting_with_its_default():
    text = reference()
    for name, field in Config.model_fields.items():
        line = next(row for row in text.splitlines() if f"`SOULMARK_{name.upper()}`" in row)
        assert field.description and " ".join(field.description.split()) in line
    assert "| `SOULMARK_NOTICE_LEASE_S` | seconds above 0 | `60.0` |" in text


def test_i17_config_masks_the_secret_and_the_smtp_password(cli, monkeypatch):
    monkeypatch.setenv("SOULMARK_SECRET", SECRET_HEX)
    monkeypatch.setenv("SOULMARK_SMTP", f"smtp://notices:{SMTP_PASSWORD}@mail.school.example:587")
    table, as_json = cli("config", db=False), cli("config", "--json", db=False)
    assert table.code == 0 and as_json.code == 0, table.err + as_json.err
    for shown in (table.out, as_json.out):
        assert SECRET_HEX not in shown and SMTP_PASSWORD not in shown
        assert SECRET_HEX[:6] not in shown and "hunter2" not in shown
    assert as_json.json["settings"]["SOULMARK_SMTP"] == "smtp://notices:***@mail.school.example:587"
    assert as_json.json["settings"]["SOULMARK_SECRET"] == "***"
    assert "notices:***@" in table.out, "the user and host stay in sight"


def test_i17_config_shows_the_values_the_environment_sets(cli, monkeypatch):
    monkeypatch.setenv("SOULMARK_BASE_URL", "https://marks.school.example")
    monkeypatch.setenv("SOULMARK_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.0/8")
    monkeypatch.setenv("SOULMARK_NOTICE_LEASE_S", "20")
    r = cli("config", "--json", db=False)
    assert r.code == 0, r.err
    shown = r.json["settings"]
    assert shown["SOULMARK_BASE_URL"] == "https://marks.school.example"
    assert shown["SOULMARK_TRUSTED_PROXIES"] == ["10.0.0.1", "10.0.0.0/8"]
    assert shown["SOULMARK_NOTICE_LEASE_S"] == 20
    assert shown["SOULMARK_INVITES_PER_DAY"] == 5000 and shown["SOULMARK_SECRET"] is None
    assert "SOULMARK_NOTICE_LEASE_S" in r.json["from_environment"]
    assert "SOULMARK_INVITES_PER_DAY" not in r.json["from_environment"]
    table = cli("config", db=False).out
    assert "https://marks.school.example" in table and "environment" in table


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SOULMARK_SECRET", "not-hex"),
        ("SOULMARK_INVITES_PER_DAY", "many"),
        ("SOULMARK_INVITES_PER_HOUR", "0"),
        ("SOULMARK_TRUSTED_PROXIES", "10.0.0.1,proxy.example"),
        ("SOULMARK_NOTICE_LEASE_S", "-5"),
        ("SOULMARK_SMTP", f"http://me:{SMTP_PASSWORD}@mail.example"),
    ],
)
def test_i17_a_bad_setting_is_one_line_naming_it_and_exit_1(cli, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    for args in (("config",), ("worker", "--once")):
        r = cli(*args, db=args[0] != "config")
        assert r.code == 1 and r.err.count("\n") == 1, r.err
        assert r.err.startswith(f"error: {variable}") and SMTP_PASSWORD not in r.err


def test_i17_the_worker_runs_with_the_lease_the_environment_sets(cli, monkeypatch):
    import soulmark.jobs

    seen = []
    real = soulmark.jobs.deliver_due

    def spy(store, settings, *, now_us):
        seen.append(settings)
        return real(store, settings, now_us=now_us)

    monkeypatch.setattr(soulmark.jobs, "deliver_due", spy)
    monkeypatch.setenv("SOULMARK_NOTICE_LEASE_S", "20")
    monkeypatch.setenv("SOULMARK_MAIL_FROM", "notices@school.example")
    r = cli("worker", "--once", "--base-url", "https://marks.school.example")
    assert r.code == 0, r.err
    (used,) = seen
    assert used.lease_s == 20 and used.timeout_s < used.lease_s
    assert used.from_addr == "notices@school.example"
    assert used.base_url == "https://marks.school.example", "an option wins over the settings"
    assert read_config().notices().lease_s == 20


ENVIRONMENT = {"environ", "environb", "getenv", "getenvb", "putenv"}


def _reads_environment(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in ENVIRONMENT and getattr(node.value, "id", None) == "os"
    if isinstance(node, ast.ImportFrom):
        return node.module == "os" and any(a.name in ENVIRONMENT for a in node.names)
    return False


def _environment_reads(root: Path) -> list[str]:
    """Where a module reads the environment, or the settings outside an entry point."""
    found = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            called = isinstance(node, ast.Name) and node.id == "read_config"
            if _reads_environment(node) or (called and where.parts[0] != "cli"):
                found.append(f"{where}:{node.lineno}")
    return found


def test_i21_only_entry_points_read_the_settings_and_nothing_reads_os_environ():
    # pydantic-settings reads the environment for read_config, which the CLI calls.
    assert _environment_reads(Path(soulmark.__file__).parent) == []


def test_i21_the_walk_sees_an_environment_read(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "db.py").write_text("import os\nURL = os.environ.get('X')\n")
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "run.py").write_text("def main():\n    return read_config()\n")
    (tmp_path / "web.py").write_text("def app():\n    environ = {}\n    return read_config()\n")
    (tmp_path / "mail.py").write_text("from os import getenv\n")
    assert _environment_reads(tmp_path) == ["mail.py:1", "store/db.py:2", "web.py:3"]


def test_i21_a_command_reads_the_settings_once_and_uses_them_throughout(cli, monkeypatch, tmp_path):
    common = importlib.import_module("soulmark.cli.common")
    reads = []
    real = common.read_config
    monkeypatch.setattr(common, "read_config", lambda: reads.append(1) or real())
    window = ["--window-start", "2031-01-01", "--window-end", "2031-06-01"]
    world = cli("world", "create", "Once", *window, "--json").json["world"]
    reads.clear()
    monkeypatch.setenv("SOULMARK_INVITES_PER_DAY", "1")
    source = tmp_path / "class.csv"
    source.write_text("email\na@x.test\nb@x.test\n")
    # invite opens the store and takes its quotas from the settings: two uses, one read.
    r = cli("invite", world, "--from-csv", str(source))
    assert r.code == 1 and "at most 1 invitations a day" in r.err, r.err
    assert len(reads) == 1
