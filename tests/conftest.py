"""Shared fixtures: a fresh database per test (SQLite file or a PostgreSQL database cloned
from a migrated template), settings pointing at it, and the encryption keyring.

Under CI=true nothing may skip: a missing PostgreSQL fails the tests that need it.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bot.core.settings import Settings
from storage import crypto, migrate
from storage.db import make_engine

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_KEY = Fernet.generate_key()
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-sandbox"


def needs(reason: str) -> None:
    """Skip on a newcomer's machine; fail under CI, where everything must run."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _keyring() -> None:
    crypto.configure([TEST_KEY])


# --- PostgreSQL -------------------------------------------------------------------------


def postgres_url() -> str | None:
    return os.environ.get("SETBACK_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An autocommit engine on the maintenance database, for CREATE/DROP DATABASE."""
    url = postgres_url()
    if not url:
        needs("SETBACK_TEST_POSTGRES_URL is not set (PostgreSQL tests)")
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        needs(f"PostgreSQL at SETBACK_TEST_POSTGRES_URL is unreachable: {type(exc).__name__}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_template(pg_admin: Engine) -> Iterator[str]:
    """A migrated template database; each test clones it (fast) instead of migrating."""
    name = f"setback_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_admin.url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield name
    with pg_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


_counter = itertools.count()


def fresh_postgres(pg_admin: Engine, template: str) -> tuple[str, str]:
    name = f"setback_t_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    return name, pg_admin.url.set(database=name).render_as_string(hide_password=False)


def drop_postgres(pg_admin: Engine, name: str) -> None:
    with pg_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- a fresh database per test -----------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL — once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'setback.db'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url
        return
    admin = request.getfixturevalue("pg_admin")
    template = request.getfixturevalue("pg_template")
    name, url = fresh_postgres(admin, template)
    yield url
    drop_postgres(admin, name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'setback.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings isolated from the developer's own environment and `.env`."""
    values: dict[str, Any] = {  # checked by Settings itself
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": "http://127.0.0.1:9/api/",
        "setback_data_dir": tmp_path / ".setback",
        "setback_encryption_keys": TEST_KEY.decode(),
        "database_url": f"sqlite:///{tmp_path / 'setback.db'}",
        "port": 0,
        "host": "127.0.0.1",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


# --- nothing skipped in CI ---------------------------------------------------------------

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI=true a skipped test fails the run: CI must prove everything."""
    if IN_CI and _skipped:
        print(f"\nCI=true but {len(_skipped)} test(s) skipped: " + ", ".join(_skipped[:10]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
