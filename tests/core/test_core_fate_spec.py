"""B1: docs/fate.md is normative.  Its test vectors are re-derived here from the code, step by
step, so the page and the implementation cannot drift apart (and an outsider can trust it)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from soulmark.core.audit import audit
from soulmark.core.fate import EXACT_SHUFFLE, ExactShuffle, derive_seed, roster_digest
from soulmark.core.marks import MarkParams, Window, scaled
from soulmark.core.stream import Stream
from soulmark.core.times import parse_iso
from soulmark.core.transcript import canonical, commitment, seal_transcript, trust

DOC = Path(__file__).parents[2] / "docs" / "fate.md"


def _vectors() -> dict[str, Any]:
    found = re.search(r"```json vectors\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.S)
    assert found, "docs/fate.md has no vectors block"
    return json.loads(found.group(1))


def test_b1_spec_commitment_is_sha256_of_canonical_json_and_the_raw_secret():
    v = _vectors()
    secret = bytes.fromhex(v["secret"])
    body = {"v": 1, "world": v["world"], "round": v["round"], "beacon": None}
    assert canonical(body).decode("utf-8") == v["commitment_body"]
    by_hand = hashlib.sha256(v["commitment_body"].encode("utf-8") + secret).hexdigest()
    assert by_hand == v["commitment"] == commitment(secret, v["world"], v["round"])


def test_b1_spec_seed_keys_blake2b_with_the_secret_over_the_raw_roster_digest():
    v = _vectors()
    digest = hashlib.sha256("\n".join(v["roster"]).encode("ascii")).hexdigest()
    assert digest == v["roster_digest"] == roster_digest(v["roster"])
    secret = bytes.fromhex(v["secret"])
    by_hand = hashlib.blake2b(
        b"soulmark/seed/v1" + bytes.fromhex(digest), digest_size=32, key=secret
    ).hexdigest()
    assert by_hand == v["seed"] == derive_seed(secret, digest).hex()


def test_b1_spec_stream_blocks_pad_the_personalisation_to_16_bytes():
    v = _vectors()
    seed = bytes.fromhex(v["seed"])
    block0 = hashlib.blake2b(
        (0).to_bytes(8, "little") * 2, digest_size=64, key=seed, person=b"fate" + bytes(12)
    ).digest()
    words = [int.from_bytes(block0[i : i + 8], "little") for i in range(0, 64, 8)]
    assert [str(w) for w in words[:4]] == v["fate_stream_first_words"]
    fate = Stream(seed, b"fate")
    assert [str(fate.word()) for _ in range(4)] == v["fate_stream_first_words"]
    marks = Stream(seed, b"marks", 0)
    assert [str(marks.word()) for _ in range(3)] == v["marks_stream_pair0_first_words"]


def test_b1_spec_fate_order_marks_and_the_whole_transcript():
    v = _vectors()
    seed = bytes.fromhex(v["seed"])
    assert ExactShuffle().order(seed, len(v["roster"])) == v["fate_order"]
    world = v["world"]
    window = Window(parse_iso(world["window_start"]), parse_iso(world["window_end"]))
    assert scaled(MarkParams.from_json(world["params"]), window).to_json() == v["scaled_params"]
    doc, _ = seal_transcript(
        world=world, round_no=v["round"], secret=bytes.fromhex(v["secret"]), roster=v["roster"]
    )
    assert doc == v["transcript"] and audit(v["transcript"]) == []
    assert doc["algorithm"] == EXACT_SHUFFLE and doc["trust"] == trust(None)
    order = v["fate_order"]
    unmatched = v["roster"][order[-1]]
    assert doc["unmatched"] == unmatched
    assert [unmatched, None, None, None, None] in doc["lines"]


def test_b1_spec_states_the_trust_sentences_exactly():
    text = DOC.read_text(encoding="utf-8")
    assert trust(None) in text
    assert (
        "public beacon: drand C round N, unknown to anyone until it was published after the "
        "roster closed"
    ) in text


def test_every_rule_id_cited_in_src_and_tests_is_defined_in_docs_rules():
    root = Path(__file__).parents[2]
    rules = (root / "docs" / "rules.md").read_text(encoding="utf-8")
    defined = set(re.findall(r"^\| ([RB]\d+) \|", rules, re.M))
    assert defined == {f"R{i}" for i in range(1, 12)} | {f"B{i}" for i in range(1, 7)}
    cited: set[str] = set()
    for folder in ("src", "tests"):
        for path in (root / folder).rglob("*.py"):
            cited |= set(re.findall(r"\b([RB](?:1[0-9]|[1-9]))\b", path.read_text("utf-8")))
    assert cited <= defined, sorted(cited - defined)
