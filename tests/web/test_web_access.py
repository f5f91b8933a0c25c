"""Access control: every endpoint tried with the right token, another wrist's token, a share
token, the organizer token and no token.  A token opens exactly what it was made for."""

from __future__ import annotations

import pytest

NAMES = ["Victima Accessova", "Partnero Accessovich", "Otherina Strangerova", "Fourtha Q"]


@pytest.fixture
def scene(web, clock):
    """After every name is legible: the victim looked, reached out and shows the name to a
    friend; a stranger (not the victim's partner) holds their own wrist."""
    world = web.world(NAMES)
    victim = world.by_name(NAMES[0])
    partner = world.people[victim.partner]
    stranger = next(p for p in world.people.values() if p.pid not in (victim.pid, partner.pid))
    clock.now = max(p.legible_at for p in world.people.values()) + 1
    web.api("POST", "/api/wrist/look", victim.token)
    web.api("POST", "/api/wrist/reach-out", victim.token)
    made = web.api("POST", "/api/wrist/shares", victim.token).json()
    web.api("PUT", f"/api/wrist/shares/{made['id']}/show", victim.token, json={"show": True})
    return {
        "world": world,
        "victim": victim,
        "partner": partner,
        "stranger": stranger,
        "share": made["token"],
        "share_id": made["id"],
    }


WRIST_API = [
    ("GET", "/api/wrist", None),
    ("POST", "/api/wrist/look", None),
    ("POST", "/api/wrist/reach-out", None),
    ("GET", "/api/wrist/shares", None),
    ("POST", "/api/wrist/shares", None),
    ("PUT", "/api/wrist/shares/{share_id}/show", {"show": True}),
    ("DELETE", "/api/wrist/shares/{share_id}", None),
    ("GET", "/api/wrist/exclusions", None),
]
SHARE_API = [("GET", "/api/share", None)]
ORGANIZER_API = [
    ("GET", "/api/organizer", None),
    ("POST", "/api/organizer/seal", {"round": 1}),
    ("GET", "/api/organizer/transcript", None),
    ("GET", "/api/organizer/timeline.csv", None),
]


def tokens(scene):
    return {
        "wrist": scene["victim"].token,
        "share": scene["share"],
        "organizer": scene["world"].organizer,
        "stranger": scene["stranger"].token,
        "none": None,
    }


def secrets_of_victim(scene) -> list[str]:
    """What only the victim's own token (or the victim's shown share) may ever return."""
    return [scene["partner"].name, scene["partner"].email, scene["victim"].pid]


@pytest.mark.parametrize("kind", ["share", "organizer", "stranger", "none"])
def test_wrist_api_opens_only_with_its_own_token(web, scene, kind):
    token = tokens(scene)[kind]
    for method, path, body in WRIST_API:
        r = web.api(method, path.format(**scene), token, json=body)
        assert r.status_code in ({401} if kind == "none" else {404, 200, 201, 409}), (path, r)
        if kind in ("share", "organizer"):
            assert r.status_code == 404, (kind, path)
        if kind == "stranger" and "{share_id}" in path:
            assert r.status_code == 404, path
        assert "error" in r.json() or kind == "stranger"
        for secret in secrets_of_victim(scene):
            assert secret not in r.text, (kind, path)


def test_wrist_api_with_its_own_token_answers(web, scene):
    for method, path, body in WRIST_API:
        r = web.api(method, path.format(**scene), scene["victim"].token, json=body)
        assert r.status_code in (200, 201), (path, r.text)


@pytest.mark.parametrize("kind", ["wrist", "organizer", "stranger", "none"])
def test_share_api_opens_only_with_a_share_token(web, scene, kind):
    r = web.api("GET", "/api/share", tokens(scene)[kind])
    assert r.status_code == (401 if kind == "none" else 404)
    assert scene["partner"].name not in r.text
    assert web.api("GET", "/api/share", scene["share"]).json()["name"] == scene["partner"].name


@pytest.mark.parametrize("kind", ["wrist", "share", "stranger", "none"])
def test_organizer_api_opens_only_with_the_organizer_token(web, scene, kind):
    for method, path, body in ORGANIZER_API:
        r = web.api(method, path, tokens(scene)[kind], json=body)
        assert r.status_code == (401 if kind == "none" else 404), (kind, path)
        assert r.json()["error"]
    for method, path, body in ORGANIZER_API:
        assert web.api(method, path, scene["world"].organizer, json=body).status_code == 200


