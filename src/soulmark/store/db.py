"""Opening a store: one engine per process, SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from soulmark.core.errors import SoulmarkError
from soulmark.observe.metrics import count_db_error
from soulmark.store import schema
from soulmark.store.changes import ChangeFeed
from soulmark.store.outage import connect_args
from soulmark.store.quick import read_engine
from soulmark.store.schema import SchemaState

__all__ = ["Store", "default_url", "migrate_store", "open_store"]


def default_url(configured: str | None = None) -> str:
    """``configured`` (an entry point's ``--db`` or ``SOULMARK_DB``), else a SQLite file in
    the user's data directory."""
    if configured:
        return configured
    folder = Path(user_data_dir("soulmark", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'soulmark.db'}"


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60}, pool_size=20, max_overflow=20)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would defer BEGIN; we issue it ourselves.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged join survives power loss, not only a killed process (B6).
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        # Reads through the OS page cache, shared by every connection, rather than a pread
        # per page: a wrist's one indexed read in a 100,000-person world went from about
        # 0.4 ms to a few tens of µs.  Writes still go through the WAL as before.
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so concurrent writers queue instead of
        # failing with "database is locked" halfway through a transaction.  Reads (a wrist
        # polled every second) take no write lock: WAL lets them run beside the writer.
        read = conn.get_execution_options().get("soulmark_read", False)
        conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    return engine


def counted(engine: Engine) -> Engine:
    """Every database error this engine meets is counted by its cause (/metrics): a
    constraint that did its job (a name taken twice) is not an error of the database."""

    @event.listens_for(engine, "handle_error")
    def _count(context: Any) -> None:
        if not isinstance(context.original_exception, IntegrityError):
            count_db_error(context.original_exception)

    return engine


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    _reads: Engine | None = field(default=None, init=False, repr=False)
    feed: ChangeFeed = field(default_factory=ChangeFeed, init=False, repr=False)
    """What this store's sessions commit, told to its listeners (the live hub)."""

    def __post_init__(self) -> None:
        self.feed.hook(self.sessions)

    @property
    def reads(self) -> Engine:
        """The engine for one-statement reads outside a session (soulmark.store.quick)."""
        if self._reads is None:
            self._reads = read_engine(self.engine)
        return self._reads

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it does not wait for the write lock."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(soulmark_read=True)
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session

    def schema_state(self) -> SchemaState:
        """Where the database's schema is against this soulmark's migrations."""
        with self.engine.connect() as conn:
            return schema.state_of(conn.execution_options(soulmark_read=True))

    def check(self) -> None:
        """Refuse a database that is behind, newer or not soulmark's, in one line; create
        the schema in an empty one (there is nothing in it to back up or to break)."""
        found = self.schema_state()
        if found.kind == "empty":
            with self._locked() as conn:
                if schema.state_of(conn).kind == "empty":  # not created meanwhile
                    schema.upgrade(conn)
            found = self.schema_state()
        schema.check(found)

    def migrate(self) -> SchemaState:
        """Bring the schema to this soulmark's newest migration; returns where it was."""
        try:
            with self._locked() as conn:
                return schema.upgrade(conn)
        except DBAPIError as exc:
            raise SoulmarkError(f"migrating the database failed: {exc.orig}") from None

    @contextmanager
    def _locked(self) -> Iterator[Connection]:
        """A transaction that holds the migration lock: SQLite's write lock (BEGIN
        IMMEDIATE), or on PostgreSQL an advisory lock, so that two processes opening one
        database never both migrate it."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(7355608)"))
            yield conn

    def close(self) -> None:
        if self._reads is not None and self._reads is not self.engine:
            self._reads.dispose()
        self.engine.dispose()


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # A pool as wide as the web server's thread pool: reveal day is many short reads.
    # Pinged at checkout: after a server restart no session starts on a dead
    # connection (the fast reads handle it themselves, soulmark.store.quick).
    return create_engine(
        url,
        pool_size=20,
        max_overflow=20,
        pool_recycle=1800,
        pool_pre_ping=True,
        connect_args=connect_args(make_url(url)),
    )


def open_store(url: str | None = None, *, migrate: bool = False) -> Store:
    """The store at ``url``.  Its schema is checked, not migrated: a database behind this
    soulmark raises SchemaBehind (``soulmark migrate`` or ``migrate=True`` brings it up),
    and an empty one is created at the head (soulmark.store.schema)."""
    return _open(url or default_url(), migrate=migrate)[0]


def migrate_store(url: str) -> SchemaState:
    """Bring the database at ``url`` to this soulmark's head; returns where it was."""
    store, before = _open(url, migrate=True)
    store.close()
    assert before is not None
    return before


def _open(url: str, *, migrate: bool) -> tuple[Store, SchemaState | None]:
    store: Store | None = None
    try:
        store = Store(engine := counted(_engine(url)), sessionmaker(engine, expire_on_commit=False))
        if not migrate:
            store.check()
            return store, None
        return store, store.migrate()
    except OperationalError as exc:
        _close(store)
        raise SoulmarkError(f"cannot open the database {url}: {exc.orig}") from None
    except ModuleNotFoundError as exc:
        raise SoulmarkError(f"no driver for {url}: {exc}") from None
    except SoulmarkError:
        _close(store)
        raise


def _close(store: Store | None) -> None:
    if store is not None:
        store.close()
