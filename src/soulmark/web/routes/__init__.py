"""One router per resource; the app includes them in this order."""

from soulmark.web.routes import (
    audit,
    console,
    dev,
    events,
    exclusions,
    invites,
    lifecycle,
    links,
    night,
    organizer,
    pages,
    people,
    push,
    receipts,
    schedule,
    senders,
    sessions,
    shares,
    signin,
    unsubscribe,
    way_in,
    world_admin,
    worlds,
    wrist,
)

ROUTERS = [
    pages.router,
    worlds.router,
    console.router,
    wrist.router,
    signin.router,
    invites.router,
    senders.router,
    unsubscribe.router,
    events.router,
    shares.router,
    exclusions.router,
    receipts.router,
    lifecycle.router,
    organizer.router,
    people.router,
    night.router,
    world_admin.router,
    schedule.router,
    audit.router,
    links.router,
    way_in.router,
    push.router,
    sessions.router,
]
DEV_ROUTERS = [dev.router]
"""Mounted only with Settings.dev: the outbox shows every address and confirmation link."""

__all__ = ["DEV_ROUTERS", "ROUTERS"]
