"""Later rounds from the command line (R4): date-only ends, refusals, a new window."""

from __future__ import annotations


def test_r4_date_only_window_end_is_the_end_of_that_day(cli) -> None:
    made = cli(
        "world", "create", "Class Z", "--window-start", "2026-09-01", "--window-end",
        "2026-12-31", "--at", "2026-08-01T00:00:00Z", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    assert made.json["window_end"] == "2026-12-31T23:59:59.999999Z"


def test_r4_too_late_to_seal_in_one_line_then_a_new_window(cli) -> None:
    made = cli(
        "world", "create", "Class Y", "--window-start", "2026-09-01", "--window-end",
        "2026-12-31", "--at", "2026-08-01T00:00:00Z", "--json",
    ).json  # fmt: skip
    for i in range(2):
        cli("join", made["world"], "--name", f"P{i}", "--email", f"p{i}@x.example",
            "--at", "2026-08-02T00:00:00Z")  # fmt: skip
    late = cli("seal", made["world"], "--at", "2026-12-31T20:00:00Z")
    assert late.code == 1 and "new window" in late.err and late.err.count("\n") == 1
    assert "Traceback" not in late.err
    moved = cli(
        "world", "window", made["organizer_token"], "--window-start", "2027-01-10",
        "--window-end", "2027-03-31", "--at", "2026-12-31T20:00:00Z", "--json",
    )  # fmt: skip
    assert moved.code == 0, moved.err
    assert moved.json["commitment"] != made["commitment"] and moved.json["joins_open"]
    assert cli("seal", made["world"], "--at", "2026-12-31T21:00:00Z").code == 0


def test_world_create_prints_the_organizer_and_join_links(cli) -> None:
    made = cli(
        "world", "create", "Class L", "--window-start", "2030-09-01", "--window-end",
        "2030-12-31", "--at", "2030-08-01T00:00:00Z",
    )  # fmt: skip
    assert made.code == 0, made.err
    assert "/organizer/#o_" in made.out and "/w/class-l-" in made.out
    data = cli(
        "world", "create", "Class M", "--window-start", "2030-09-01", "--window-end",
        "2030-12-31", "--at", "2030-08-01T00:00:00Z", "--json",
    ).json  # fmt: skip
    assert data["join_url"].endswith(f"/w/{data['world']}")
    assert data["organizer_url"].endswith(f"/organizer/#{data['organizer_token']}")
