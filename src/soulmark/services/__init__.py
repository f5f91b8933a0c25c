"""Services: each public function is one transaction over the store."""

from soulmark.services.audit import AuditReport, audit_report
from soulmark.services.invites import Invited, invite
from soulmark.services.joins import Joined, join
from soulmark.services.sealing import Sealed, seal, transcript_text
from soulmark.services.worlds import WorldCreated, WorldInfo, create_world, world_info, world_shown
from soulmark.services.wrist_read import wrist
from soulmark.services.wrist_view import WristView
from soulmark.services.wrists import look, reach_out, withdraw

__all__ = [
    "AuditReport",
    "audit_report",
    "Invited",
    "invite",
    "Joined",
    "Sealed",
    "WorldCreated",
    "WorldInfo",
    "WristView",
    "create_world",
    "join",
    "look",
    "reach_out",
    "withdraw",
    "seal",
    "transcript_text",
    "world_info",
    "world_shown",
    "wrist",
]
