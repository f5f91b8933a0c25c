"""``soulmark push keys`` (issue 19 item 2): the instance's VAPID key pair is made once and
kept; a bad place for it is one line, not a traceback."""

from __future__ import annotations

import os
import stat


def test_push_keys_are_made_once_and_then_kept(cli, tmp_path, monkeypatch) -> None:
    path = tmp_path / "keys" / "vapid.pem"
    monkeypatch.setenv("SOULMARK_PUSH_KEY", str(path))
    first = cli("push", "keys", "--json", db=False)
    assert first.code == 0 and first.json["made"] is True and first.json["path"] == str(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    written = path.read_bytes()
    again = cli("push", "keys", "--json", db=False)
    assert again.json == {**first.json, "made": False}
    assert path.read_bytes() == written  # never replaced: every subscription holds its key
    human = cli("push", "keys", db=False)
    assert "kept" in human.out and first.json["public_key"] in human.out.replace("\n", "")


def test_push_keys_in_a_place_that_cannot_hold_them_is_one_line(cli, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SOULMARK_PUSH_KEY", str(blocker / "vapid.pem"))
    got = cli("push", "keys", db=False)
    assert got.code == 1 and "Traceback" not in got.err
    assert "cannot write the push key" in got.err and len(got.err.strip().splitlines()) == 1


def test_a_push_contact_that_is_no_mailto_or_https_is_refused(cli, monkeypatch) -> None:
    monkeypatch.setenv("SOULMARK_PUSH_CONTACT", "ops@example.org")
    got = cli("config", db=False)
    assert got.code != 0 and "SOULMARK_PUSH_CONTACT" in got.err and "Traceback" not in got.err


def test_the_push_contact_defaults_to_the_mail_sender(monkeypatch, tmp_path) -> None:
    from soulmark.settings import read_config

    monkeypatch.setenv("SOULMARK_MAIL_FROM", "Ops <ops@soulmark.example>")
    monkeypatch.setenv("SOULMARK_PUSH_KEY", str(tmp_path / "k.pem"))
    notices = read_config().notices()
    assert notices.push_contact == "mailto:ops@soulmark.example"
    assert notices.push_key == str(tmp_path / "k.pem")
    monkeypatch.setenv("SOULMARK_PUSH_CONTACT", "https://soulmark.example/contact")
    assert read_config().notices().push_contact == "https://soulmark.example/contact"
