"""Erasing data: one setback, everything of one person, a whole uninstalled workspace,
and setbacks past the retention period.

Slack's guidance for apps is to keep data only as long as a feature needs it and to
clean up when the app is removed. The database rows go first, in one transaction, so the
promise "nothing of yours remains" holds even if Slack is unreachable afterwards. The
same transaction queues the bot's messages for those rows (where they are, not what
they said); they are removed from Slack right after, and whatever Slack or a crash left
behind is retried by housekeeping with backoff, so a deleted reflection's words do not
stay in a DM or a channel. Logs carry counts and ids, never content.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError

from bot.core import hooks
from bot.core.actor import Actor
from bot.core.runtime import Runtime
from bot.core.slack_client import error_code
from bot.journal import views
from bot.sharing import recovery
from storage import erase as store
from storage import events as event_store
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import Workspace
from storage.rows import row_id

log = logging.getLogger(__name__)

UNINSTALL_EVENTS = ("app_uninstalled", "tokens_revoked")

MAX_REMOVAL_ATTEMPTS = 8
REMOVAL_RETRY_BASE = timedelta(minutes=5)
REMOVAL_RETRY_MAX = timedelta(hours=6)
ALREADY_GONE = frozenset({"message_not_found"})
# Slack will never let the bot remove these (no access, not its message). A refused
# token is retried like any other failure (it may be a token being rotated); the
# attempt cap ends those rows, and uninstalling erases the workspace's queue.
CANNOT_REMOVE = frozenset(
    {"cant_delete_message", "channel_not_found", "not_in_channel", "is_archived"}
)


@dataclass
class Erased:
    """What an erasure removed: rows per table, and the Slack messages it took down."""

    rows: Counter[str] = field(default_factory=Counter)
    messages_deleted: int = 0
    messages_failed: int = 0  # Slack refused for good (no access, cannot delete)
    messages_retrying: int = 0  # Slack or the network failed: housekeeping tries again

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# --- one setback -----------------------------------------------------------------------


def delete_setback(rt: Runtime, actor: Actor, setback_id: int | None) -> Erased | None:
    """Delete one setback of this person and everything under it: answers, commitments,
    check-ins, share records — and the bot's messages for it (its summary DM, check-ins
    and any shared retro). None when the person does not own such a setback."""
    with session_scope(rt.engine) as s:
        setback = reflection_store.get_owned_setback(s, actor.team_id, actor.user_id, setback_id)
        if setback is None:
            return None
        ids = [row_id(setback)]
        refs = store.message_refs(s, actor.team_id, setback_ids=ids)
        out = Erased(rows=store.delete_setbacks(s, actor.team_id, ids))
        pending = store.queue_removals(s, actor.team_id, refs, rt.clock.now())
    _remove_messages(rt, pending, out)
    log.info("deleted setback %s of %s/%s: %s", setback_id, actor.team_id, actor.user_id, _fmt(out))
    hooks.changed(rt, actor)
    return out


# --- everything of one person ---------------------------------------------------------


def erase_person(
    rt: Runtime, actor: Actor, *, delete_shared: bool = False, delete_direct: bool = False
) -> Erased:
    """Delete every row of this person in this workspace: reflections, commitments,
    check-ins (scheduled ones included), share records, settings and safety flags.

    `delete_shared` also removes their shared retros from channels; `delete_direct` the
    summaries and check-ins the bot sent them in their DM.
    """
    with session_scope(rt.engine) as s:
        refs = store.message_refs(
            s, actor.team_id, user_id=actor.user_id, shares=delete_shared, direct=delete_direct
        )
        out = Erased(rows=store.delete_person(s, actor.team_id, actor.user_id))
        pending = store.queue_removals(s, actor.team_id, refs, rt.clock.now())
    _remove_messages(rt, pending, out)
    log.info("erased everything of %s/%s: %s", actor.team_id, actor.user_id, _fmt(out))
    hooks.changed(rt, actor)
    return out


def erase_on_request(
    rt: Runtime, actor: Actor, *, delete_shared: bool = False, delete_direct: bool = False
) -> Erased:
    """After "Delete everything" is confirmed: erase, then tell the person it is done (counts
    only, in their DM, so they are not left wondering)."""
    out = erase_person(rt, actor, delete_shared=delete_shared, delete_direct=delete_direct)
    text = views.erased_message(
        out.total_rows, out.messages_deleted, out.messages_failed, out.messages_retrying
    )
    client = rt.web_client()
    try:
        channel = client.conversations_open(users=actor.user_id)["channel"]["id"]
        client.chat_postMessage(channel=channel, text=text)
    except SlackApiError as exc:
        log.warning("erase confirmation DM failed: %s", exc.response.get("error"))
    except Exception as exc:  # noqa: BLE001 - the erasure itself is done either way
        log.warning("erase confirmation DM failed: %s", type(exc).__name__)
    return out


def _remove_messages(rt: Runtime, pending: list[store.PendingRemoval], out: Erased) -> None:
    """chat.delete each queued message; one failure never stops the rest.

    Each message's queue row goes once Slack took it down or says it is gone already,
    or refused for good (logged, counted as failed); a message Slack or the network
    could not handle now keeps its row with a later retry time, for housekeeping.
    """
    if not pending:
        return
    client = rt.web_client()
    now = rt.clock.now()
    finished: list[int] = []
    retries: list[tuple[store.PendingRemoval, str]] = []
    for item in pending:
        code = _delete_message(client, item.ref)
        if code is None:
            out.messages_deleted += 1
        elif code in ALREADY_GONE:
            pass  # removed by someone already: nothing left to do
        elif code in CANNOT_REMOVE or item.attempts + 1 >= MAX_REMOVAL_ATTEMPTS:
            out.messages_failed += 1
            log.warning("gave up removing a %s message: %s", item.ref.kind, code)
        else:
            out.messages_retrying += 1
            log.info("removing a %s message failed (%s); will retry", item.ref.kind, code)
            retries.append((item, code))
            continue
        finished.append(item.id)
    with session_scope(rt.engine) as s:
        store.removals_done(s, finished)
        for item, code in retries:
            store.removal_failed(s, item.id, code, now + removal_backoff(item.attempts + 1))


def _delete_message(client: WebClient, ref: store.MessageRef) -> str | None:
    """None when Slack deleted the message, else Slack's error code (or the exception's
    name for network trouble) — never message content."""
    try:
        client.chat_delete(channel=ref.channel, ts=ref.ts)
    except Exception as exc:  # noqa: BLE001 - a code decides: gone, refused or retried
        return error_code(exc)
    return None


def removal_backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failed removal: 5, 10, 20 … minutes, at most 6 h."""
    doubled: int = 2 ** max(0, attempts - 1)
    return min(REMOVAL_RETRY_BASE * doubled, REMOVAL_RETRY_MAX)


