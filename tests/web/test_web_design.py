"""Issue 18 on the server's side: the name shown once in the face of its script, the form
that still looks without scripts (and lands on the page's top), the early theme file."""

from __future__ import annotations

import re

from soulmark.web.drawing import STROKE_PATHS, name_script

NAMES = ["Tenya Iida", "爆豪勝己"]


def _text(html: str) -> str:
    """What a reader sees: the body without tags, scripts or attributes."""
    body = html.split("<body>", 1)[1]
    body = re.sub(r"<script.*?</script>", "", body, flags=re.S)
    return re.sub(r"<[^>]+>", "", body)


def test_i18_4_the_name_is_on_the_page_once_in_the_face_of_its_script(web, clock):
    world = web.world(NAMES)
    for me, them in ((NAMES[0], NAMES[1]), (NAMES[1], NAMES[0])):
        p = world.by_name(me)
        clock.now = max(clock.now, p.legible_at)
        looked = web.form(f"/wrist/{p.token}/look", follow_redirects=False)
        # Without scripts the form still looks, and lands on the page's top, not the drawing.
        assert looked.status_code == 303 and looked.headers["location"].endswith("#wrist")
        html = web.client.get(f"/wrist/{p.token}").text
        assert _text(html).count(them) == 1
        script = "cjk" if them == NAMES[1] else "latin"
        assert re.search(rf'id="partner-name"[^>]*data-script="{script}"', html)


def test_i18_2_strokes_are_fixed_and_names_take_their_script():
    assert len(set(STROKE_PATHS)) > 6, "letter-like strokes, not one coil repeated"
    assert [name_script(n) for n in ("Tenya", "飯田", "おちゃこ", "김민지", "Ольга")] == [
        "latin",
        "cjk",
        "cjk",
        "cjk",
        "latin",
    ]


def test_i18_1_the_theme_file_loads_before_the_stylesheet_and_is_kept_offline(web):
    html = web.client.get("/").text
    head = html.split("</head>", 1)[0]
    assert head.index('<script src="/static/theme.js"></script>') < head.index("soulmark.css")
    assert 'id="theme"' in html and "aria-pressed" in html
    assert web.client.get("/static/theme.js").status_code == 200
    assert "/static/theme.js" in web.client.get("/sw.js").text
