"""Email notices: "your wrist tingles" at itch start and "it stopped" at legible time.

Neither carries the name nor any hint of it — only the world's name and its page (R6, B5).
Delivered through SMTP by a worker (soulmark.jobs) that never sends a notice twice, or,
without SMTP, to an outbox kept in the database and printed to the log.  See
:mod:`soulmark.notices.queue` for the never-twice design and :mod:`soulmark.notices.compose`
for why no wrist link is sent.
"""

from soulmark.notices.queue import delivery_counts, outbox_messages, send_confirmation
from soulmark.notices.worker import DeliveryReport, deliver_pass
from soulmark.settings.mail import NoticeSettings, SmtpTarget, parse_smtp_url

__all__ = [
    "DeliveryReport",
    "NoticeSettings",
    "SmtpTarget",
    "deliver_pass",
    "delivery_counts",
    "outbox_messages",
    "parse_smtp_url",
    "send_confirmation",
]
