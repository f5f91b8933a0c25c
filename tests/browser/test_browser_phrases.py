"""Issue 18 item 7: Japanese lines break between phrases, never inside one ("見てくだ｜さい").

Chromium renders the ja wrist and world pages at 390 px; every line break inside a block of
Japanese text is read from the line boxes (Range.getClientRects, one character at a time)
and must fall on a phrase boundary as BudouX's Japanese parser splits that text."""

from __future__ import annotations

from typing import Any

import pytest

from soulmark.core.times import SECOND

from .conftest import PHONE, Live, shot, wait_state

pytestmark = [pytest.mark.browser]

# Each block of text (its text nodes in order, nested blocks apart) with the index of every
# character that starts a new line.  Code, hashes and form fields are not prose.
LINES_JS = r"""
() => {
  const JA = /[\u3040-\u30ff\u3400-\u9fff]/;
  const skip = "script, style, code, .hash, input, textarea, select, svg, [hidden]";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const blocks = new Map();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !parent.getClientRects().length) continue;
    let box = parent;
    while (box.parentElement && getComputedStyle(box).display.startsWith("inline")) {
      box = box.parentElement;
    }
    if (!blocks.has(box)) blocks.set(box, []);
    blocks.get(box).push(node);
  }
  const out = [];
  for (const [box, nodes] of blocks) {
    let text = "", breaks = [], lastBottom = null;
    for (const node of nodes) {
      const s = node.data;
      for (let i = 0; i < s.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        const ch = s[i];
        if (rects.length && !/\s/.test(ch)) {
          const r = rects[0];
          if (lastBottom !== null && r.top >= lastBottom - 2) breaks.push(text.length);
          lastBottom = r.bottom;
        }
        text += ch;
      }
    }
    if (JA.test(text)) out.push({ tag: box.tagName, id: box.id, text, breaks });
  }
  return out;
}
"""

# A break after punctuation or a space, or before one, is a boundary whatever the parser says.
_OPEN = set(" \u3000\n\t、。，．・：:；;！!？?（）()「」『』…ー-/")


def _bad_breaks(blocks: list[dict[str, Any]]) -> list[str]:
    import budoux

    parser = budoux.load_default_japanese_parser()
    bad = []
    for block in blocks:
        text: str = block["text"]
        edges, at = set(), 0
        for phrase in parser.parse(text):
            at += len(phrase)
            edges.add(at)
        for i in block["breaks"]:
            before, here = text[i - 1 : i], text[i : i + 1]
            if i in edges or before in _OPEN or here in _OPEN:
                continue
            # Latin inside Japanese (a name, "soulmark") breaks at its own spaces only.
            if before.isascii() and here.isascii():
                continue
            where = f"{block['tag']}#{block['id']}"
            bad.append(f"{where}: {text[max(0, i - 8) : i]}｜{text[i : i + 8]}")
    return bad


def _lines(page: Any) -> list[dict[str, Any]]:
    page.evaluate("document.fonts.ready.then(() => true)")
    blocks: list[dict[str, Any]] = page.evaluate(LINES_JS)
    return blocks


def test_i18_7_japanese_breaks_between_phrases_on_the_wrist_and_world_pages(
    live: Live, open_page: Any
) -> None:
    made = live.create_world(name="フレーズ学園")
    me = live.join(made.world, "飯田天哉", "iida@ua.test")
    live.join(made.world, "爆豪勝己", "bakugou@ua.test")
    live.seal(made.world)
    moments = live.moments(made.world)[me.person]
    page = open_page(PHONE)
    page.goto(live.url("/?lang=ja"))
    found: list[str] = []
    measured = 0

    page.goto(live.url(f"/w/{made.world}"))
    blocks = _lines(page)
    measured += sum(len(b["breaks"]) for b in blocks)
    found += [f"world {b}" for b in _bad_breaks(blocks)]

    page.goto(live.url(f"/wrist/{me.token}"))
    for state, at in (("bare", None), ("covered", moments.legible_at)):
        if at is not None:
            live.clock.to(at + SECOND)
            wait_state(page, state)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        blocks = _lines(page)
        measured += sum(len(b["breaks"]) for b in blocks)
        found += [f"wrist {state} {b}" for b in _bad_breaks(blocks)]
        shot(page, f"phrases-wrist-{state}-phone-ja")
    # The pages do wrap (a test of nothing would pass on a desktop-wide screen).
    assert measured > 20, measured
    assert not found, "\n".join(found)