def retry_removals(rt: Runtime, now: datetime, limit: int = 50) -> int:
    """Housekeeping: try again the message removals an erasure could not finish (Slack
    was down, the process stopped). Returns how many were tried."""
    with session_scope(rt.engine, readonly=True) as s:
        due = store.removals_due(s, now, limit)
    out = Erased()
    _remove_messages(rt, due, out)
    if due:
        log.info(
            "message removals retried: %d deleted, %d failed, %d still retrying",
            out.messages_deleted,
            out.messages_failed,
            out.messages_retrying,
        )
    return len(due)


# --- uninstall -------------------------------------------------------------------------


def record_uninstall(rt: Runtime, team_id: str, event_id: str | None) -> bool:
    """Mark the workspace uninstalled and forget its token. False for a retried delivery.

    The mark keeps the first uninstall time, so a later `tokens_revoked` for the same
    removal does not push the erasure date back.
    """
    now = rt.clock.now()
    try:
        with session_scope(rt.engine) as s:
            if event_id and not event_store.mark_event_processed(s, event_id, team_id, now):
                return False
            ws = s.get(Workspace, team_id) or Workspace(team_id=team_id)
            ws.bot_token = None
            ws.uninstalled_at = ws.uninstalled_at or now
            s.add(ws)
    except IntegrityError:  # the same event, delivered twice at once
        return False
    log.info("workspace %s uninstalled; its token is dropped", team_id)
    return True


