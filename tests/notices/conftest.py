"""Fixtures for the notices tests (helpers live in notices_support)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from notices_support import SmtpServer, World, make_world, running_smtp

from soulmark.store import Store


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)
