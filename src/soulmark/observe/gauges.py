"""What /metrics reads at scrape time from the database: the notice queue and the workers'
heartbeat (the same in every process: they are the database's figures, not a process's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from soulmark.notices.heartbeat import last_beat
from soulmark.notices.queue import queue_depth
from soulmark.store import Store

__all__ = ["QueueGauges"]


class QueueGauges(Collector):
    def __init__(self, store: Store, clock: Callable[[], int]) -> None:
        self.store, self.clock = store, clock

    def collect(self) -> Iterator[Any]:
        now = self.clock()
        try:
            depth, oldest = queue_depth(self.store, now_us=now)
            beat = last_beat(self.store)
        except Exception:  # noqa: BLE001 - counted in soulmark_db_errors_total; no figure
            return
        yield GaugeMetricFamily(
            "soulmark_notice_queue_depth", "Notices due and not sent yet (all workers).", depth
        )
        age = max(0.0, (now - oldest) / 1e6) if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "soulmark_notice_queue_oldest_age_seconds",
            "How long the oldest notice due and not sent has waited (0: none waits).",
            age,
        )
        if beat is not None:
            yield GaugeMetricFamily(
                "soulmark_worker_heartbeat_age_seconds",
                "Seconds since any notices worker last wrote its heartbeat.",
                max(0.0, (now - beat) / 1e6),
            )
