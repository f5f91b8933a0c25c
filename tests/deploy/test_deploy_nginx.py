"""Issues 22 (item 12) and 17 (item 1): the nginx site of docs/deploy.md, run for real.

Debian's nginx (``make browser`` installs it as root) ends TLS in front of two real
``soulmark serve`` processes on one database, with the site taken from the guide itself, so
the two cannot drift.  After a whole cycle through it (a world opened, joins, wrists opened
by both shapes of link, a share, the dashboard, a sign-in) neither nginx's access log nor the
app's holds any token, nor any token's hash.  With the guide's worker and a local SMTP server
beside them, a join, a seal, a wrist stream and a mailed link all work over https.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from soulmark.services.tokens import token_hash
from soulmark.store import Store
from tests.mailbox import signins
from tests.net import free_port
from tests.notices.notices_support import Recorder, running_smtp

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
SECRET = "5e" * 32
WORLD = {"name": "Deploy Academy", "window_start": "2030-04-01", "window_end": "2031-03-31"}


def site_of_the_guide() -> str:
    blocks = re.findall(r"```nginx\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "docs/deploy.md holds one nginx site"
    return str(blocks[0])


def _swap(text: str, old: str, new: str) -> str:
    """``old`` replaced, which the guide must hold: the test follows the guide or fails."""
    assert old in text, f"docs/deploy.md no longer says {old!r}"
    return text.replace(old, new)


def here(site: str, tmp: Path, https: int, http: int, apps: list[int]) -> str:
    """The guide's site with this machine's ports, certificate and log file."""
    site = _swap(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = _swap(site, "listen 80;", f"listen 127.0.0.1:{http};")
    site = _swap(site, "server 127.0.0.1:8001;", f"server 127.0.0.1:{apps[0]};")
    site = _swap(site, "server 127.0.0.1:8002;", f"server 127.0.0.1:{apps[1]};")
    site = re.sub(r"ssl_certificate \S+;", f"ssl_certificate {tmp / 'cert.pem'};", site)
    site = re.sub(r"ssl_certificate_key \S+;", f"ssl_certificate_key {tmp / 'key.pem'};", site)
    return _swap(site, "/var/log/nginx/soulmark.access.log", str(tmp / "nginx-access.log"))


def _main_conf(tmp: Path) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {tmp / 'nginx.pid'};\n"
        f"error_log {tmp / 'nginx-error.log'} info;\nevents {{}}\n"
        f"http {{\n  client_body_temp_path {tmp / 'body'};\n  proxy_temp_path {tmp / 'proxy'};\n"
        f"  include {tmp / 'site.conf'};\n}}\n"
    )


def _nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        pytest.skip("nginx is missing and cannot be installed here (`make browser`, as root)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is missing: no certificate for nginx's TLS")
    return found


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90  # a loaded 2-core machine starts Python slowly
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{url} exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(url, verify=False, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not answer")


@dataclass
class Front:
    base: str
    store: Store
    tmp: Path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, verify=False, follow_redirects=True, timeout=20)

    def logs(self) -> tuple[str, str]:
        nginx = (self.tmp / "nginx-access.log").read_text(encoding="utf-8")
        apps = "".join(p.read_text(encoding="utf-8") for p in sorted(self.tmp.glob("app-*.log")))
        return nginx, apps


def _serve(db_url: str, port: int, base: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SOULMARK_SECRET": SECRET, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "soulmark", "serve", "--db", db_url, "--port", str(port)]
    command += ["--trusted-proxy", "127.0.0.1", "--no-notices", "--base-url", base]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.fixture
def front(tmp_path: Path, store: Store, db_url: str) -> Iterator[Front]:
    nginx = _nginx()
    https, http, apps = free_port(), free_port(), [free_port(), free_port()]
    base = f"https://127.0.0.1:{https}"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (tmp_path / "site.conf").write_text(here(site_of_the_guide(), tmp_path, https, http, apps))
    (tmp_path / "nginx.conf").write_text(_main_conf(tmp_path))
    servers = [_serve(db_url, p, base, tmp_path / f"app-{p}.log") for p in apps]
    conf = ["-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "nginx-error.log")]
    checked = subprocess.run([nginx, "-t", *conf], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proxy = subprocess.Popen([nginx, *conf, "-g", "daemon off;"])
    try:
        for port, server in zip(apps, servers, strict=True):
            _wait(f"http://127.0.0.1:{port}/", server, tmp_path / f"app-{port}.log")
        _wait(base + "/", proxy, tmp_path / "nginx-error.log")
        yield Front(base, store, tmp_path)
    finally:
        for proc in (proxy, *servers):
            _stop(proc)


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _open(client: httpx.Client, link: str) -> httpx.Response:
    """What the landing page's script does: the fragment, posted in a body."""
    path, _, token = link.partition("#")
    landing = client.get(path)
    assert landing.status_code == 200 and 'id="open-form"' in landing.text
    kind = path.rstrip("/").rsplit("/", 1)[1]
    return client.post(f"/open/{kind}", data={"csrf": _csrf(landing), "link": token})


