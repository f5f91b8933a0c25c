"""One person, one look (issue 22): the TR39 skeleton of a name and the key of an address."""

from __future__ import annotations

import re
import unicodedata
from importlib.resources import files

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.errors import InvalidInput
from soulmark.core.looks import (
    DEFAULT_IGNORABLE,
    clean_domain,
    confusables_version,
    email_key,
    look,
    look_key,
    skeleton,
)
from soulmark.core.validate import clean_email

TAG_A = "\U000e0041"  # TAG LATIN CAPITAL LETTER A

# Each look-alike of the issue, beside the name it imitates.
LOOKALIKES = [
    ("Anna", "\u0410nna"),  # Cyrillic А
    ("Anna", "An\u200bna"),  # ZERO WIDTH SPACE inside
    ("Anna", f"An{TAG_A}na"),  # a tag character inside
    ("Anna", "An\u034fna"),  # COMBINING GRAPHEME JOINER
    ("Anna", "An\u3164na"),  # HANGUL FILLER
    ("Tenya Iida", "Tenya lida"),  # I and l
    ("Tenya Iida", "Tenya\u00a0\u00a0Iida"),  # spaces a page draws as one
    ("Ivan", "Iv\u0430n"),
    ("Anna", "\u0391nna"),  # Greek Alpha
]

# Names that only look near: TR39 keeps them apart (a diaeresis shows; so does a letter).
DISTINCT = [
    ("Zoë", "Zoe"),
    ("Anna", "Anne"),
    ("Anna", "anna"),
    ("爆豪勝己", "轟焦凍"),
    ("爆豪勝己", "爆豪勝已"),
    ("Tenya Iida", "Tenya Ida"),
    ("Bakugou Katsuki", "Katsuki Bakugou"),
]


@pytest.mark.parametrize(("name", "imitation"), LOOKALIKES)
def test_issue22_a_lookalike_has_the_look_of_the_name_it_imitates(
    name: str, imitation: str
) -> None:
    assert imitation != name
    assert look(imitation) == look(name)
    assert look_key(imitation) == look_key(name)


@pytest.mark.parametrize(("a", "b"), DISTINCT)
def test_r11_names_that_tr39_tells_apart_keep_their_own_look(a: str, b: str) -> None:
    assert look_key(a) != look_key(b)


def test_tr39_skeleton_follows_the_standard_steps() -> None:
    # NFD, default ignorables removed, each character its prototype, NFD again (UTS #39 §4).
    assert skeleton("\u0410") == "A"
    assert skeleton("é") == "e\u0301"
    assert skeleton("a\u200db") == "ab"
    assert skeleton("m") == "rn"  # a prototype may be longer than its source


def test_tr39_the_shipped_confusables_file_is_whole() -> None:
    text = files("soulmark.core").joinpath("data/confusables.txt").read_text(encoding="utf-8-sig")
    [total] = re.findall(r"^# total: (\d+)$", text, flags=re.M)
    entries = [line for line in text.splitlines() if re.match(r"^[0-9A-F]{4,6} ;", line)]
    assert len(entries) == int(total) > 6000
    assert confusables_version() == "13.0.0"
    assert (files("soulmark.core") / "data" / "LICENSE-UNICODE.txt").is_file()


def test_tr39_default_ignorables_are_the_derived_property() -> None:
    # Spot checks against DerivedCoreProperties.txt: in, and just outside, each edge.
    ignorable = {c for lo, hi in DEFAULT_IGNORABLE for c in range(lo, hi + 1)}
    assert {0x00AD, 0x034F, 0x200B, 0x3164, 0xFEFF, 0xE0001, 0xE0041, 0xE0FFF} <= ignorable
    assert not {0x0020, 0x00AC, 0x0350, 0x2010, 0x3165, 0xE1000} & ignorable


name_text = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(name_text)
def test_tr39_skeleton_is_idempotent_and_blind_to_normalization(text: str) -> None:
    once = skeleton(text)
    assert unicodedata.is_normalized("NFD", once)
    assert skeleton(once) == once
    for form in ("NFC", "NFD"):
        assert skeleton(unicodedata.normalize(form, text)) == once


@settings(max_examples=200, deadline=None)
@given(name_text, st.sampled_from(["\u200b", "\u034f", "\u3164", TAG_A, "\u00ad", "\u2060"]))
def test_issue22_a_hidden_character_never_changes_a_look(text: str, hidden: str) -> None:
    half = len(text) // 2
    assert look(text[:half] + hidden + text[half:]) == look(text)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("zoe\u0308@ua.example", "zoë@ua.example"),  # decomposed and composed
        ("tenya@UA.Example.JP", "tenya@ua.example.jp"),  # a domain's case
        ("Tenya@ua.example", "tenya@ua.example"),  # soulmark has read the local part caselessly
        ("anna@b\u00fccher.example", "anna@xn--bcher-kva.example"),  # U-label and A-label
        ("anna@BU\u0308CHER.example", "anna@bücher.example"),
        ("anna@ua\uff0eexample.jp", "anna@ua.example.jp"),  # a full-width dot, as IDNA maps it
    ],
)
def test_issue22_one_address_in_two_spellings_has_one_key(a: str, b: str) -> None:
    assert email_key(clean_email(a)) == email_key(clean_email(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [("anna@ua.example", "anne@ua.example"), ("anna@fa\u00df.de", "anna@fass.de")],
)
def test_issue22_two_addresses_keep_two_keys(a: str, b: str) -> None:
    # faß.de and fass.de are two domains under IDNA 2008: no case folding merges them.
    assert email_key(clean_email(a)) != email_key(clean_email(b))


def test_issue22_a_domain_idna_cannot_read_is_still_case_folded() -> None:
    assert clean_domain("A_B.Example") == "a_b.example"
    assert email_key("x@A_B.Example") == email_key("x@a_b.example")


local = st.text(st.characters(categories=["L", "M", "N"]), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    local, st.sampled_from(["ua.example", "UA.EXAMPLE", "bücher.example", "xn--bcher-kva.example"])
)
def test_issue22_address_normalization_is_idempotent_and_blind_to_form(
    name: str, domain: str
) -> None:
    raw = f"{name}@{domain}"
    try:
        clean = clean_email(raw)
    except InvalidInput:  # a local part the address rules refuse: nothing to compare
        return
    assert clean_email(clean) == clean
    assert email_key(clean) == email_key(clean_email(unicodedata.normalize("NFD", raw)))
    assert email_key(email_key(clean)) == email_key(clean)


def test_issue22_a_never_with_commitment_keys_an_address_as_a_join_does() -> None:
    from soulmark.core.private_exclusions import address_key

    assert address_key("zoe\u0308@B\u00fccher.example") == email_key("zoë@xn--bcher-kva.example")
    assert address_key(" Victim@SCHOOL.test") == "victim@school.test"  # the spec's example


@pytest.mark.parametrize("text", ["\u01c6", "\u01c4", "\u321d", "\u048b", "\ufe81"])
def test_tr39_a_skeleton_is_its_own_skeleton_when_a_prototype_maps_again(text):
    # ǆ's prototype is d + ž, whose NFD (z + caron) maps again: one pass left it unfinished.
    once = skeleton(text)
    assert skeleton(once) == once
