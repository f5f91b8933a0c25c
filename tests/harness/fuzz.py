"""Schemathesis over the whole JSON API, in process (issue 5 item 6); the test runs a few
hundred calls, ``python -m bench.fuzz --calls 10000`` a long run.

The app runs over a store seeded with a sealed world of long, distinctive names, and a fake
clock that never reaches anyone's legible moment.  Generated calls (positive and negative
data) carry real wrist, share and organizer tokens, the real world slug and real share ids
often enough to reach real wrists.  Every response is checked: no 5xx, conformance to the
OpenAPI schema, and not one byte of any seeded name (R6, B2) in any form.
"""

from __future__ import annotations

import html
import json
import random
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as oa

from soulmark import services
from soulmark.core.times import SECOND, parse_iso
from soulmark.services import shares as sharing
from soulmark.services.demo import DEMO_PARAMS
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store
from soulmark.web import Settings, create_app

__all__ = ["FuzzReport", "Seeded", "fuzz", "needles", "seed"]

T0 = 1_900_000_000 * SECOND
PARAMS = DEMO_PARAMS  # the one demo parameter set (soulmark.services.demo)
# Each name holds a word found nowhere else and differs between NFC and NFD.
WORDS = [
    "Zephyrquoxalind",
    "Brumblevortaxe",
    "Quillenmarovska",
    "Thistlewhyrrion",
    "Jubilonkestraz",
    "Ozymarindulque",
    "Vexhollowbrandt",
    "Pomeraxilundt",
    "Kestrovayniquel",
    "Mirthalquobend",
    "Xandroveliquist",
    "Glimmerthauxin",
]
NAMES = [
    f"Ångström-Ñúñez {WORDS[0]} Émilie-Françoise",
    f"Łukasiewicz {WORDS[1]} Zoë Ó Briain",
    f"{WORDS[2]} Škoda-Čapek Dvořák",
    f"Nguyễn Thị {WORDS[3]} Minh Khai",
    f"{WORDS[4]} 爆豪勝己 Ōzora",
    f"Олександра {WORDS[5]} Йосипівна",
    f"{WORDS[6]} プリヤ・ガ Raghunathan",
    f"Björk {WORDS[7]} Guðmundsdóttir",
    f"Ἀθηνᾶ {WORDS[8]} Παπαδοπούλου",
    f"{WORDS[9]} 김민준 Søren Kierkegård",
    f"Siobhán Ní {WORDS[10]} Bhriain",
    f"Ngũgĩ wa {WORDS[11]} Thiong'o",
]
CHECKS = [
    oa.status_code_conformance,
    oa.content_type_conformance,
    oa.response_schema_conformance,
    oa.response_headers_conformance,
]


def needles(name: str, word: str) -> set[bytes]:
    """Every spelling of a name (or its unique word) that a response could carry."""
    out: set[bytes] = set()
    for form in ("NFC", "NFD"):
        for text in (name, word):
            n = unicodedata.normalize(form, text)
            for s in (n, html.escape(n), json.dumps(n)[1:-1], json.dumps(n, ensure_ascii=False)):
                out.add(s.strip('"').encode("utf-8"))
    return out


@dataclass
class Clock:
    now: int = T0

    def __call__(self) -> int:
        return self.now


@dataclass
class Seeded:
    """The seeded world: tokens to put in calls, and the names no call may ever see."""

    clock: Clock
    slug: str
    organizer: str
    wrists: list[str]
    shares: list[str]
    share_ids: list[int]
    first_legible: int
    names: list[set[bytes]]
    """Every spelling of every seeded name, one set per name (wrists[i] bears NAMES[i])."""
    spare_organizer: str = ""
    spare_wrists: list[str] = field(default_factory=list)
    """The second world's: for the calls that would end the first world's wrists."""

    def bearer(self, token: str | None) -> int:
        """Which of NAMES bears a wrist token (-1: none)."""
        for pool in (self.wrists, self.spare_wrists):
            if token in pool:
                return pool.index(token)
        return -1

    @property
    def needles(self) -> set[bytes]:
        return set().union(*self.names)

    def leaked(self, body: bytes, token: str | None, sent: bytes = b"") -> bytes | None:
        """A seeded name in ``body`` other than the bearer's own (their export holds it) and
        other than one the request itself carried (an error message may quote its input)."""
        own = self.bearer(token)
        for i, spellings in enumerate(self.names):
            if i == own or any(n in sent for n in spellings):
                continue
            hit = next((n for n in spellings if n in body), None)
            if hit is not None:
                return hit
        return None