def _cookie_tokens(client: httpx.Client) -> list[str]:
    # __Host-sm_wrist_…: the site is https, so its cookies are Secure and host-only.
    return [v for k, v in client.cookies.items() if k.startswith("__Host-sm_")]


def _join(client: httpx.Client, slug: str, name: str, email: str) -> str:
    page = client.get(f"/w/{slug}")
    joined = client.post(
        f"/w/{slug}/join", data={"csrf": _csrf(page), "name": name, "email": email}
    )
    # The join ends on the wrist itself, its private link shown there (issue 19 item 3).
    assert joined.status_code == 200 and joined.history[0].status_code == 303, joined.text[:500]
    found = re.search(r'id="wrist-link" class="big-link" href="([^"]+)"', joined.text)
    assert found
    return found.group(1)


def _cycle(front: Front) -> list[str]:
    """A world's whole life through nginx; the secrets it handed out."""
    org = front.client()
    made = org.post("/api/worlds", json=WORLD).json()
    assert made["organizer_url"] == f"{front.base}/organizer/#{made['organizer_token']}"
    dashboard = _open(org, made["organizer_url"])
    assert dashboard.status_code == 200 and "/organizer/me-" in str(dashboard.url)
    old = front.client().get(f"/organizer/{made['organizer_token']}")  # the old shape
    assert old.status_code == 200 and "/organizer/me-" in str(old.url)
    secrets = [made["organizer_token"]]

    ana, bo = front.client(), front.client()
    ana_link = _join(ana, made["world"], "Ana Deploy", "ana@deploy.test")
    bo_link = _join(bo, made["world"], "Bo Deploy", "bo@deploy.test")
    wrist = _open(ana, ana_link)
    assert wrist.status_code == 200 and 'id="wrist"' in wrist.text
    assert bo.get("/wrist/" + bo_link.rsplit("#", 1)[1]).status_code == 200  # the old shape
    secrets += [ana_link.rsplit("#", 1)[1], bo_link.rsplit("#", 1)[1]]
    assert bo.get("/wrist/w_" + "x" * 32).status_code == 404

    shared = ana.post(f"{wrist.url.path}/shares", data={"csrf": _csrf(wrist)})
    share_link = re.search(r'id="new-share"[^>]*value="([^"]+)"', shared.text).group(1)
    assert _open(front.client(), share_link).status_code == 200
    secrets.append(share_link.rsplit("#", 1)[1])
    bearer = {"Authorization": f"Bearer {secrets[1]}"}
    assert ana.get("/api/wrist", headers=bearer).status_code == 200
    _stream_starts(ana, wrist.url.path)

    back = front.client()
    asked = back.post(
        f"/w/{made['world']}/recover",
        data={"csrf": _csrf(back.get(f"/w/{made['world']}")), "email": "bo@deploy.test"},
    )
    assert asked.status_code == 200 and asked.url.path.endswith("/recover/sent")
    code = signins(front.store)[-1]["link"].rsplit("#", 1)[1]
    page = _open(back, f"{front.base}/signin/#{code}")
    signed = back.post("/signin", data={"csrf": _csrf(page), "code": code})
    assert signed.status_code == 200 and "/wrist/me-" in str(signed.url)
    return [*secrets, code, *_cookie_tokens(back)]


def _stream_starts(client: httpx.Client, wrist_path: str) -> None:
    """Server-sent events pass through at once (no buffering): the first one arrives."""
    with client.stream("GET", f"{wrist_path}/events") as events:
        assert events.status_code == 200
        assert events.headers["content-type"].startswith("text/event-stream")
        first = next(events.iter_lines(), "")
        assert first, "no event came through nginx"


