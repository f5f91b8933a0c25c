"""Opening a store: one engine per process, SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from soulmark.core.errors import SoulmarkError
from soulmark.observe.metrics import count_db_error
from soulmark.store.outage import connect_args
from soulmark.store.quick import read_engine

__all__ = ["Store", "default_url", "open_store", "schema_heads"]


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


def _alembic_config(connection: Any) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("soulmark.store") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def schema_heads() -> frozenset[str]:
    """The revisions this code's migrations end at (each feature's branch has its head)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("soulmark.store") / "migrations"))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    _reads: Engine | None = field(default=None, init=False, repr=False)

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

    def current_heads(self) -> frozenset[str]:
        """The revisions the database is at (it answers, or this raises)."""
        with self.engine.connect() as conn:
            return frozenset(MigrationContext.configure(conn).get_current_heads())

    def migrate(self) -> None:
        """Bring the schema to the newest migration, if it is not there already."""
        with self.engine.connect() as conn:
            cfg = _alembic_config(conn)
            # Features add their migrations as branches off a common base; all heads apply.
            heads = set(ScriptDirectory.from_config(cfg).get_heads())
            if set(MigrationContext.configure(conn).get_current_heads()) == heads:
                return
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Two processes opening a fresh database must not both create the tables.
                conn.execute(text("SELECT pg_advisory_xact_lock(7355608)"))
            command.upgrade(_alembic_config(conn), "heads")

    def close(self) -> None:
        if self._reads is not None and self._reads is not self.engine:
            self._reads.dispose()
        self.engine.dispose()


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    from soulmark.store import changes  # the tables' hook; imports the models

    changes.install()
    url = url or default_url()
    try:
        if url.startswith("sqlite"):
            engine = _sqlite_engine(url)
        else:
            # A pool as wide as the web server's thread pool: reveal day is many short reads.
            # Pinged at checkout: after a server restart no session starts on a dead
            # connection (the fast reads handle it themselves, soulmark.store.quick).
            engine = create_engine(
                url,
                pool_size=20,
                max_overflow=20,
                pool_recycle=1800,
                pool_pre_ping=True,
                connect_args=connect_args(make_url(url)),
            )
        counted(engine)
        store = Store(engine, sessionmaker(engine, expire_on_commit=False))
        if migrate:
            store.migrate()
    except OperationalError as exc:
        raise SoulmarkError(f"cannot open the database {url}: {exc.orig}") from None
    except ModuleNotFoundError as exc:
        raise SoulmarkError(f"no driver for {url}: {exc}") from None
    return store
