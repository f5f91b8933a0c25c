"""Lighthouse on every page that matters (issue 18): home, a world, a wrist in each state, a
share and the organizer's dashboard, on a demo world in SQLite, with Debian's Chromium and
Lighthouse's default mobile emulation.

``python -m bench.lighthouse`` installs npm ``lighthouse@12.2.3`` into bench/.lighthouse/ (git
ignored) when it is missing, serves the app under uvicorn in a thread over a fake clock (so a
wrist can be walked through its states), runs Lighthouse once per page, and writes the table
(performance, accessibility, best practices, SEO, CLS) into bench/RESULTS.md with the command
and the load average.  Targets: performance ≥ 95, accessibility 100, best practices 100,
SEO ≥ 90, CLS ≤ 0.01.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.common import free_port, header, machine, table
from soulmark import services
from soulmark.core.times import SECOND, now_us, parse_iso
from soulmark.services.demo import Demo, DemoWrist, build_demo
from soulmark.services.shares import create_share
from soulmark.store import open_store
from soulmark.web import Settings, create_app

VERSION = "12.2.3"
HERE = Path(__file__).parent
CACHE = HERE / ".lighthouse"
REPORTS = CACHE / "reports"
"""Each page's full Lighthouse report (JSON), kept for a look at what did not pass."""
RESULTS_MD = HERE / "RESULTS.md"
SECTION = "## Lighthouse: every page, mobile emulation"
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 90}
MAX_CLS = 0.01


class Clock:
    """The app's clock (microseconds); the bench moves it to show each wrist state."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def lighthouse_cli() -> Path:
    """The pinned Lighthouse, installed with npm into the cache folder if it is missing."""
    cli = CACHE / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(CACHE),
                f"lighthouse@{VERSION}",
            ],
            check=True,
        )
    return cli


@contextmanager
def serve(db: str, clock: Clock) -> Iterator[tuple[str, Any]]:
    """The app under uvicorn in a background thread, as the browser tests serve it."""
    import uvicorn

    store = open_store(db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(store=store, clock=clock, secret=os.urandom(32), base_url=base)
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-lighthouse", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield base, store
    finally:
        server.should_exit = True
        thread.join(10)
        store.close()


def session(base: str, kind: str, token: str) -> tuple[str, str]:
    """The page a private link opens and the cookie that opens it (a fresh Lighthouse profile
    has none, and a redirect would be measured as part of the page)."""
    with httpx.Client(base_url=base) as client:
        got = client.get(f"/{kind}/{token}", follow_redirects=False)
    cookie = got.headers["set-cookie"].split(";", 1)[0]
    return base + got.headers["location"], cookie


@contextmanager
def chromium(base: str, cookie: str | None) -> Iterator[int]:
    """Debian's Chromium with a fresh profile holding only ``cookie`` (no cache, nothing
    else), open on a debugging port for Lighthouse to drive."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    args = [*CHROME_FLAGS.split(), f"--remote-debugging-port={port}"]
    with (
        tempfile.TemporaryDirectory(prefix="soulmark-chromium-") as profile,
        sync_playwright() as pw,
    ):
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROME, headless=True, args=args
        )
        try:
            if cookie:
                name, value = cookie.split("=", 1)
                context.add_cookies([{"name": name, "value": value, "url": base}])
            yield port
        finally:
            context.close()


def run_one(cli: Path, base: str, url: str, cookie: str | None, out: Path) -> dict[str, Any]:
    """One Lighthouse run (storage kept: it holds the page's session cookie); its scores
    (0-100), its CLS, and the audits that did not pass."""
    cmd = [
        "nice",
        "-n",
        "10",
        "node",
        str(cli),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--disable-storage-reset",
        "--only-categories=" + ",".join(CATEGORIES),
    ]
    with chromium(base, cookie) as port:
        env = {**os.environ, "CHROME_PATH": CHROME}
        subprocess.run([*cmd, f"--port={port}"], check=True, env=env)
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    cls = report["audits"]["cumulative-layout-shift"]["numericValue"]
    failed = [
        a["id"]
        for c in CATEGORIES[1:]
        for ref in report["categories"][c]["auditRefs"]
        if ref["weight"] and (a := report["audits"][ref["id"]])["score"] not in (None, 1)
    ]
    return {**scores, "cls": cls, "failed": failed}


def moments(demo: Demo, person: str) -> tuple[int, int, int]:
    """A wrist's itch, ink and legible moments, from the public transcript (B1)."""
    line = next(x for x in json.loads(demo.transcript)["lines"] if x[0] == person)
    itch, ink, legible = (parse_iso(v) for v in line[2:5])
    return itch, ink, legible