WRIST_PAGES = [
    ("GET", "/wrist/{t}"),
    ("POST", "/wrist/{t}/look"),
    ("POST", "/wrist/{t}/reach-out"),
    ("POST", "/wrist/{t}/shares"),
    ("POST", "/wrist/{t}/shares/{share_id}/revoke"),
    ("POST", "/wrist/{t}/shares/{share_id}/show"),
]
SHARE_PAGES = [("GET", "/share/{t}")]
ORGANIZER_PAGES = [
    ("GET", "/organizer/{t}"),
    ("POST", "/organizer/{t}/seal"),
    ("GET", "/organizer/{t}/transcript"),
    ("GET", "/organizer/{t}/timeline.csv"),
]


def page(web, method, path, scene, t):
    url = path.format(t=t, share_id=scene["share_id"])
    if method == "GET":
        return web.client.get(url)
    return web.form(url, {"round": "1", "show": "false"})


@pytest.mark.parametrize(
    "pages,owner",
    [(WRIST_PAGES, "wrist"), (SHARE_PAGES, "share"), (ORGANIZER_PAGES, "organizer")],
)
def test_private_pages_open_only_with_their_own_token(web, scene, pages, owner):
    for kind, token in tokens(scene).items():
        if kind == owner:
            continue
        for method, path in pages:
            r = page(web, method, path, scene, token or "-")
            if kind == "stranger" and owner == "wrist" and "{share_id}" not in path:
                assert r.status_code in (200, 201)  # the stranger's own wrist
            else:
                assert r.status_code in (404, 405), (kind, path, r.status_code)
            for secret in secrets_of_victim(scene):
                assert secret not in r.text, (kind, path)


def test_private_forms_need_the_csrf_token_even_with_the_right_token(web, scene):
    victim, organizer = scene["victim"].token, scene["world"].organizer
    web.client.get("/")
    for url in (
        f"/wrist/{victim}/look",
        f"/wrist/{victim}/reach-out",
        f"/wrist/{victim}/shares",
        f"/wrist/{victim}/shares/{scene['share_id']}/revoke",
        f"/organizer/{organizer}/seal",
    ):
        r = web.client.post(url, data={"round": "1"})
        assert r.status_code == 403, url
    assert web.api("GET", "/api/share", scene["share"]).status_code == 200


def test_wrist_tokens_are_long_random_and_stored_hashed(web, scene, store):
    from sqlalchemy import text

    token = scene["victim"].token
    assert len(token) >= 2 + 22  # >= 128 bits of url-safe base64
    with store.transaction() as s:
        for table, column in (("people", "token_hash"), ("shares", "token_hash")):
            stored = s.execute(text(f"SELECT {column} FROM {table}")).scalars().all()
            assert token not in stored and scene["share"] not in stored
            assert all(len(h) == 64 for h in stored)


@pytest.mark.parametrize("kind", ["wrist", "share", "organizer", "stranger", "none"])
def test_public_endpoints_answer_alike_whatever_token_comes_along(web, scene, kind):
    """Public pages ignore tokens: none of them gains anything private from one."""
    slug = scene["world"].slug
    token = tokens(scene)[kind]
    text = web.client.get(f"/w/{slug}/transcript").text
    calls = [
        ("GET", f"/api/worlds/{slug}", None, None),
        ("GET", f"/api/worlds/{slug}/transcript", None, None),
        ("POST", "/api/preview", {"name": "Someone"}, None),
        ("POST", "/api/audit", None, text),
        ("POST", "/api/confirm", {"token": token or "c_none"}, None),
        ("GET", "/api/dev/outbox", None, None),
    ]
    for method, path, body, content in calls:
        r = web.api(method, path, token, json=body, content=content)
        assert r.status_code in (200, 404), (path, r.status_code)
        # Opaque ids are public (the transcript lists them); names and addresses are not.
        for secret in (scene["partner"].name, scene["partner"].email, scene["victim"].name):
            assert secret not in r.text, (kind, path)
    for path in (f"/w/{slug}", "/audit", "/", "/docs"):
        r = web.client.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})
        assert r.status_code == 200
        for secret in secrets_of_victim(scene):
            assert secret not in r.text