def handle_uninstall(rt: Runtime, team_id: str, event_id: str | None) -> dict[str, int]:
    """`app_uninstalled` / bot `tokens_revoked`: mark the workspace and drop its token;
    with no grace period, erase its data at once (housekeeping would do it otherwise).
    Returns the rows erased now, per table."""
    if not record_uninstall(rt, team_id, event_id):
        return {}
    if rt.settings.setback_uninstall_grace_days > 0:
        return {}
    return purge_uninstalled(rt, rt.clock.now(), team_id=team_id)


def note_active(rt: Runtime, team_id: str | None) -> bool:
    """A request arrived from this workspace, so the app is installed there again: lift a
    pending uninstall mark so the grace period does not erase a returning team. True
    when a mark was lifted. Reads first, so the usual case costs one indexed lookup."""
    if not team_id:
        return False
    with session_scope(rt.engine, readonly=True) as s:
        ws = s.get(Workspace, team_id)
        if ws is None or ws.uninstalled_at is None:
            return False
    with session_scope(rt.engine) as s:
        ws = s.get(Workspace, team_id)
        if ws is None or ws.uninstalled_at is None:
            return False
        ws.uninstalled_at = None
    log.info("workspace %s is installed again; its pending erasure is cancelled", team_id)
    return True


def purge_uninstalled(rt: Runtime, now: datetime, team_id: str | None = None) -> dict[str, int]:
    """Erase every row of workspaces uninstalled at least SETBACK_UNINSTALL_GRACE_DAYS
    ago (only `team_id` when given). Idempotent: an erased workspace leaves no mark."""
    cutoff = now - timedelta(days=rt.settings.setback_uninstall_grace_days)
    counts: Counter[str] = Counter()
    with session_scope(rt.engine, readonly=True) as s:
        teams = store.uninstalled_teams(s, cutoff)
    for team in teams:
        if team_id is not None and team != team_id:
            continue
        with session_scope(rt.engine) as s:
            erased = store.delete_team(s, team)
        log.info("erased uninstalled workspace %s: %s", team, dict(erased))
        counts += erased
    return dict(counts)


# --- retention -------------------------------------------------------------------------


def purge_expired(rt: Runtime, now: datetime) -> dict[str, int]:
    """Delete finished setbacks older than SETBACK_RETENTION_DAYS, with their answers,
    commitments, check-ins and share records, in batches — and, as deleting one setback
    does, the bot's messages for them in Slack (shared retros, summary DMs, check-ins).
    Nothing when retention is unset. Returns rows deleted per table; logs counts only."""
    days = rt.settings.setback_retention_days
    if not days:
        return {}
    cutoff = now - timedelta(days=days)
    out = Erased()
    while True:
        with session_scope(rt.engine) as s:
            due = store.expired_setbacks(s, cutoff)
            by_team: dict[str, list[int]] = {}
            for team, sid in due:
                by_team.setdefault(team, []).append(sid)
            pending: list[store.PendingRemoval] = []
            for team, ids in by_team.items():
                refs = store.message_refs(s, team, setback_ids=ids)
                out.rows += store.delete_setbacks(s, team, ids)
                pending += store.queue_removals(s, team, refs, now)
        _remove_messages(rt, pending, out)
        if len(due) < store.CHUNK:
            break
    if out.rows:
        log.info("retention (%s days) purged: %s", days, _fmt(out))
    return dict(out.rows)


def housekeeping(rt: Runtime, now: datetime) -> dict[str, dict[str, int]]:
    """The periodic clean-up the scheduler runs: uninstalled workspaces past their grace
    period, shares whose post was interrupted (`bot.sharing.recovery.recover_stale`),
    then setbacks past retention. Returns counts per table for each."""
    uninstalled = purge_uninstalled(rt, now)
    settled = recovery.recover_stale(rt, now)
    expired = purge_expired(rt, now)
    retried = retry_removals(rt, now)
    return {
        "uninstalled": uninstalled,
        "stale_shares": {"share": settled} if settled else {},
        "expired": expired,
        "message_removals": {"message_removal": retried} if retried else {},
    }


def _fmt(out: Erased) -> str:
    rows = ", ".join(f"{k}={v}" for k, v in sorted(out.rows.items())) or "no rows"
    return f"{rows}; messages deleted={out.messages_deleted} failed={out.messages_failed}"
