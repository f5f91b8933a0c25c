"""The web app: public world pages, the live wrist, friends' views, the organizer's
dashboard, the audit page and their JSON twins under /api (issue 3)."""

from soulmark.web.app import create_app
from soulmark.web.settings import Settings

__all__ = ["create_app", "Settings"]
