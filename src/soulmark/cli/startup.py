"""``serve``'s one-line warnings: a setting this deployment needs is missing (issue 17).

Each is a line on stderr, said once at start, and the server starts anyway: a missing
setting here makes some requests fail or leaves something open, it does not stop the site.
"""

from __future__ import annotations

import ipaddress

from soulmark.settings import Config
from soulmark.web import Settings

__all__ = ["warnings"]


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _secret(cfg: Config, workers: int) -> list[str]:
    if cfg.secret is not None:
        return []
    if cfg.instances > 1:
        return [
            f"SOULMARK_INSTANCES is {cfg.instances} but SOULMARK_SECRET is unset: each instance "
            "makes its own, and a form posted to another one is refused (403); set the same "
            "SOULMARK_SECRET on every instance"
        ]
    if workers > 1:
        return [
            f"--workers {workers} without SOULMARK_SECRET: the processes share one made now, "
            "and the next restart makes another (open forms are refused, 403); set "
            "SOULMARK_SECRET"
        ]
    return []


def _proxy(settings: Settings) -> list[str]:
    if settings.trusted_proxies and not settings.base_url.lower().startswith("https://"):
        return [
            f"the base URL {settings.base_url} is not https while trusted proxies are set: "
            "links in mail are not https and cookies are not Secure; set SOULMARK_BASE_URL "
            "(or --base-url) to the https address people use"
        ]
    return []


def _open(settings: Settings, host: str) -> list[str]:
    if settings.invite_codes or _loopback(host):
        return []
    return [
        f"anyone who reaches {host} can open a world and send invitations from this site; "
        "give --invite-code to keep it to people you know"
    ]


def _metrics(settings: Settings, workers: int) -> list[str]:
    said = []
    if settings.metrics and not settings.metrics_token:
        said.append(
            "SOULMARK_METRICS is on without SOULMARK_METRICS_TOKEN: anyone who reaches "
            "/metrics can read it; set a token"
        )
    if settings.metrics and workers > 1:
        said.append(
            f"--workers {workers} with metrics on: each scrape reads one process of "
            f"{workers}; run separate instances on their own ports and scrape each"
        )
    return said


def warnings(cfg: Config, settings: Settings, *, host: str, workers: int) -> list[str]:
    """What this deployment lacks, one line each (empty: nothing)."""
    return [
        *_secret(cfg, workers),
        *_proxy(settings),
        *_open(settings, host),
        *_metrics(settings, workers),
    ]
