"""Issue 9, care: the CLI speaks the world's zone; a bare end date is the end of that day."""

from __future__ import annotations

from soulmark.core.times import parse_iso


def _tokyo(cli, end: str = "2031-12-31") -> dict:
    made = cli(
        "world", "create", "Tokyo A", "--window-start", "2031-01-01", "--window-end", end,
        "--time-zone", "Asia/Tokyo", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    return made.json


def test_i9_cli_dates_are_read_in_the_world_zone_and_an_end_date_is_its_last_moment(cli):
    made = _tokyo(cli)
    assert made["time_zone"] == "Asia/Tokyo"
    assert parse_iso(made["window_start"]) == parse_iso("2031-01-01T00:00:00+09:00")
    assert parse_iso(made["window_end"]) == parse_iso("2032-01-01T00:00:00+09:00") - 1
    utc = cli("world", "create", "UTC A", "--window-start", "2031-01-01",
              "--window-end", "2031-12-31", "--json").json  # fmt: skip
    assert parse_iso(utc["window_end"]) == parse_iso("2032-01-01T00:00:00Z") - 1


def test_i9_cli_prints_moments_in_the_world_zone(cli):
    made = _tokyo(cli)
    shown = cli("world", "show", made["world"])
    assert "2031-01-01T00:00:00+09:00 (Asia/Tokyo)" in shown.out
    assert "2031-12-31T23:59:59+09:00 (Asia/Tokyo)" in shown.out
    a = cli("join", made["world"], "--name", "Iida", "--email", "a@x.test", "--json").json
    cli("join", made["world"], "--name", "Uraraka", "--email", "b@x.test")
    cli("seal", made["world"], "--at", "2030-12-01T00:00:00Z")
    late = "2032-06-01T00:00:00Z"
    legible = cli("wrist", a["token"], "--at", late, "--json").json["legible_at"]
    seen = cli("wrist", a["token"], "--at", late).out
    local = parse_iso(legible)
    assert "+09:00 (Asia/Tokyo)" in seen and "Z" not in seen.split("Legible since")[1][:30]
    assert parse_iso(seen.split("Legible since ")[1].split(" (")[0]) == local - local % 10**6


def test_i9_cli_refuses_an_unknown_zone_in_one_line(cli):
    r = cli("world", "create", "X", "--window-start", "2031-01-01", "--window-end",
            "2031-12-31", "--time-zone", "Mars/Olympus")  # fmt: skip
    assert r.code == 1 and "Mars/Olympus" in r.err and "Traceback" not in r.err