def test_issue22_no_token_reaches_the_access_logs_after_a_full_cycle(front):
    secrets = _cycle(front)
    assert len(set(secrets)) == 6 and all(len(s) > 30 for s in secrets)
    time.sleep(0.5)  # nginx writes each line as the request ends; the apps flush each line
    nginx, apps = front.logs()
    assert "/open/wrist" in nginx and "/organizer/[token]" in nginx and "/wrist/me-" in nginx
    assert "POST /open/wrist" in apps and "/organizer/o_…" in apps
    for secret in secrets:
        for trace in (secret, secret[2:], token_hash(secret), token_hash(secret)[:16]):
            assert trace not in nginx, f"nginx logged {trace[:4]}…"
            assert trace not in apps, f"the app logged {trace[:4]}…"


@pytest.fixture
def mailed(front: Front, db_url: str) -> Iterator[Recorder]:
    """The guide's worker (one process, ``soulmark worker``) sending to a real local SMTP server."""
    with running_smtp() as smtp:
        log = front.tmp / "worker.log"
        env = {**os.environ, "SOULMARK_SECRET": SECRET, "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "soulmark", "worker", "--db", db_url]
        command += ["--smtp", smtp.url, "--base-url", front.base]
        with log.open("wb") as out:
            worker = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield smtp.recorder
        finally:
            _stop(worker)


def _mail_to(recorder: Recorder, address: str, log: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in recorder.parsed():
            if message["To"] == address:
                part = message.get_body(preferencelist=("plain",))
                assert part is not None
                return str(part.get_content())
        time.sleep(0.2)
    pytest.fail(f"no mail to {address}: {log.read_text()[-2000:]}")


def test_17_join_seal_stream_and_a_mailed_link_all_work_over_https(front, mailed):
    org = front.client()
    made = org.post("/api/worlds", json=WORLD).json()
    ana, bo = front.client(), front.client()
    ana_link = _join(ana, made["world"], "Ana Night", "ana@night.test")
    _join(bo, made["world"], "Bo Night", "bo@night.test")
    events: list[str] = []
    streamer = Streamer(front.base, ana_link.rsplit("#", 1)[1], events)
    threading.Thread(target=streamer.run, daemon=True).start()
    _until(lambda: len(events) >= 1, "the wrist stream's first event")

    sealed = org.post(
        "/api/organizer/seal",
        json={"round": 1},
        headers={"Authorization": f"Bearer {made['organizer_token']}"},
    )
    assert sealed.status_code == 200, sealed.text
    _until(lambda: len(events) >= 2, "the wrist stream's event after the seal")
    assert '"round"' in events[-1] and events[-1] != events[0]

    back = front.client()
    asked = back.post(
        f"/w/{made['world']}/recover",
        data={"csrf": _csrf(back.get(f"/w/{made['world']}")), "email": "bo@night.test"},
    )
    assert asked.status_code == 200 and asked.url.path.endswith("/recover/sent")
    text = _mail_to(mailed, "bo@night.test", front.tmp / "worker.log")
    link = re.search(r"https://\S+/signin/#k_\S+", text)
    assert link and link.group(0).startswith(front.base + "/signin/#"), text
    page = _open(back, link.group(0))
    code = link.group(0).rsplit("#", 1)[1]
    signed = back.post("/signin", data={"csrf": _csrf(page), "code": code})
    assert signed.status_code == 200 and "/wrist/me-" in str(signed.url)
    assert 'id="wrist"' in signed.text


@dataclass
class Streamer:
    """``GET /api/wrist/events`` held open through nginx; each event's data line kept."""

    base: str
    token: str
    events: list[str]

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        timeout = httpx.Timeout(10.0, read=120.0)
        url = f"{self.base}/api/wrist/events"
        try:
            with httpx.stream("GET", url, headers=headers, timeout=timeout, verify=False) as r:
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        self.events.append(line)
        except httpx.TransportError:
            return  # the servers stop at the end of the test


def _until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} never came")
        time.sleep(0.1)


def test_17_one_request_bears_one_id_in_nginx_log_the_app_log_and_the_answer(front):
    with front.client() as client:
        answer = client.get("/healthz")
    rid = answer.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid), rid
    time.sleep(0.5)
    nginx, apps = front.logs()
    assert '"GET /healthz HTTP/1.1" 200 ' in nginx, nginx[-500:]
    assert f"rid={rid}" in nginx
    assert rid in apps
