"""The catalogs: complete, up to date with the sources, and chosen per person (issue #11)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from soulmark import i18n

from .english import english_left

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "soulmark" / "locale"


def _catalog(code: str) -> dict[str, str]:
    with (LOCALE / code / "LC_MESSAGES" / "soulmark.po").open("rb") as fp:
        cat = read_po(fp, locale=code)
    out = {}
    for m in cat:
        if m.id:
            key = m.id if isinstance(m.id, str) else m.id[0]
            text = m.string if isinstance(m.string, str) else m.string[0]
            out[key] = "" if m.fuzzy else text
    return out


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    found = set()
    for _, _, msg, _, _ in extract_from_dir(
        str(ROOT / "src" / "soulmark"), method_map, options_map
    ):
        found.add(msg if isinstance(msg, str) else msg[0])
    return found


def test_i18n_catalogs_hold_every_string_the_sources_mark() -> None:
    """`make messages` was run: no marked string is missing from a catalog."""
    marked = _extracted()
    assert marked, "nothing extracted: babel.cfg no longer matches the sources"
    for code in i18n.available():
        missing = marked - set(_catalog(code))
        assert not missing, f"{code}: run `make messages`; missing {sorted(missing)[:5]}"


def test_i18n_every_msgid_has_a_japanese_translation() -> None:
    untranslated = [k for k, v in _catalog("ja").items() if not v.strip()]
    assert not untranslated, untranslated[:10]


def test_i18n_languages_are_read_from_the_catalogs() -> None:
    assert i18n.available()[0] == "en"
    assert "ja" in i18n.available()
    assert i18n.display_name("ja") == "日本語"
    assert i18n.translations("ja").gettext("Breathe in") == "吸って"
    assert i18n.translations("xx").gettext("Breathe in") == "Breathe in"


def test_i18n_accept_language_picks_the_best_available() -> None:
    assert i18n.from_accept_language("ja-JP,ja;q=0.9,en;q=0.8") == "ja"
    assert i18n.from_accept_language("fr-CH, fr;q=0.9, ja;q=0.5, en;q=0.7") == "en"
    assert i18n.from_accept_language("de, ja;q=0.4") == "ja"
    assert i18n.from_accept_language("") == "en"
    assert i18n.from_accept_language("ja;q=0") == "en"
    assert i18n.from_accept_language("ja;q=zzz, *") == "en"


def test_i18n_moments_in_the_viewers_language_and_zone() -> None:
    us = 1_900_000_000 * 1_000_000  # 2030-03-17 17:46:40 UTC
    tokyo = i18n.format_moment(us, code="ja", tz=i18n.zone("Asia/Tokyo"), now=0)
    assert tokyo == "2030年3月18日 02:46"
    london = i18n.format_moment(us, code="en", tz=i18n.zone("Nope/Nowhere"), now=0)
    assert london == "March 17, 2030 at 17:46"


def test_i18_6_moments_are_friendly_no_seconds_no_zone_name() -> None:
    us = 1_900_000_000 * 1_000_000  # 2030-03-17 17:46:40 UTC
    hour = 3_600 * 1_000_000
    utc, tokyo = i18n.zone("UTC"), i18n.zone("Asia/Tokyo")
    assert i18n.format_moment(us, code="en", tz=utc, now=us - hour) == "today at 17:46"
    assert i18n.format_moment(us, code="en", tz=utc, now=us - 24 * hour) == "tomorrow at 17:46"
    assert i18n.format_moment(us, code="en", tz=utc, now=us + 24 * hour) == "yesterday at 17:46"
    # The same year says no year; the day is the reader's (Tokyo is already on the 18th).
    assert i18n.format_moment(us, code="en", tz=utc, now=us - 30 * 24 * hour) == (
        "March 17 at 17:46"
    )
    assert i18n.format_moment(us, code="ja", tz=tokyo, now=us) == "今日 02:46"
    assert i18n.format_moment(us, code="ja", tz=tokyo, now=us + 24 * hour) == "昨日 02:46"
    for code in ("en", "ja"):
        text = i18n.format_moment(us + 7 * 1_000_000, code=code, tz=utc, now=0)
        assert ":40" not in text and ":47" not in text and "UTC" not in text


def test_i18n_english_left_finds_a_sentence_and_spares_names() -> None:
    assert english_left("手首 Your wrist tingles.") == ["Your wrist tingles"]
    assert english_left("Tenya Iida さん https://x.test/w/yuei", allowed=("Tenya Iida",)) == []