def sent_bytes(response: Any) -> bytes:
    """What the request carried: its URL (decoded as well as raw), headers and body."""
    request = getattr(response, "request", None)
    if request is None:
        return b""
    url = str(getattr(request, "url", ""))
    body = getattr(request, "body", None) or b""
    body = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else bytes(body)
    headers = json.dumps(dict(getattr(request, "headers", {}) or {}), ensure_ascii=False)
    decoded = unquote(url) + headers
    return url.encode() + decoded.encode("utf-8", "surrogatepass") + body


def _first_legible(store: Store, slug: str) -> int:
    doc = json.loads(services.transcript_text(store, world=slug))
    return min(parse_iso(line[4]) for line in doc["lines"] if line[4] is not None)


def _sealed_world(store: Store, title: str) -> tuple[str, str, list[str]]:
    """A sealed world of NAMES: (slug, organizer token, wrist tokens in NAMES order)."""
    made = services.create_world(
        store,
        name=title,
        window_start=T0 + 10 * SECOND,
        window_end=T0 + 250 * SECOND,
        at=T0,
        params=PARAMS,
    )
    wrists = [
        services.join(store, world=made.world, name=n, email=f"f{i}@fuzz.test", at=T0).token
        for i, n in enumerate(NAMES)
    ]
    services.seal(store, world=made.world, at=T0 + 1)
    return made.world, made.organizer_token, wrists


def seed(store: Store) -> Seeded:
    """Two sealed worlds of NAMES (the second takes the calls that leave, erase or revoke,
    so the first keeps real wrists to reach all run long), share links on half the wrists,
    the clock at the start."""
    slug, organizer, wrists = _sealed_world(store, "Fuzz Academy")
    spare_slug, spare_organizer, spare_wrists = _sealed_world(store, "Fuzz Annex")
    made_shares = [sharing.create_share(store, token=t, at=T0 + 2) for t in wrists[::2]]
    return Seeded(
        clock=Clock(),
        slug=slug,
        organizer=organizer,
        wrists=wrists,
        shares=[token for _share, token in made_shares],
        share_ids=[share.id for share, _token in made_shares],
        # The clock stops short of the first name legible in either world.
        first_legible=min(_first_legible(store, slug), _first_legible(store, spare_slug)),
        names=[needles(n, w) for n, w in zip(NAMES, WORDS, strict=True)],
        spare_organizer=spare_organizer,
        spare_wrists=spare_wrists,
    )


@dataclass
class FuzzReport:
    calls: int = 0
    real_tokens: int = 0
    """Calls that carried a real wrist, share or organizer token."""
    reached: Counter[str] = field(default_factory=Counter)
    """2xx answers to calls with a real token, by kind of token."""
    statuses: Counter[int] = field(default_factory=Counter)
    operations: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    violations: Counter[str] = field(default_factory=Counter)
    """By check and operation: "check · METHOD path · status"."""
    examples: dict[str, str] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)
    seconds: float = 0.0


_ENDINGS = (
    "POST /api/wrist/leave",
    "POST /api/wrist/replace",
    "POST /api/organizer/retention",
    "DELETE /api/wrist/shares",
)


def _ends_something(case: Any) -> bool:
    """Leaving, erasing a world or revoking a share would soon leave no real wrist to reach."""
    return f"{case.operation.method.upper()} {case.operation.path}".startswith(_ENDINGS)


_OWN_KIND = {"/api/wrist": "wrist", "/api/share": "share", "/api/organizer": "organizer"}


def _kind_for(path: str, rng: random.Random) -> str:
    """Mostly the token the operation is for, so calls reach real wrists; otherwise any
    kind, none, or whatever was generated (cross-access and guessing)."""
    own = next((k for prefix, k in _OWN_KIND.items() if path.startswith(prefix)), None)
    if own is not None and rng.random() < 0.75:
        return own
    kinds = ["wrist", "share", "organizer", "none", "as generated"]
    return rng.choices(kinds, [3, 2, 2, 2, 1])[0]


class Enough(Exception):
    """The target number of calls is reached."""