def wrist_steps(store: Any, demo: Demo, clock: Clock) -> list[tuple[str, Callable[[], None]]]:
    """Each wrist state of the first pair's first wrist, and how the clock and the pair get
    there, in order."""
    a, b = demo.first_pair()
    itch, ink, legible = moments(demo, a.person)
    both = max(legible, moments(demo, b.person)[2]) + 2 * SECOND

    def at(t: int) -> Callable[[], None]:
        return lambda: setattr(clock, "now", t)

    def look() -> None:
        clock.now = both
        services.look(store, token=a.token, at=both)

    def reach() -> None:
        services.look(store, token=b.token, at=both)
        for w, contact in ((a, "@first_of_the_pair"), (b, "@second_of_the_pair")):
            services.reach_out(store, token=w.token, at=both, contact=contact)

    return [
        ("wrist: bare", at(itch - SECOND)),
        ("wrist: itching", at(itch + SECOND)),
        ("wrist: inking", at((ink + legible) // 2)),
        ("wrist: covered", at(legible + SECOND)),
        ("wrist: revealed", look),
        ("wrist: both reached out", reach),
    ]


def pages(base: str, store: Any, demo: Demo, clock: Clock) -> Iterator[tuple[str, str, str | None]]:
    """(label, url, cookie) for every page, the clock set for each just before it is given."""
    a: DemoWrist = demo.first_pair()[0]
    clock.now = moments(demo, a.person)[0] - SECOND
    yield "home", base + "/", None
    yield "world", base + f"/w/{demo.world}", None
    _, share = create_share(store, token=a.token, at=clock.now)
    yield ("share", *session(base, "share", share))
    yield ("organizer dashboard", *session(base, "organizer", demo.organizer_token))
    url, cookie = session(base, "wrist", a.token)
    for label, step in wrist_steps(store, demo, clock):
        step()
        yield label, url, cookie


def verdict(row: dict[str, Any]) -> str:
    misses = [c for c, least in TARGETS.items() if row[c] < least]
    if row["cls"] > MAX_CLS:
        misses.append("cls")
    return "ok" if not misses else "below: " + ", ".join(misses)


def report(rows: list[tuple[str, dict[str, Any]]], load: tuple[float, float]) -> str:
    columns = [
        "page",
        "performance",
        "accessibility",
        "best practices",
        "SEO",
        "CLS",
        "verdict",
        "audits not passed (a11y, BP, SEO)",
    ]
    body = [
        [
            label,
            r["performance"],
            r["accessibility"],
            r["best-practices"],
            r["seo"],
            f"{r['cls']:.3f}",
            verdict(r),
            ", ".join(r["failed"]) or "none",
        ]
        for label, r in rows
    ]
    text = header("Lighthouse: every page, mobile emulation").replace(
        "## Lighthouse: every page, mobile emulation", SECTION
    )
    text += f"Lighthouse {VERSION} (npm), {CHROME} ({CHROME_FLAGS}), default mobile emulation "
    text += "and throttling; a demo world on SQLite, the app under uvicorn in-process.\n\n"
    text += table(columns, body)
    text += f"\nLoad average (1 min) at start: {load[0]:.1f}; at end: {load[1]:.1f} "
    text += f"({machine()}; the machine is shared, so performance moves with the load).\n"
    text += "Targets: performance ≥ 95, accessibility 100, best practices 100, SEO ≥ 90, "
    text += "CLS ≤ 0.01.\n"
    return text


def write_results(text: str) -> None:
    """Replace this bench's section of bench/RESULTS.md (or add it at the end)."""
    old = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.is_file() else ""
    if SECTION in old:
        before, rest = old.split(SECTION, 1)
        after = rest.split("\n## ", 1)
        old = before + text + ("\n## " + after[1] if len(after) > 1 else "")
    else:
        old = old.rstrip("\n") + "\n\n" + text
    RESULTS_MD.write_text(old, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lighthouse", description=__doc__)
    parser.add_argument("--people", type=int, default=30, help="people in the demo world")
    parser.add_argument("--only", default="", help="run only the pages whose label holds this")
    parser.add_argument("--dry", action="store_true", help="print the table, keep RESULTS.md")
    args = parser.parse_args()
    cli = lighthouse_cli()
    REPORTS.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    rows: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="soulmark-lighthouse-") as tmp:
        clock = Clock(now_us())
        with serve(f"sqlite:///{tmp}/lighthouse.db", clock) as (base, store):
            demo = build_demo(store, now_us=clock.now, people=args.people, start_in_s=60)
            for i, (label, url, cookie) in enumerate(pages(base, store, demo, clock)):
                if args.only not in label:
                    continue
                print(f"lighthouse: {label}", flush=True)
                out = REPORTS / f"{i:02d}-{label.replace(':', '').replace(' ', '-')}.json"
                rows.append((label, run_one(cli, base, url, cookie, out)))
    text = report(rows, (load_start, os.getloadavg()[0]))
    if not args.dry:
        write_results(text)
    print(text)


if __name__ == "__main__":
    main()
