"""The jobs the worker runs on every pass, registered here and nowhere else (issue 21).

Each job runs before the pass's mail, in the order below: a planned seal writes marks whose
notices go out in the same pass, and a sign-in answer queues a mail the same pass sends.  A
job is a function of the store, the worker's settings and the moment of the pass, returning
how much it did; its name is the field of :class:`soulmark.jobs.worker.WorkerReport` that
counts it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from soulmark.services.schedule import seal_due
from soulmark.services.signin import answer_requests
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store

__all__ = ["JOBS", "Job", "run_jobs"]


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Store, NoticeSettings, int], int]


def _planned_seals(store: Store, settings: NoticeSettings, at: int) -> int:
    """Seal every round whose organizer planned this moment or an earlier one (issue 9)."""
    return seal_due(store, at=at, relays=settings.beacon_relays)


def _signin_answers(store: Store, settings: NoticeSettings, at: int) -> int:
    """ "Lost your link?" only queued its question: the lookup happens here, out of its answer."""
    return answer_requests(store)


JOBS: tuple[Job, ...] = (
    Job("sealed", _planned_seals),
    Job("asked", _signin_answers),
)


def run_jobs(store: Store, settings: NoticeSettings, at: int) -> dict[str, int]:
    """Every registered job once, in order: how much each did."""
    return {job.name: job.run(store, settings, at) for job in JOBS}
