"""Parsing what people type: names (R11), email addresses, windows."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.errors import InvalidInput
from soulmark.core.times import DAY, MINUTE, SECOND
from soulmark.core.validate import (
    BLANK_RANGES,
    HIDDEN_RANGES,
    MAX_NAME,
    check_window,
    clean_email,
    clean_name,
    name_length,
)

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
CONTROLS = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))] + ["\u2028", "\u2029"]

name_chars = st.characters(categories=["L", "M", "N", "P", "S", "Zs"])


@pytest.mark.parametrize(
    "name",
    [
        "Tenya Iida",
        "Bakugou Katsuki",
        "爆豪勝己",
        "Шото Тодороки",
        "ليلى عبد الله",
        "देवनागरी",
        "김민지",
        "Zoë Ångström",
        "Ὀδυσσεύς",
        "x",
        "a" * MAX_NAME,
        "क्\u200dष",  # a joiner that real scripts need stays allowed
    ],
)
def test_r11_any_script_and_order_is_kept_exactly(name: str) -> None:
    assert clean_name(name) == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize(
    ("raw", "nfc"),
    [
        ("Zoe\u0308", "Zoë"),
        ("A\u030angstro\u0308m", "Ångström"),
        ("\u1100\u1161\u11a8", "각"),  # Hangul jamo compose
        ("  Tenya Iida \t", "Tenya Iida"),
    ],
)
def test_r11_names_are_stored_nfc_and_trimmed(raw: str, nfc: str) -> None:
    assert clean_name(raw) == nfc


@pytest.mark.parametrize("raw", ["", "   ", "\t\n", "a" * (MAX_NAME + 1), "é" * 101])
def test_clean_name_rejects_empty_and_too_long(raw: str) -> None:
    with pytest.raises(InvalidInput):
        clean_name(raw)


def test_clean_name_counts_length_after_nfc() -> None:
    assert clean_name("e\u0301" * MAX_NAME) == "é" * MAX_NAME


@pytest.mark.parametrize(
    "raw",
    ["\u200b", "\u3164", "\ufeff", "\u200b\u3164 \ufeff", "\u2800", "\u115f\u1160", "\u0301"],
)
def test_r11_a_name_of_only_invisible_characters_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        clean_name(raw)


@pytest.mark.parametrize(
    "hidden",
    [
        "\u200b",
        "\U000e0041",
        "\U000e0001",
        "\u034f",
        "\u3164",
        "\u00ad",
        "\u2060",
        "\ufeff",
        "\u115f",
        "\uffa0",
        "\u2800",
        "\U0001bca0",
    ],
)
def test_issue22_an_invisible_character_inside_a_name_is_refused(hidden: str) -> None:
    with pytest.raises(InvalidInput) as info:
        clean_name(f"An{hidden}na")
    assert info.value.code == "name-hidden"
    assert f"U+{ord(hidden):04X}" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    "name",
    [
        "क्\u200dष",  # a joiner Devanagari needs
        "\u0645\u200c\u06cc",  # ZWNJ, as Persian writes it
        "\U0001f468\u200d\U0001f469\u200d\U0001f467 Aiko",  # an emoji ZWJ sequence
        "\u2764\ufe0f Aiko",  # an emoji presentation selector
        "\u845b\U000e0100\u98fe",  # an ideographic variation sequence (葛󠄀飾)
        "\u182d\u180b\u1820",  # a Mongolian free variation selector
        "Tenya\u00a0Iida",
        "爆豪\u3000勝己",
    ],
)
def test_r11_the_invisible_characters_scripts_need_stay_allowed_inside(name: str) -> None:
    assert clean_name(name) == unicodedata.normalize("NFC", name)


def test_issue22_the_hidden_list_is_blank_but_never_a_space_or_a_joiner() -> None:
    blank = {c for lo, hi in BLANK_RANGES for c in range(lo, hi + 1)}
    hidden = {c for lo, hi in HIDDEN_RANGES for c in range(lo, hi + 1)}
    assert hidden < blank
    assert not {0x20, 0xA0, 0x3000, 0x200C, 0x200D, 0xFE0F, 0xE0100} & hidden


@pytest.mark.parametrize("raw", ["\ufeffAiko", "Aiko\u200b", "\u3164Aiko\u3000"])
def test_r11_invisible_characters_at_either_end_are_trimmed_as_the_preview_does(
    raw: str,
) -> None:
    assert clean_name(raw) == "Aiko"


def test_r11_length_counts_utf16_units_as_the_form_does() -> None:
    assert name_length("😀") == 2
    assert clean_name("😀" * (MAX_NAME // 2)) == "😀" * (MAX_NAME // 2)
    with pytest.raises(InvalidInput):
        clean_name("😀" * (MAX_NAME // 2 + 1))


@pytest.mark.parametrize("ch", CONTROLS + list(BIDI))
def test_clean_name_rejects_control_and_bidi_inside_a_name(ch: str) -> None:
    with pytest.raises(InvalidInput):
        clean_name(f"Iida{ch}Tenya")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=name_chars, min_size=1, max_size=120))
def test_clean_name_accepts_any_script_property(raw: str) -> None:
    blank = {chr(c) for lo, hi in BLANK_RANGES for c in range(lo, hi + 1)}
    hidden = {chr(c) for lo, hi in HIDDEN_RANGES for c in range(lo, hi + 1)}
    expected = unicodedata.normalize("NFC", raw).strip("".join(blank))
    shows = any(c not in blank and unicodedata.category(c)[0] not in "MZC" for c in expected)
    too_long = len(expected.encode("utf-16-le")) > 2 * MAX_NAME
    if not shows or too_long or hidden.intersection(expected):
        with pytest.raises(InvalidInput):
            clean_name(raw)
        return
    got = clean_name(raw)
    assert got == expected
    assert unicodedata.is_normalized("NFC", got)
    assert clean_name(got) == got, "idempotent"


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=name_chars, min_size=1, max_size=40),
    st.sampled_from(CONTROLS[:0] + [c for c in CONTROLS if not c.isspace()] + list(BIDI)),
    st.text(alphabet=name_chars, max_size=40),
)
def test_clean_name_rejects_any_control_or_override_property(a: str, bad: str, b: str) -> None:
    with pytest.raises(InvalidInput):
        clean_name(a + bad + b)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("tenya@ua.example", "tenya@ua.example"),
        ("Tenya.Iida+mark@UA.Example.JP", "Tenya.Iida+mark@ua.example.jp"),
        ("  k@b.co  ", "k@b.co"),
        ("zoe\u0308@UA.example", "zoë@ua.example"),  # NFC, as a name is
        ("anna@B\u00dcCHER.Example", "anna@bücher.example"),  # IDNA's case folding
    ],
)
def test_clean_email_accepts_and_lowercases_domain(raw: str, clean: str) -> None:
    assert clean_email(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "tenya",
        "tenya@",
        "@ua.example",
        "tenya@ua",
        "te nya@ua.example",
        "a@@ua.example",
        "a@ua..example",
        "a@ua.example.",
        "a\x00b@ua.example",
        "a" * 65 + "@ua.example",
        "a@" + "b" * 250 + ".example",
    ],
)
def test_clean_email_rejects_malformed(raw: str) -> None:
    with pytest.raises(InvalidInput):
        clean_email(raw)


local_st = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-",
    min_size=1,
    max_size=64,
)
label_st = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-", min_size=1, max_size=20
)


@settings(max_examples=200, deadline=None)
@given(local_st, st.lists(label_st, min_size=2, max_size=4))
def test_clean_email_property(local: str, labels: list[str]) -> None:
    domain = ".".join(labels)
    assert clean_email(f"{local}@{domain}") == f"{local}@{domain.lower()}"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80).filter(lambda s: "@" not in s))
def test_clean_email_without_at_is_rejected_property(raw: str) -> None:
    with pytest.raises(InvalidInput):
        clean_email(raw)


T0 = 1_893_456_000 * SECOND


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=-(10**17), max_value=10**17),
    st.integers(min_value=-(10**17), max_value=10**17),
)
def test_check_window_property(start: int, end: int) -> None:
    length = end - start
    if length < MINUTE or length > 100 * 366 * DAY:
        with pytest.raises(InvalidInput):
            check_window(start, end)
    else:
        w = check_window(start, end)
        assert (w.start, w.end) == (start, end)


@pytest.mark.parametrize("end", [T0, T0 - 1, T0 - DAY, T0 + MINUTE - 1])
def test_check_window_rejects_end_not_after_start(end: int) -> None:
    with pytest.raises(InvalidInput):
        check_window(T0, end)


def test_r11_a_lone_surrogate_in_a_name_is_refused_in_one_line_not_a_crash():
    with pytest.raises(InvalidInput, match="U\\+D800"):
        clean_name("A\ud800")
