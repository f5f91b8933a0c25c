"""The web speaks the viewer's language: Accept-Language, a switch that persists (issue #11)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sqlalchemy import select

import soulmark
from soulmark.core.times import SECOND
from soulmark.i18n import zone
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings, outbox_messages
from soulmark.store.models import PersonRow
from soulmark.web.lang import Speech
from soulmark.web.words import ERROR_WORDS, error_text
from tests.i18n.english import english_left, page_text, untranslated

from .conftest import T0, Web


def test_i18n_accept_language_ja_answers_in_japanese(web: Web) -> None:
    page = web.client.get("/", headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"})
    assert '<html lang="ja"' in page.text
    assert "運命の記録を確かめる" in page.text
    assert "Check a fate transcript" not in page.text


def test_i18n_switch_is_remembered_on_the_device(web: Web) -> None:
    first = web.client.get("/?lang=ja")
    assert '<html lang="ja"' in first.text
    assert first.cookies.get("sm_lang") == "ja"
    # The cookie outranks the browser's own preference.
    later = web.client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="ja"' in later.text
    back = web.client.get("/?lang=en")
    assert '<html lang="en"' in back.text and back.cookies.get("sm_lang") == "en"


def test_i18n_switch_links_every_language_by_its_own_name(web: Web) -> None:
    page = web.client.get("/audit")
    assert 'href="?lang=ja" lang="ja"' in page.text and ">日本語</a>" in page.text
    assert 'aria-current="true">English</a>' in page.text


def test_i18n_unknown_language_falls_back_to_english(web: Web) -> None:
    page = web.client.get("/?lang=xx", headers={"Accept-Language": "tlh"})
    assert '<html lang="en"' in page.text and "sm_lang" not in page.cookies


JA = {"Accept-Language": "ja-JP,ja;q=0.9"}


def test_i18n_language_recorded_at_join_and_notice_mail_in_it(web: Web) -> None:
    world = web.world(["Tenya Iida"], seal=False)
    answer = web.form(
        f"/w/{world.slug}/join",
        {"name": "Bakugou Katsuki", "email": "kacchan@school.test"},
        headers=JA,
    )
    assert answer.status_code == 200  # on to the wrist itself (issue 19 item 3)
    with web.store.transaction() as s:
        langs = dict(s.execute(select(PersonRow.email, PersonRow.lang)).all())
    assert langs == {"p0@school.test": None, "kacchan@school.test": "ja"}
    web.seal(world)
    deliver_due(web.store, NoticeSettings(), now_us=T0 + 400 * SECOND)
    mails = [m for m in outbox_messages(web.store) if m["to"] == "kacchan@school.test"]
    assert sorted(m["kind"] for m in mails) == ["stopped", "tingles"]
    for m in mails:
        assert "手首" in m["subject"] + m["body"] or "止ま" in m["subject"]
        left = english_left(m["subject"] + "\n" + m["body"], allowed=("Test Academy",))
        assert not left, left
        assert not untranslated(m["subject"] + "\n" + m["body"])
    english = [m for m in outbox_messages(web.store) if m["to"] == "p0@school.test"]
    assert english and all(
        "Your wrist tingles" in m["body"] or "It stopped" in m["body"] for m in english
    )


def test_i18n_confirmation_mail_goes_in_the_joiners_language(web: Web) -> None:
    world = web.world([], domain="school.test", seal=False)
    web.form(
        f"/w/{world.slug}/join", {"name": "Ochaco", "email": "uraraka@school.test"}, headers=JA
    )
    deliver_due(web.store, NoticeSettings(), now_us=web.clock.now)
    [mail] = [m for m in outbox_messages(web.store) if m["to"] == "uraraka@school.test"]
    assert mail["kind"] == "confirm" and "/confirm/#c_" in mail["body"]
    assert "参加" in mail["subject"]
    assert not english_left(mail["subject"] + "\n" + mail["body"], allowed=("Test Academy",))


def _no_english(html: str, *allowed: str) -> None:
    left = english_left(page_text(html), allowed=("soulmark", "Test Academy", *allowed))
    assert not left, left
    assert not untranslated(page_text(html)), untranslated(page_text(html))


def test_i18n_ja_wrist_and_world_pages_leave_no_english_sentence(web: Web) -> None:
    world = web.world(["Tenya Iida", "Bakugou Katsuki", "Ochaco Uraraka"])
    page = web.client.get(f"/w/{world.slug}", headers=JA)
    assert '<html lang="ja"' in page.text and "参加する" in page.text
    _no_english(page.text)
    # The catalog check sees English where it is: the same page in English is full of it.
    assert len(untranslated(page_text(web.client.get(f"/w/{world.slug}").text))) > 5
    for person in world.people.values():
        for at in (T0, person.itch_start, person.ink_start, person.legible_at):
            if at is None:
                continue
            web.clock.now = max(web.clock.now, at)
            wrist = web.client.get(f"/wrist/{person.token}", headers=JA)
            assert wrist.status_code == 200
            _no_english(wrist.text, person.name)
            auth = {"Authorization": f"Bearer {person.token}", **JA}
            live = web.client.get("/api/wrist", headers=auth).json()
            assert not english_left(live["message"]), live["message"]
    web.clock.now += 10**9
    paired = next(p for p in world.people.values() if p.partner)
    web.form(f"/wrist/{paired.token}/look", headers=JA)
    revealed = web.client.get(f"/wrist/{paired.token}", headers=JA)
    assert 'data-state="revealed"' in revealed.text
    _no_english(revealed.text, paired.name, world.people[paired.partner or ""].name)


def test_i18n_ja_error_pages_speak_japanese(web: Web) -> None:
    missing = web.client.get("/wrist/w_" + "x" * 40, headers=JA)
    assert missing.status_code == 404 and "この手首の専用リンクは使えません" in missing.text
    _no_english(missing.text)
    nowhere = web.client.get("/w/no-such-world", headers=JA)
    assert nowhere.status_code == 404
    _no_english(nowhere.text)


def test_i11_errors_speak_by_code_in_pages_and_the_api(web: Web) -> None:
    """An error reaches people by its code: a page and the API's ``error`` in Japanese, the
    API's ``code`` the same in every language, the English line kept for English askers."""
    auth = {"Authorization": "Bearer w_" + "x" * 40}
    ja = web.client.get("/api/wrist", headers={**auth, **JA}).json()
    assert ja == {
        "error": "この手首の専用リンクは使えません。リンクを最後までコピーしたか確かめてください。",
        "code": "wrist-unknown",
    }
    en = web.client.get("/api/wrist", headers=auth).json()
    assert en == {"error": "no wrist has that token", "code": "wrist-unknown"}
    world = web.world(["Tenya Iida"], seal=False)
    long = web.form(f"/w/{world.slug}/join", {"name": "x" * 200, "email": "a@b.test"}, headers=JA)
    assert long.status_code == 422 and "100" in long.text
    _no_english(long.text)


