"""The worker above the services and the notices (issue 21): on every pass it runs the jobs
registered in :mod:`soulmark.jobs.scheduler` (planned seals, sign-in answers), then sends the
mail that is due.  ``soulmark worker`` and the app's in-process worker both run it."""

from soulmark.jobs.scheduler import JOBS, run_jobs
from soulmark.jobs.worker import (
    WorkerReport,
    deliver_due,
    deliver_due_async,
    run_worker,
    run_worker_forever,
)

__all__ = [
    "JOBS",
    "WorkerReport",
    "deliver_due",
    "deliver_due_async",
    "run_jobs",
    "run_worker",
    "run_worker_forever",
]
