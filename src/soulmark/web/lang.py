"""Which language and time zone a request is answered in, and gettext for the templates.

The language is, in order: ``?lang=`` (the switch on every page, then remembered in a
cookie), the ``sm_lang`` cookie, ``Accept-Language``, English.  The time zone comes from the
``sm_tz`` cookie that soulmark.js sets from the browser; until then a page about a world
speaks the world's zone (:func:`assume_zone`), any other page UTC.

Templates share one Jinja environment across concurrent requests, so its gettext reads the
reader's language from the page's own context (``speech``, put there by
soulmark.web.render), never from a global: whatever answers a request is handed its speech.
"""

from __future__ import annotations

from dataclasses import dataclass
from gettext import NullTranslations
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request

from soulmark import i18n

__all__ = [
    "LANG_COOKIE",
    "TZ_COOKIE",
    "Speech",
    "assume_zone",
    "install",
    "speech_of",
]

LANG_COOKIE = "sm_lang"
TZ_COOKIE = "sm_tz"


@dataclass(frozen=True)
class Speech:
    """How to speak to one viewer: their language and their time zone."""

    code: str
    tz: ZoneInfo
    chosen: bool = False
    """True when the language came from ``?lang=`` (the switch): the cookie is then set."""
    now: int | None = None
    """The site clock's moment, so "today" is the day the site lives in (tests fix it)."""

    @property
    def catalog(self) -> NullTranslations:
        return i18n.translations(self.code)

    def gettext(self, message: str, **values: Any) -> str:
        return self.catalog.gettext(message) % values

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        text = self.catalog.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def moment(self, us: int | None) -> str:
        if us is None:
            return ""
        return i18n.format_moment(us, code=self.code, tz=self.tz, now=self.now)


def speech_of(request: Request) -> Speech:
    """The viewer's language and time zone (cached on the request)."""
    cached = getattr(request.state, "speech", None)
    if isinstance(cached, Speech):
        return cached
    asked = i18n.pick(request.query_params.get("lang"))
    code = (
        asked
        or i18n.pick(request.cookies.get(LANG_COOKIE))
        or i18n.from_accept_language(request.headers.get("accept-language"))
    )
    # soulmark.js writes the zone URL-encoded ("Asia%2FTokyo"); cookies arrive as written.
    known = unquote(request.cookies.get(TZ_COOKIE) or "")
    fallback = getattr(request.state, "world_zone", None)
    settings = getattr(request.app.state, "settings", None)
    now = settings.clock() if settings is not None else None
    speech = Speech(code, i18n.zone(known or fallback), chosen=asked is not None, now=now)
    request.state.speech = speech
    return speech


def assume_zone(request: Request, zone_name: str | None) -> None:
    """This page is about a world in ``zone_name``: speak it while the viewer's own zone is
    unknown (the first visit, before soulmark.js has told it)."""
    request.state.world_zone = zone_name
    request.state.speech = None


_ENGLISH = Speech(i18n.DEFAULT, i18n.zone(None))


def _speech(ctx: Context) -> Speech:
    """The speech of the page being rendered (English for a template given none)."""
    found = ctx.get("speech")
    return found if isinstance(found, Speech) else _ENGLISH


def _escaped(ctx_autoescape: bool, text: str, values: dict[str, Any]) -> str:
    # As Jinja's own newstyle gettext: always formatted, so "%%" means "%" everywhere.
    return (Markup(text) if ctx_autoescape else text) % values


def install(env: Environment) -> None:
    """``{% trans %}``, ``_()``, ``gettext()`` and ``ngettext()`` in every template (newstyle:
    values are escaped, and a missing one is an error rather than a silent gap)."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.newstyle_gettext = True  # type: ignore[attr-defined]

    @pass_context
    def _gettext(ctx: Context, message: str, **values: Any) -> str:
        text = _speech(ctx).catalog.gettext(message)
        return _escaped(ctx.eval_ctx.autoescape, text, values)

    @pass_context
    def _ngettext(ctx: Context, singular: str, plural: str, num: int, **values: Any) -> str:
        text = _speech(ctx).catalog.ngettext(singular, plural, num)
        return _escaped(ctx.eval_ctx.autoescape, text, {"num": num, **values})

    @pass_context
    def _moment(ctx: Context, us: int | None) -> str:
        return _speech(ctx).moment(us)

    @pass_context
    def _when(ctx: Context, text: str | None) -> str:
        return _speech(ctx).moment(_parse(text))

    env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)
    env.filters["moment"] = _moment
    env.filters["when"] = _when


def _parse(text: str | None) -> int | None:
    from soulmark.core.times import parse_iso

    if not text:
        return None
    try:
        return parse_iso(text)
    except ValueError:
        return None
