"""The installation store and the OAuth state store, on SQLite and PostgreSQL: slack_sdk's
semantics (save, find, delete; workspace, org-wide and bot-only installs), tokens
encrypted at rest and under `setback keys rotate`, states that work once and expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Bot, Installation
from sqlalchemy import Engine, Text, select, type_coerce
from sqlmodel import SQLModel

from bot.cli import keys
from storage import crypto
from storage.db import session_scope
from storage.installations import (
    SqlInstallationStore,
    SqlOAuthStateStore,
    forget_org,
    forget_workspace,
    org_workspaces,
)
from storage.models import Workspace
from tests.conftest import TEST_KEY

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SCOPES = ["commands", "chat:write"]


def workspace_install(
    team: str = "T1", user: str = "U1", token: str = "xoxb-t1", **kw
) -> Installation:
    values = {
        "app_id": "A1",
        "team_id": team,
        "team_name": f"Team {team}",
        "bot_token": token,
        "bot_id": "B1",
        "bot_user_id": "UBOT",
        "bot_scopes": SCOPES,
        "user_id": user,
        "installed_at": NOW.timestamp(),
    }
    return Installation(**(values | kw))


def org_install(org: str = "E1", token: str = "xoxb-org", **kw) -> Installation:
    values = {
        "app_id": "A1",
        "enterprise_id": org,
        "enterprise_name": "Org One",
        "enterprise_url": "https://org-one.enterprise.slack.com/",
        "bot_token": token,
        "bot_id": "B9",
        "bot_user_id": "UBOT9",
        "bot_scopes": SCOPES,
        "user_id": "UADMIN",
        "is_enterprise_install": True,
        "installed_at": NOW.timestamp(),
    }
    return Installation(**(values | kw))


@pytest.fixture
def store(engine: Engine) -> SqlInstallationStore:
    return SqlInstallationStore(engine, now=lambda: NOW)


def test_a_workspace_install_is_found_by_team_and_by_installer(store) -> None:
    store.save(workspace_install(user_token="xoxp-u1", user_scopes=["search:read"]))
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == "xoxb-t1" and bot.bot_scopes == SCOPES
    assert bot.team_name == "Team T1" and not bot.is_enterprise_install
    latest = store.find_installation(enterprise_id=None, team_id="T1")
    assert latest is not None and latest.bot_token == "xoxb-t1" and latest.user_id == "U1"
    assert latest.user_token == "xoxp-u1" and latest.user_scopes == ["search:read"]
    mine = store.find_installation(enterprise_id=None, team_id="T1", user_id="U1")
    assert mine is not None and mine.user_token == "xoxp-u1"
    assert store.find_installation(enterprise_id=None, team_id="T1", user_id="U2") is None
    assert store.find_bot(enterprise_id=None, team_id="T2") is None


def test_a_reinstall_replaces_the_token_and_keeps_no_old_one(store, engine) -> None:
    store.save(workspace_install(token="xoxb-first"))
    store.save(
        workspace_install(token="xoxb-second", installed_at=(NOW + timedelta(1)).timestamp())
    )
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == "xoxb-second"
    assert "xoxb-first" not in decrypted_values(engine)


def test_an_install_by_another_person_becomes_the_latest(store) -> None:
    store.save(workspace_install(user="U1"))
    later = (NOW + timedelta(hours=1)).timestamp()
    store.save(workspace_install(user="U2", token="xoxb-t1-again", installed_at=later))
    latest = store.find_installation(enterprise_id=None, team_id="T1")
    assert latest is not None and latest.user_id == "U2" and latest.bot_token == "xoxb-t1-again"
    first = store.find_installation(enterprise_id=None, team_id="T1", user_id="U1")
    assert first is not None and first.bot_token == "xoxb-t1-again", "the current bot token"


def test_an_org_wide_install_ignores_the_team_and_serves_the_orgs_workspaces(store, engine) -> None:
    store.save(org_install())
    for team in ("T1", "T2", None):
        bot = store.find_bot(enterprise_id="E1", team_id=team, is_enterprise_install=True)
        assert bot is not None and bot.bot_token == "xoxb-org" and bot.team_id is None
        found = store.find_installation(
            enterprise_id="E1", team_id=team, is_enterprise_install=True
        )
        assert found is not None and found.enterprise_url == "https://org-one.enterprise.slack.com/"
    assert store.find_bot(enterprise_id="E1", team_id="T1") is None, "not a workspace install"

    assert store.find_bot_for_workspace("T1", "E1") is not None
    assert store.find_bot_for_workspace("T1") is None, "which org T1 is in is not known yet"
    assert store.note_workspace("T1", "E1") is True
    assert store.note_workspace("T1", "E1") is False, "known already: nothing written"
    bot = store.find_bot_for_workspace("T1")
    assert bot is not None and bot.bot_token == "xoxb-org"
    with session_scope(engine, readonly=True) as s:
        assert org_workspaces(s, "E1") == ["T1"]


def test_a_workspace_of_an_org_with_its_own_install_uses_its_own(store) -> None:
    store.save(org_install())
    store.save(workspace_install(team="T2", token="xoxb-own", enterprise_id="E1"))
    bot = store.find_bot_for_workspace("T2", "E1")
    assert bot is not None and bot.bot_token == "xoxb-own"
    grid = store.find_bot(enterprise_id="E1", team_id="T2")
    assert grid is not None and grid.bot_token == "xoxb-own"


def test_a_bot_only_install_has_a_bot_and_no_installation(store) -> None:
    store.save_bot(
        Bot(
            team_id="T3",
            bot_token="xoxb-t3",
            bot_id="B3",
            bot_user_id="UB3",
            bot_scopes=SCOPES,
            installed_at=NOW.timestamp(),
        )
    )
    bot = store.find_bot(enterprise_id=None, team_id="T3")
    assert bot is not None and bot.bot_token == "xoxb-t3"
    assert store.find_installation(enterprise_id=None, team_id="T3") is None


def test_a_user_only_install_leaves_the_bot_token_alone(store) -> None:
    store.save(workspace_install())
    store.save(workspace_install(user="U2", token=None, user_token="xoxp-u2"))
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == "xoxb-t1"
    theirs = store.find_installation(enterprise_id=None, team_id="T1", user_id="U2")
    assert theirs is not None and theirs.user_token == "xoxp-u2" and theirs.bot_token == "xoxb-t1"


def test_deletes_match_the_enterprise_and_team_given(store) -> None:
    store.save(workspace_install(team="T1", user="U1"))
    store.save(workspace_install(team="T1", user="U2"))
    store.save(workspace_install(team="T2", token="xoxb-t2"))
    store.save(org_install())

    store.delete_installation(enterprise_id=None, team_id="T1", user_id="U1")
    assert store.find_installation(enterprise_id=None, team_id="T1", user_id="U1") is None
    assert store.find_installation(enterprise_id=None, team_id="T1", user_id="U2") is not None

    store.delete_bot(enterprise_id=None, team_id="T1")
    assert store.find_bot(enterprise_id=None, team_id="T1") is None
    left = store.find_installation(enterprise_id=None, team_id="T1")
    assert left is not None and left.bot_token is None

    store.delete_all(enterprise_id=None, team_id="T1")
    assert store.find_installation(enterprise_id=None, team_id="T1") is None
    assert store.find_bot(enterprise_id=None, team_id="T2") is not None, "another workspace"

    store.delete_all(enterprise_id="E1", team_id=None)
    assert store.find_bot(enterprise_id="E1", team_id=None, is_enterprise_install=True) is None
    assert store.find_bot(enterprise_id=None, team_id="T2") is not None


def test_an_uninstall_deletes_only_that_installations_tokens(store, engine) -> None:
    store.save(workspace_install(team="T1"))
    store.save(workspace_install(team="T2", token="xoxb-t2"))
    store.save(org_install())
    with session_scope(engine) as s:
        assert forget_workspace(s, "T1") == 2
    assert store.find_bot_for_workspace("T1") is None
    assert store.find_bot_for_workspace("T2") is not None
    with session_scope(engine) as s:
        assert forget_workspace(s, "T2", installed_before=NOW - timedelta(seconds=1)) == 0
        assert forget_org(s, "E1") == 2
    assert store.find_bot_for_workspace("T2") is not None, "a reinstall after the event stays"
    assert store.find_bot(enterprise_id="E1", team_id=None, is_enterprise_install=True) is None


def test_saving_an_install_marks_the_workspace_installed_again(store, engine) -> None:
    with session_scope(engine) as s:
        s.add(Workspace(team_id="T1", uninstalled_at=NOW - timedelta(days=2)))
        s.add(Workspace(team_id="T5", enterprise_id="E1", uninstalled_at=NOW))
    store.save(workspace_install(team="T1"))
    store.save(org_install())
    with session_scope(engine, readonly=True) as s:
        t1, t5 = s.get(Workspace, "T1"), s.get(Workspace, "T5")
    assert t1 is not None and t1.uninstalled_at is None and t1.installed_at == NOW
    assert t5 is not None and t5.uninstalled_at is None


def test_a_refresh_under_the_lock_keeps_the_refresh_token_and_never_resurrects(store) -> None:
    store.save(workspace_install(bot_refresh_token="xoxe-1-old", bot_token_expires_in=60))
    with store.locked(enterprise_id=None, team_id="T1", is_enterprise_install=False) as held:
        bot = held.bot()
        assert bot is not None and bot.bot_refresh_token == "xoxe-1-old"
        bot.bot_token, bot.bot_refresh_token = "xoxb-new", None  # Slack sent no new one
        held.refreshed_bot(bot)
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == ("xoxb-new", "xoxe-1-old")

    with store.locked(enterprise_id=None, team_id="T1", is_enterprise_install=False) as held:
        stale = held.bot()
        assert stale is not None
    store.delete_all(enterprise_id=None, team_id="T1")
    with store.locked(enterprise_id=None, team_id="T1", is_enterprise_install=False) as held:
        stale.bot_token = "xoxb-late"
        held.refreshed_bot(stale)
    assert store.find_bot(enterprise_id=None, team_id="T1") is None, "deleted stays deleted"


# --- at rest ----------------------------------------------------------------------------


def raw_values(engine: Engine) -> list[str]:
    """Every text value of every table, as stored (no decryption)."""
    values: list[str] = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for col in table.columns:
                query = select(type_coerce(col, Text())).where(col.is_not(None))
                values += [str(v) for (v,) in conn.execute(query)]
    return values


def decrypted_values(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            str(v)
            for table in SQLModel.metadata.sorted_tables
            for row in conn.execute(select(table))
            for v in row
        ]


def test_no_token_or_name_is_readable_in_the_database(store, engine) -> None:
    store.save(
        workspace_install(
            user_token="xoxp-user-secret",
            bot_refresh_token="xoxe-1-bot-refresh",
            bot_token_expires_in=43200,
            user_refresh_token="xoxe-1-user-refresh",
            user_token_expires_in=43200,
            incoming_webhook_url="https://hooks.slack.com/services/T1/B1/secret",
        )
    )
    store.save(org_install())
    raw = "\n".join(raw_values(engine))
    for secret in ("xoxb-", "xoxp-", "xoxe-", "hooks.slack.com", "Team T1", "Org One"):
        assert secret not in raw, f"{secret} is readable at rest"
    assert "xoxb-t1" in decrypted_values(engine), "the scan sees decrypted values"


def test_keys_rotate_re_encrypts_the_tokens(store, engine) -> None:
    store.save(workspace_install(bot_refresh_token="xoxe-1-r", bot_token_expires_in=600))
    store.save(org_install())
    new_key = Fernet.generate_key()
    crypto.configure([new_key, TEST_KEY])
    stats = keys.rotate(engine)
    assert stats.per_table.get("slack_bot", 0) >= 3 and stats.per_table.get("slack_installation")
    crypto.configure([new_key])  # the old key is gone: everything still reads
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == ("xoxb-t1", "xoxe-1-r")
    org = store.find_installation(enterprise_id="E1", team_id=None, is_enterprise_install=True)
    assert org is not None and org.bot_token == "xoxb-org" and org.enterprise_name == "Org One"


# --- OAuth states ---------------------------------------------------------------------------


def test_a_state_works_once_and_only_before_it_expires(engine) -> None:
    now = [NOW]
    states = SqlOAuthStateStore(engine, 600, now=lambda: now[0])
    first, second = states.issue(), states.issue()
    assert first != second and len(first) >= 32
    assert first not in "\n".join(raw_values(engine)), "only its hash is stored"
    assert states.consume(first) is True
    assert states.consume(first) is False, "a state works once"
    assert states.consume("made-up") is False and states.consume("") is False

    now[0] = NOW + timedelta(seconds=601)
    assert states.consume(second) is False, "expired"
    third = states.issue()  # issuing drops the expired ones
    now[0] = NOW + timedelta(seconds=1300)
    assert states.prune() == 1
    assert states.consume(third) is False
