"""A database that hangs or stops: `/healthz` says so in time, what needs no database
keeps answering, and whoever needs it is told kindly to try again (issue: with
PostgreSQL frozen, `/healthz`, `url_verification` and even a `/setback` ack timed out,
and a `/setback` was acked and then nothing).

The real app over HTTP (the integration harness) on a private PostgreSQL server this
module starts and freezes with SIGSTOP (`private_postgres`), never the shared one. The
client's own timeout (`CLIENT_SECONDS`) is only a bound that keeps a broken server from
hanging the test: the 2-second promise is the server's, and it shows in the answer
(503), not in a stopwatch.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.core.health import HEALTHZ_WAIT
from bot.journal import views as home_views
from handlers import availability
from handlers.availability import IN_A_MODAL
from handlers.commands import DATABASE_DOWN
from storage.db import DbTimeouts, make_engine, unavailable
from tests.conftest import needs
from tests.hostile.private_postgres import PrivatePostgres, private_postgres
from tests.integration.harness import ADA, BEN, SAMPLE_STEPS, Harness, wait_for
from tests.integration.test_home import open_home

CLIENT_SECONDS = 5.0  # a bound on the test's own waiting, well above the server's 2 s
FAST = {"setback_db_connect_timeout": 2}  # the settings' minimum sensible connect timeout


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    try:
        with private_postgres() as server:
            yield server
    except LookupError as exc:
        needs(str(exc))


@pytest.fixture
def harness(tmp_path, postgres: PrivatePostgres) -> Iterator[Harness]:
    h = Harness(tmp_path, database_url=postgres.url, settings_overrides=FAST).start()
    yield h
    h.stop()


def healthz(h: Harness) -> int:
    try:
        with urllib.request.urlopen(f"{h.url}/healthz", timeout=CLIENT_SECONDS) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def url_verification(h: Harness) -> tuple[int, str]:
    body = json.dumps({"type": "url_verification", "token": "t", "challenge": "here"}).encode()
    answer = h.slack.raw(body, {"Content-Type": "application/json", **h.slack.sign(body)})
    return answer.status, json.loads(answer.text or "{}").get("challenge", "")


def told(h: Harness, user: str, text: str) -> bool:
    return any(r["user"] == user and r["payload"].get("text") == text for r in h.ws.responses)


def test_healthz_says_503_in_time_and_what_needs_no_database_keeps_answering(
    harness: Harness, postgres: PrivatePostgres
) -> None:
    h = harness
    assert healthz(h) == 200
    h.open_reflection(ADA)  # a modal open when the database hangs
    assert HEALTHZ_WAIT < 2
    with postgres.frozen():
        for _ in range(3):  # a probe still stuck from the last ask does not hold anyone
            assert healthz(h) == 503
        assert url_verification(h) == (200, "here")
        help_ack = h.command(BEN, "help")
        assert help_ack.error is None and "/setback share" in help_ack.text

        ack = h.command(BEN)
        assert ack.error is None, "acked in time"
        assert DATABASE_DOWN in ack.text, "told at once, in the ack"

        step = h.submit(ADA, SAMPLE_STEPS[0])
        assert step.error is None
        pushed = step.json()
        assert pushed["response_action"] == "push", "the person's modal stays beneath"
        assert IN_A_MODAL in json.dumps(pushed["view"])
    wait_for(lambda: healthz(h) == 200, timeout=30, what="healthy again once it answers")
    h.command(BEN)
    h.wait_modal(BEN, "setback_step", 0)


def test_setback_while_the_database_hangs_tells_the_person_and_opens_nothing(
    harness: Harness, postgres: PrivatePostgres
) -> None:
    h = harness
    assert healthz(h) == 200  # the pool holds a connection the hang will catch
    with postgres.frozen():
        ack = h.command(ADA)
        assert ack.error is None and ack.text == "", "acked at once; nothing known yet"
        wait_for(lambda: told(h, ADA, DATABASE_DOWN), timeout=20, what="the person told")
        assert [c for c in h.ws.calls if c["method"] == "views.open"] == []
        again = h.command(ADA)
        assert DATABASE_DOWN in again.text, "the next one is told in its ack"
    wait_for(lambda: healthz(h) == 200, timeout=30, what="healthy again")


def test_setback_while_the_database_is_stopped_tells_the_person(
    harness: Harness, postgres: PrivatePostgres
) -> None:
    h = harness
    postgres.stop()
    try:
        ack = h.command(ADA)
        assert ack.error is None and ack.text == "", "acked at once; nothing known yet"
        wait_for(lambda: told(h, ADA, DATABASE_DOWN), timeout=20, what="the person told")
        assert [c for c in h.ws.calls if c["method"] == "views.open"] == []
        assert healthz(h) == 503
        assert url_verification(h) == (200, "here")
    finally:
        postgres.start()
    wait_for(lambda: healthz(h) == 200, timeout=30, what="healthy again")


def test_a_statement_to_a_frozen_server_is_cut_off_not_left_hanging(
    postgres: PrivatePostgres,
) -> None:
    engine = make_engine(postgres.url, timeouts=DbTimeouts(statement=1, grace=1, connect=2))
    connected, frozen = threading.Event(), threading.Event()
    outcome: list[BaseException | None] = []

    def query() -> None:
        try:
            with engine.connect() as conn:  # a pooled connection, checked out while alive
                conn.execute(text("SELECT 1"))
                connected.set()
                frozen.wait(CLIENT_SECONDS)
                conn.execute(text("SELECT 1"))
            outcome.append(None)
        except Exception as error:  # noqa: BLE001 - the outcome is what is asserted
            outcome.append(error)

    worker = threading.Thread(target=query)
    try:
        worker.start()
        assert connected.wait(CLIENT_SECONDS)
        with postgres.frozen():
            frozen.set()
            worker.join(CLIENT_SECONDS * 3)  # a bound, not the measure
            assert not worker.is_alive(), "the call was left hanging"
        (error,) = outcome
        assert error is not None and unavailable(error), error
    finally:
        frozen.set()
        worker.join(CLIENT_SECONDS)
        engine.dispose()


def dm_texts(h: Harness, user: str) -> list[str]:
    return [m.get("text") or "" for m in h.dm(user)]


def test_the_first_submission_after_the_database_hangs_is_answered_in_time(
    harness: Harness, postgres: PrivatePostgres
) -> None:
    """Before anything knows the database hangs, a modal's submission is still answered
    within Slack's 3 s (the sandbox marks a later answer `operation_timeout`)."""
    h = harness
    h.open_reflection(ADA)  # the pool holds a connection the hang will catch
    with postgres.frozen():
        assert not h.rt.health.known_down()
        step = h.submit(ADA, SAMPLE_STEPS[0])
        assert step.error is None, "answered in time"
        pushed = step.json()
        assert pushed["response_action"] == "push", "the person's modal stays beneath"
        assert IN_A_MODAL in json.dumps(pushed["view"])
        assert h.rt.health.known_down(), "and the next request is answered at once"
    wait_for(lambda: healthz(h) == 200, timeout=30, what="healthy again")


@pytest.mark.parametrize(
    "action", [home_views.ACTION_START, home_views.ACTION_EXPORT], ids=["modal", "lazy"]
)
def test_the_first_click_after_the_database_hangs_is_told_kindly(
    harness: Harness, postgres: PrivatePostgres, action: str
) -> None:
    """A Home button (one that opens a modal, one whose work runs after the ack) clicked
    before anything knows the database hangs: the person hears, in a DM, to try again.
    Ada has a reflection kept, so her Home shows the data buttons (Export among them)
    whichever tests ran before on the shared server."""
    h = harness
    h.finish_setback(ADA)
    home = open_home(h, ADA)

    def opens() -> int:
        return sum(c["method"] == "views.open" for c in h.ws.calls)

    opened = opens()
    with postgres.frozen():
        assert not h.rt.health.known_down()
        assert h.slack.click(ADA, action, view_id=home["id"]).error is None
        wait_for(
            lambda: availability.DATABASE_DOWN in dm_texts(h, ADA),
            timeout=20,
            what="the person told",
        )
        assert opens() == opened, "no modal opened on a database that hangs"
        assert h.rt.health.known_down()
    wait_for(lambda: healthz(h) == 200, timeout=30, what="healthy again")
