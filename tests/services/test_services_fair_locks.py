"""Issue 22 item 11: one organizer's long write does not stall every other world (SQLite's
one write lock): a list of 5,000 invitations is written in short slices, and a stranger's
join in another world gets in between two of them."""

from __future__ import annotations

import io
import threading
import time
from typing import Any

from sqlalchemy import event, func, select

from soulmark.core.times import DAY
from soulmark.notices.queue import HELD
from soulmark.services import create_world, join
from soulmark.services.intake import BATCH, join_csv
from soulmark.services.invites import MAX_INVITEES, SLICE, Invitee, invitations, invite
from soulmark.store import Store, open_store
from soulmark.store.models import PersonRow, WorldRow
from soulmark.store.notice_models import NoticeRow

AT = 1_900_000_000 * 1_000_000


class RowsPerTransaction:
    """Rows each committed transaction of ``store`` inserted into ``table``."""

    def __init__(self, store: Store, table: str) -> None:
        self.table = table
        self.open: dict[int, int] = {}
        self.committed: list[int] = []
        event.listen(store.engine, "begin", self._begin)
        event.listen(store.engine, "after_cursor_execute", self._executed)
        event.listen(store.engine, "commit", self._commit)

    def _begin(self, conn: Any) -> None:
        self.open[id(conn)] = 0

    def _executed(
        self, conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool
    ) -> None:
        if not statement.lstrip().upper().startswith(f"INSERT INTO {self.table.upper()} "):
            return
        # A list of rows (executemany), or one statement of one or more VALUES groups.
        n = len(params) if isinstance(params, list) else statement.count("), (") + 1
        self.open[id(conn)] = self.open.get(id(conn), 0) + n

    def _commit(self, conn: Any) -> None:
        self.committed.append(self.open.pop(id(conn), 0))


def _world(store: Store, slug: str) -> None:
    create_world(store, name=slug, slug=slug, window_start=AT + DAY, window_end=AT + 9 * DAY, at=AT)


def _people(store: Store, slug: str) -> int:
    with store.read() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(PersonRow)
                .join(WorldRow, WorldRow.id == PersonRow.world_id)
                .where(WorldRow.slug == slug)
            )
            or 0
        )


def _wait(what: Any, bound_s: float = 120.0) -> bool:
    """Poll until true (a bound on a wait, not a timed assertion)."""
    for _ in range(int(bound_s / 0.01)):
        if what():
            return True
        time.sleep(0.01)
    return bool(what())


def test_issue22_a_long_invitation_list_does_not_hold_the_write_lock(
    store: Store, db_url: str
) -> None:
    _world(store, "big")
    _world(store, "other")
    organizer = open_store(db_url)  # an engine of its own, as another request's would be
    rows = RowsPerTransaction(organizer, "people")
    listed = [Invitee(f"i{i}@big.example", f"Invitee {i}") for i in range(MAX_INVITEES)]
    posting = threading.Thread(
        target=invite, kwargs={"store": organizer, "world": "big", "invitees": listed, "at": AT}
    )
    try:
        posting.start()
        assert _wait(lambda: _people(store, "big") > 0)
        join(store, world="other", name="A Stranger", email="stranger@else.example", at=AT)
        # The stranger got in while the list was still being written, not after it.
        assert _people(store, "big") < MAX_INVITEES
        posting.join()
    finally:
        posting.join()
        organizer.close()
    assert _people(store, "big") == MAX_INVITEES and _people(store, "other") == 1
    assert max(rows.committed) <= SLICE and sum(rows.committed) == MAX_INVITEES
    assert invitations(store, world="big").sent == MAX_INVITEES


def test_issue22_a_list_cut_short_mails_nobody_and_posting_it_again_invites_each_once(
    store: Store,
) -> None:
    _world(store, "big")
    listed = [Invitee(f"i{i}@big.example") for i in range(3 * SLICE)]
    broken = open_store(str(store.engine.url))
    calls = [0]

    def fail_in_the_third_slice(conn: Any) -> None:
        if conn.get_execution_options().get("soulmark_read", False):
            return
        calls[0] += 1
        if calls[0] == 3:
            raise RuntimeError("the process died here")

    event.listen(broken.engine, "commit", fail_in_the_third_slice)
    try:
        invite(broken, world="big", invitees=listed, at=AT)
    except RuntimeError:
        pass
    finally:
        broken.close()
    with store.read() as s:
        by_status = select(NoticeRow.status, func.count()).group_by(NoticeRow.status)
        waiting = {status: n for status, n in s.execute(by_status).all()}
    assert waiting == {HELD: 2 * SLICE}  # two slices written, not one of them mailed
    assert invitations(store, world="big").sent == 0  # and the organizer is told so
    done = invite(store, world="big", invitees=listed, at=AT + 1)
    assert (done.sent, done.skipped) == (3 * SLICE, 0)
    with store.read() as s:
        due = s.scalars(select(NoticeRow.to_addr).where(NoticeRow.status == "pending")).all()
    assert sorted(due) == sorted(i.email for i in listed)


def test_issue22_a_csv_intake_writes_in_short_batches(store: Store, db_url: str) -> None:
    _world(store, "big")
    intake = open_store(db_url)
    rows = RowsPerTransaction(intake, "people")
    text = "name,email\n" + "".join(f"Joiner {i},j{i}@big.example\n" for i in range(3 * BATCH))
    try:
        report = join_csv(intake, world="big", source=io.StringIO(text), at=AT)
    finally:
        intake.close()
    assert report.joined == 3 * BATCH and report.errors == []
    assert max(rows.committed) <= BATCH and sum(rows.committed) == 3 * BATCH
