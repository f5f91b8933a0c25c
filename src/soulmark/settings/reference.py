"""The settings as people read them: docs/settings.md, and the effective values with every
secret masked (``soulmark config``).  Both are made from :class:`Config`'s fields, so a new
setting appears in them without a word here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import SecretBytes, SecretStr
from pydantic.fields import FieldInfo

from soulmark.settings.mail import mask_smtp_url
from soulmark.settings.model import PREFIX, Config, Kind

__all__ = ["MASK", "Shown", "effective", "reference"]

MASK = "***"

HEAD = """# Settings

Every setting soulmark reads, all from the environment, each read once when a command,
`soulmark serve` or `soulmark worker` starts. An empty variable counts as unset. A bad value
stops the command with one line naming the variable. A command-line option (`--db`, `--smtp`,
`--base-url`, `--trusted-proxy`) wins over its variable. `soulmark config` prints the values
in effect, secrets masked (`--json` for scripts).

This page is generated from `soulmark.settings.Config`: after changing a setting, run
`soulmark config --reference > docs/settings.md`.

| variable | type | default | what it does |
|---|---|---|---|
"""


def _env(name: str) -> str:
    return PREFIX + name.upper()


def _kind(field: FieldInfo) -> str:
    return next((m.words for m in field.metadata if isinstance(m, Kind)), "text")


def _default(field: FieldInfo) -> str:
    value = field.get_default()
    if value is None:
        return "unset"
    if isinstance(value, tuple):
        return ", ".join(value) or "none"
    return f"`{value}`"


def _about(field: FieldInfo) -> str:
    return " ".join((field.description or "").split()).replace("|", "\\|")


def reference() -> str:
    """docs/settings.md: every setting's variable, type, default and purpose."""
    rows = [
        f"| `{_env(name)}` | {_kind(field)} | {_default(field)} | {_about(field)} |"
        for name, field in Config.model_fields.items()
    ]
    return HEAD + "\n".join(rows) + "\n"


@dataclass(frozen=True)
class Shown:
    """One setting as ``soulmark config`` shows it: never a secret's value."""

    variable: str
    value: Any
    """JSON-ready: a string, a number, a list or None (unset)."""
    from_environment: bool

    @property
    def text(self) -> str:
        if self.value is None:
            return "unset"
        if isinstance(self.value, list):
            return ", ".join(self.value) or "none"
        return str(self.value)


def _masked(value: object) -> Any:
    if isinstance(value, SecretStr):
        # A URL keeps its host in sight and loses its password; any other secret all of it.
        text = value.get_secret_value()
        return mask_smtp_url(text) if "://" in text else MASK
    if isinstance(value, SecretBytes):
        return MASK
    if isinstance(value, tuple):
        return list(value)
    return value


def effective(config: Config) -> list[Shown]:
    """Each setting's value in effect, secrets masked, and whether the environment set it."""
    return [
        Shown(_env(name), _masked(getattr(config, name)), name in config.model_fields_set)
        for name in Config.model_fields
    ]