def test_i11_error_words_follow_the_code_never_the_english() -> None:
    ja = Speech("ja", zone(None))
    said = error_text("any English at all", 409, ja, "name-sealed")
    assert said == ja.gettext("Fate has been drawn, so your name can no longer change.")
    assert said != ja.gettext("That could not be done.")
    # The English of a known error, without its code, is not read for words.
    unknown = error_text("no wrist has that token", 404, ja)
    assert unknown == ja.gettext("That could not be done.")


def _codes_raised() -> set[str]:
    """Every literal ``code=`` a SoulmarkError is raised with in soulmark's sources."""
    found = set()
    for path in Path(soulmark.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            value = node.value if isinstance(node, ast.keyword) and node.arg == "code" else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(value.value)
    return found - {""}


def test_i11_every_error_code_raised_has_words_in_every_language() -> None:
    raised = _codes_raised() | {
        f"{what}-{kind}"
        for what in ("name", "contact")
        for kind in ("empty", "too-long", "control")
    }
    assert "wrist-unknown" in raised and "share-revoked" in raised  # the walk sees them
    missing = raised - set(ERROR_WORDS)
    assert not missing, f"error codes without words for people: {sorted(missing)}"


def test_i11_organizer_chart_speaks_the_viewers_language(web: Web) -> None:
    world = web.world(["Tenya Iida", "Bakugou Katsuki"])
    pages = {
        lang: web.client.get(f"/organizer/{world.organizer}", headers={"Accept-Language": lang})
        for lang in ("en", "ja")
    }
    charts = {k: p.text[p.text.index('<svg id="timeline"') :] for k, p in pages.items()}
    charts = {k: c[: c.index("</svg>")] for k, c in charts.items()}
    assert "wrists began to tingle" in charts["en"]
    assert "手首がムズムズしはじめた" in charts["ja"]
    assert not english_left(page_text(charts["ja"])), page_text(charts["ja"])


def test_i11_organizer_counts_name_every_state_in_words_not_codes(web: Web) -> None:
    world = web.world(["Tenya Iida", "Bakugou Katsuki"], domain="school.test", seal=False)
    for lang in ("en", "ja"):
        page = web.client.get(f"/organizer/{world.organizer}", headers={"Accept-Language": lang})
        table = page.text[page.text.index('<section id="counts"') :]
        table = table[: table.index("</table>")]
        headers = re.findall(r'<th scope="row">([^<]*)</th>', table)
        assert headers and not {"unconfirmed", "waiting", "bare", "covered"} & set(headers)
        if lang == "ja":
            assert "参加済み・アドレス未確認" in headers
