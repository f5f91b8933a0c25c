"""The process's configuration: one object, read from the environment at an entry point.

See :mod:`soulmark.settings.model` for how it is read and handed down, and docs/settings.md
(generated from it) for every setting.
"""

from soulmark.settings.mail import DEFAULT_BASE_URL, NoticeSettings, SmtpTarget, parse_smtp_url
from soulmark.settings.model import Config, Quotas, read_config

__all__ = [
    "DEFAULT_BASE_URL",
    "Config",
    "NoticeSettings",
    "Quotas",
    "SmtpTarget",
    "parse_smtp_url",
    "read_config",
]
