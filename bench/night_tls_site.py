"""The documented nginx site (docs/deploy.md) run for the reveal-night bench over TLS.

The site is taken from the guide as the deployment test takes it (tests/deploy), with this
machine's ports and a self-signed certificate; only the main configuration around it is the
bench's own, because 2,000 streams need more connections than nginx's default 512.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.deploy.test_deploy_nginx import here, site_of_the_guide

from bench.common import free_port
from bench.faults_stack import _Process, nginx_binary

__all__ = ["TlsSite"]

MAIN = """{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
worker_rlimit_nofile 20000;
events {{ worker_connections 8192; }}
http {{
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  include {tmp}/site.conf;
}}
"""


def _certificate(tmp: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


class TlsSite(_Process):
    """nginx in the foreground with the guide's site: https in front of the instances."""

    def __init__(self, tmp: Path, apps: list[int]) -> None:
        binary = nginx_binary()
        if binary is None:
            raise SystemExit("nginx is not installed (apt-get install -y nginx-light)")
        self.port, self.http_port = free_port(), free_port()
        _certificate(tmp)
        site = here(site_of_the_guide(), tmp, self.port, self.http_port, apps)
        (tmp / "site.conf").write_text(site, encoding="utf-8")
        user = "user root;\n" if os.geteuid() == 0 else ""
        (tmp / "nginx.conf").write_text(MAIN.format(user=user, tmp=tmp), encoding="utf-8")
        conf = ["-c", str(tmp / "nginx.conf"), "-e", str(tmp / "nginx-error.log")]
        checked = subprocess.run([binary, "-t", *conf], capture_output=True, text=True)
        if checked.returncode != 0:
            raise SystemExit(f"nginx refused the site: {checked.stderr.strip()}")
        super().__init__([binary, *conf, "-g", "daemon off;"], tmp / "nginx.log", {})
        self.base = f"https://127.0.0.1:{self.port}"