class Fuzzer:
    """Draws cases per operation and judges each response."""

    def __init__(self, seeded: Seeded, target: int, rng: random.Random) -> None:
        self.seeded, self.target, self.rng = seeded, target, rng
        self.report = FuzzReport()

    def steer(self, case: Any) -> str:
        """Point a generated case at real things; returns the kind of token it carries."""
        s, rng = self.seeded, self.rng
        params = case.path_parameters
        if params and "slug" in params and rng.random() < 0.6:
            params["slug"] = s.slug
        if params and "share_id" in params and rng.random() < 0.5:
            params["share_id"] = rng.choice(s.share_ids)
        kind = _kind_for(case.operation.path, rng)
        tokens = {"wrist": s.wrists, "share": s.shares, "organizer": [s.organizer]}
        if _ends_something(case):
            tokens.update(wrist=s.spare_wrists, organizer=[s.spare_organizer])
        headers = dict(case.headers or {})
        if kind == "none":
            headers.pop("Authorization", None)
        elif kind in tokens:
            headers["Authorization"] = f"Bearer {rng.choice(tokens[kind])}"
        case.headers = headers
        # The clock sweeps bare -> itching -> inking over the run and stops short of legible.
        span = s.first_legible - 1 - T0
        s.clock.now = T0 + span * min(self.report.calls, self.target) // max(self.target, 1)
        return kind

    def judge(self, case: Any) -> None:
        if self.report.calls >= self.target:
            raise Enough  # generating cases that will not be sent costs as much as sending
        kind = self.steer(case)
        label = f"{case.operation.method.upper()} {case.operation.path}"
        r = self.report
        r.calls += 1
        r.real_tokens += kind in ("wrist", "share", "organizer")
        r.operations[label] += 1
        try:
            response = case.call()
        except Exception as exc:  # an exception escaping the app is a 500 the client never saw
            r.server_errors.append(f"{label}: {type(exc).__name__}: {exc}"[:300])
            return
        r.statuses[response.status_code] += 1
        if kind in _OWN_KIND.values() and 200 <= response.status_code < 300:
            r.reached[kind] += 1
        if response.status_code >= 500:
            r.server_errors.append(f"{label} -> {response.status_code}: {response.text[:200]}")
        token = (case.headers or {}).get("Authorization", "").removeprefix("Bearer ")
        owner = token if kind == "wrist" else None
        hit = self.seeded.leaked(response.content, owner, sent_bytes(response))
        if hit is not None:
            url = str(getattr(getattr(response, "request", None), "url", ""))[:160]
            r.leaks.append(f"{label} {url} ({kind} token) at {self.seeded.clock.now}: {hit!r}")
        self.conformance(case, response, label)

    def conformance(self, case: Any, response: Any, label: str) -> None:
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # FailureGroup: one per failed check
            for failure in getattr(exc, "exceptions", [exc]):
                title = getattr(failure, "title", type(failure).__name__)
                key = f"{title} · {label} · {response.status_code}"
                self.report.violations[key] += 1
                self.report.examples.setdefault(key, str(failure).strip()[:400])


def _drive(strategy: Any, examples: int, fuzzer: Fuzzer) -> bool:
    """Run up to ``examples`` cases; False when the strategy cannot produce any."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,  # Enough ends a run early: no "reproduce with" notes
    )
    @given(strategy)
    def run(case: Any) -> None:
        fuzzer.judge(case)

    try:
        run()
    except Enough:
        return True
    except Unsatisfiable:
        # Negative data for an operation whose every input is a free-form string: nothing
        # to break.  Its positive cases still run.
        return False
    return True


def _strategies(schema: Any) -> list[tuple[str, Any]]:
    out = []
    for result in schema.get_all_operations():
        op = result.ok()
        if op.path.endswith("/events"):
            # An event stream never ends by itself: an in-process call would wait forever.
            # Its frames are the GET twin's JSON (tests/web/test_web_live.py checks them).
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                out.append((f"{op.label} {mode.value}", op.as_strategy(generation_mode=mode)))
            except Exception:  # nothing to negate in an operation without inputs
                continue
    return out


def _settings(store: Store, clock: Clock) -> Settings:
    # Push on, so the devices routes are fuzzed past "this site sends no pushes".
    key = Path(tempfile.mkdtemp(prefix="soulmark-fuzz-")) / "vapid.pem"
    notices = NoticeSettings(push_key=str(key))
    settings = Settings(store=store, clock=clock, secret=b"f" * 32, dev=True, notices=notices)
    # One in-process client makes every call: without this its failed guesses would soon
    # turn every token call into a 429 and no call would reach a real wrist.  Throttling has
    # its own tests; here it is the responses behind it that are fuzzed.
    if hasattr(settings, "token_failures_per_minute"):
        settings.token_failures_per_minute = 10**9
    return settings


def fuzz(store: Store, calls: int, seed_value: int) -> FuzzReport:
    """``calls`` generated calls against an app over ``store`` (which ``seed`` fills first)."""
    seeded = seed(store)
    app = create_app(_settings(store, seeded.clock))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    fuzzer = Fuzzer(seeded, calls, random.Random(seed_value))
    strategies = _strategies(schema)
    random.Random(seed_value).shuffle(strategies)
    started = time.monotonic()
    passes = 0
    while fuzzer.report.calls < calls and passes < 50:
        per = max(3, (calls - fuzzer.report.calls) // len(strategies) + 1)
        strategies = [(n, st) for n, st in strategies if _drive(st, per, fuzzer)]
        passes += 1
    fuzzer.report.seconds = time.monotonic() - started
    return fuzzer.report
