"""Erasing data: one setback, everything of one person, a whole uninstalled workspace,
and setbacks past the retention period.

Slack's guidance for apps is to keep data only as long as a feature needs it and to
clean up when the app is removed. The database rows go first, in one transaction, so the
promise "nothing of yours remains" holds even if Slack is unreachable afterwards. The
same transaction queues what the bot sent for those rows (where it is, not what it
said): summary DMs, check-ins (answered or not), recaps, notices, share confirmations,
export files and, when asked, shared retros. They are removed from Slack right after —
files (with the message that shared them) and thread replies first, then the messages
they answer, so no "This message was deleted" is left above a reply of ours — and
whatever Slack or a crash left behind is retried by housekeeping with backoff, so a
deleted reflection's words do not stay in a DM or a channel. Logs carry counts and ids,
never content.
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
from storage import installations
from storage import reflections as reflection_store
from storage.db import session_scope
from storage.models import Workspace
from storage.rows import row_id

log = logging.getLogger(__name__)

UNINSTALL_EVENTS = ("app_uninstalled", "tokens_revoked")

MAX_REMOVAL_ATTEMPTS = 8
REMOVAL_RETRY_BASE = timedelta(minutes=5)
REMOVAL_RETRY_MAX = timedelta(hours=6)
ALREADY_GONE = frozenset({"message_not_found", "file_not_found", "file_deleted"})
# Slack will never let the bot remove these (no access, not its message or file). A
# refused token is retried like any other failure (it may be a token being rotated);
# the attempt cap ends those rows, and uninstalling erases the workspace's queue.
CANNOT_REMOVE = frozenset(
    {
        "cant_delete_message",
        "cant_delete_file",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
    }
)
# Slack's upload answer names the files, not the message sharing them: that message is
# found in the channel's history, newest first, within this many pages.
SHARE_SCAN_PAGES = 5
SHARE_SCAN_PAGE_SIZE = 200


@dataclass
class Erased:
    """What an erasure removed: rows per table, and the Slack messages and files it took
    down, could never take down, or will try again."""

    rows: Counter[str] = field(default_factory=Counter)
    messages_deleted: int = 0
    files_deleted: int = 0
    messages_failed: int = 0  # Slack refused for good (no access, cannot delete)
    files_failed: int = 0
    messages_retrying: int = 0  # Slack or the network failed: housekeeping tries again
    files_retrying: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def count(self, ref: store.MessageRef, outcome: str) -> None:
        """Add one message or file to the `outcome` ("deleted", "failed", "retrying")."""
        name = f"{'files' if ref.is_file else 'messages'}_{outcome}"
        setattr(self, name, getattr(self, name) + 1)


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
    rt: Runtime, actor: Actor, *, delete_shared: bool = True, delete_direct: bool = True
) -> Erased:
    """Delete every row of this person in this workspace: reflections, commitments,
    check-ins (scheduled ones included), share records, settings and safety flags.

    `delete_direct` also removes from Slack everything the bot sent them in their DM
    (summaries, check-ins, recaps, notices, confirmations, export files); `delete_shared`
    their shared retros in channels. Both are the default: keeping them is the exception.
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
    rt: Runtime, actor: Actor, *, delete_shared: bool = True, delete_direct: bool = True
) -> Erased:
    """After "Delete everything" is confirmed: erase, then tell the person it is done (counts
    only, in their DM, so they are not left wondering)."""
    out = erase_person(rt, actor, delete_shared=delete_shared, delete_direct=delete_direct)
    text = views.erased_message(
        out.total_rows,
        views.Removed(out.messages_deleted, out.files_deleted),
        views.Removed(out.messages_failed, out.files_failed),
        views.Removed(out.messages_retrying, out.files_retrying),
    )
    client = rt.client_for(actor.team_id, actor.enterprise_id)
    try:
        channel = client.conversations_open(users=actor.user_id)["channel"]["id"]
        client.chat_postMessage(channel=channel, text=text)
    except SlackApiError as exc:
        log.warning("erase confirmation DM failed: %s", exc.response.get("error"))
    except Exception as exc:  # noqa: BLE001 - the erasure itself is done either way
        log.warning("erase confirmation DM failed: %s", type(exc).__name__)
    return out


def _remove_messages(rt: Runtime, pending: list[store.PendingRemoval], out: Erased) -> None:
    """Take down each queued message or file, each workspace's with its own token
    (`Runtime.client_for`: one uninstalled meanwhile answers `not_authed`, and its rows
    are retried like any other failure)."""
    by_team: dict[str, list[store.PendingRemoval]] = {}
    for item in pending:
        by_team.setdefault(item.team_id, []).append(item)
    for team_id, items in by_team.items():
        _remove_in_workspace(rt, rt.client_for(team_id), items, out)


def _remove_in_workspace(
    rt: Runtime, client: WebClient, pending: list[store.PendingRemoval], out: Erased
) -> None:
    """Take down each queued message or file of one workspace; one failure never stops
    the rest.

    Files and thread replies go first. A root goes next only once none of its replies is
    queued any more; while one is (Slack refused it for now), the root waits with it, so
    no "This message was deleted" is left above a reply of ours. Each queue row goes once
    Slack took it down or says it is gone already, or refused for good (logged, counted
    as failed); what Slack or the network could not handle now keeps its row with a
    later retry time, for housekeeping.
    """
    if not pending:
        return
    first = [p for p in pending if p.ref.is_file or p.ref.is_reply]
    roots = [p for p in pending if not (p.ref.is_file or p.ref.is_reply)]
    shares = _FileShares(client, [p.ref for p in first if p.ref.is_file])
    _settle(rt, [(item, _remove(client, item.ref, shares)) for item in first], out)
    if not roots:
        return
    with session_scope(rt.engine, readonly=True) as s:
        waiting = {
            item.id
            for item in roots
            if item.ref.ts and store.replies_pending(s, item.ref.channel, item.ref.ts)
        }
    if waiting:
        later = rt.clock.now() + removal_backoff(1)
        with session_scope(rt.engine) as s:
            for removal_id in waiting:
                store.removal_deferred(s, removal_id, later)
        for item in roots:
            if item.id in waiting:
                out.count(item.ref, "retrying")
    ready = [item for item in roots if item.id not in waiting]
    _settle(rt, [(item, _remove(client, item.ref, shares)) for item in ready], out)


@dataclass(frozen=True)
class _Outcome:
    """How removing one queued item went: Slack's error code (None: removed), and how
    many messages it took down on the way (the messages sharing a file)."""

    code: str | None
    messages: int = 0


def _settle(rt: Runtime, results: list[tuple[store.PendingRemoval, _Outcome]], out: Erased) -> None:
    """Count the outcomes and bring the queue up to date in one transaction."""
    if not results:
        return
    now = rt.clock.now()
    finished: list[int] = []
    retries: list[tuple[store.PendingRemoval, str]] = []
    for item, outcome in results:
        out.messages_deleted += outcome.messages
        code = outcome.code
        if code is None:
            out.count(item.ref, "deleted")
        elif code in ALREADY_GONE:
            pass  # removed by someone already: nothing left to do
        elif code in CANNOT_REMOVE or item.attempts + 1 >= MAX_REMOVAL_ATTEMPTS:
            out.count(item.ref, "failed")
            log.warning("gave up removing a %s: %s", item.ref.kind, code)
        else:
            out.count(item.ref, "retrying")
            log.info("removing a %s failed (%s); will retry", item.ref.kind, code)
            retries.append((item, code))
            continue
        finished.append(item.id)
    with session_scope(rt.engine) as s:
        store.removals_done(s, finished)
        for item, code in retries:
            store.removal_failed(s, item.id, code, now + removal_backoff(item.attempts + 1))


def _remove(client: WebClient, ref: store.MessageRef, shares: _FileShares) -> _Outcome:
    if ref.file_id is not None:
        return _remove_file(client, ref, ref.file_id, shares)
    return _Outcome(_delete_message(client, ref.channel, ref.ts or ""))


def _delete_message(client: WebClient, channel: str, ts: str) -> str | None:
    """None when Slack deleted the message, else Slack's error code (or the exception's
    name for network trouble) — never message content."""
    try:
        client.chat_delete(channel=channel, ts=ts)
    except Exception as exc:  # noqa: BLE001 - a code decides: gone, refused or retried
        return error_code(exc)
    return None


def _remove_file(
    client: WebClient, ref: store.MessageRef, file_id: str, shares: _FileShares
) -> _Outcome:
    """The message that shared the file goes first (else Slack shows "This file was
    deleted" in its place), then the file itself, so its link stops answering. A message
    Slack refuses for good does not keep the file; one it fails for now retries both."""
    try:
        found = shares.of(ref.channel, file_id)
    except Exception as exc:  # noqa: BLE001 - a code decides, as for a message
        code = error_code(exc)
        if code not in CANNOT_REMOVE:
            return _Outcome(code)
        found = []
    removed = 0
    for ts in found:
        refused = _delete_message(client, ref.channel, ts)
        if refused is None:
            removed += 1
        elif refused not in ALREADY_GONE and refused not in CANNOT_REMOVE:
            return _Outcome(refused, removed)
        shares.settled(ref.channel, ts)
    try:
        client.files_delete(file=file_id)
    except Exception as exc:  # noqa: BLE001 - a code decides: gone, refused or retried
        return _Outcome(error_code(exc), removed)
    return _Outcome(None, removed)


class _FileShares:
    """Where files were shared: the messages in a channel whose files include them.

    Slack's answer to an upload names the files, not the message that shares them, so
    the channel's history is read once per channel and erasure (newest first, as Slack
    pages it, at most `SHARE_SCAN_PAGES` pages), until every wanted file is found.

    One message may share several files (an export shares two): once it is settled
    (deleted, gone already, or refused for good) it is no longer named for the next
    file, so it is deleted once and Slack never answers "message_not_found" to us.
    """

    def __init__(self, client: WebClient, refs: list[store.MessageRef]) -> None:
        self._client = client
        self._wanted: dict[str, set[str]] = {}
        for ref in refs:
            if ref.file_id:
                self._wanted.setdefault(ref.channel, set()).add(ref.file_id)
        self._found: dict[str, dict[str, list[str]]] = {}
        self._settled: set[tuple[str, str]] = set()

    def of(self, channel: str, file_id: str) -> list[str]:
        """The ts of each message in `channel` that shares `file_id` and is not settled
        yet (raises what the Web API raises)."""
        if channel not in self._found:
            self._found[channel] = self._scan(channel, self._wanted.get(channel, {file_id}))
        found = self._found[channel].get(file_id, [])
        return [ts for ts in found if (channel, ts) not in self._settled]

    def settled(self, channel: str, ts: str) -> None:
        """This sharing message needs no more asking: Slack removed it, it was gone
        already, or Slack will never let us remove it."""
        self._settled.add((channel, ts))

    def _scan(self, channel: str, wanted: set[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        cursor: str | None = None
        for _ in range(SHARE_SCAN_PAGES):
            page = self._client.conversations_history(
                channel=channel, limit=SHARE_SCAN_PAGE_SIZE, cursor=cursor
            )
            for message in page.get("messages") or []:
                for shared in message.get("files") or []:
                    if shared.get("id") in wanted:
                        found.setdefault(str(shared["id"]), []).append(str(message["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if wanted <= found.keys() or not cursor:
                break
        return found


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
        log.info("message removals retried: %s", _fmt(out))
    return len(due)


# --- uninstall -------------------------------------------------------------------------


def record_uninstall(
    rt: Runtime, team_id: str, event_id: str | None, since: datetime | None = None
) -> bool:
    """Mark the workspace uninstalled and delete its installation's tokens, in one
    transaction, whatever the grace period says about its data. False for a retried
    delivery (the first one deleted them). `since`: when Slack sent the event; an
    installation saved after it (a reinstall that overtook a late event) is kept.

    The mark keeps the first uninstall time, so a later `tokens_revoked` for the same
    removal does not push the erasure date back.
    """
    now = rt.clock.now()
    try:
        with session_scope(rt.engine) as s:
            if event_id and not event_store.mark_event_processed(s, event_id, team_id, now):
                return False
            tokens = installations.forget_workspace(s, team_id, installed_before=since)
            ws = s.get(Workspace, team_id) or Workspace(team_id=team_id)
            ws.uninstalled_at = ws.uninstalled_at or now
            s.add(ws)
    except IntegrityError:  # the same event, delivered twice at once
        return False
    log.info("workspace %s uninstalled; its tokens are deleted (%d rows)", team_id, tokens)
    return True


def handle_uninstall(
    rt: Runtime, team_id: str, event_id: str | None, since: datetime | None = None
) -> dict[str, int]:
    """`app_uninstalled` / bot `tokens_revoked`: mark the workspace and delete its
    tokens at once; with no grace period, erase its data at once too (housekeeping
    would do it otherwise). Returns the rows erased now, per table."""
    if not record_uninstall(rt, team_id, event_id, since):
        return {}
    if rt.settings.setback_uninstall_grace_days > 0:
        return {}
    return purge_uninstalled(rt, rt.clock.now(), team_id=team_id)


def handle_org_uninstall(
    rt: Runtime, enterprise_id: str, event_id: str | None, since: datetime | None = None
) -> dict[str, int]:
    """An org-wide install removed (Enterprise Grid): delete the org's tokens at once,
    and mark every workspace it served (those without an installation of their own), so
    their data goes now or after the grace period, as for one workspace."""
    now = rt.clock.now()
    try:
        with session_scope(rt.engine) as s:
            if event_id and not event_store.mark_event_processed(s, event_id, enterprise_id, now):
                return {}
            tokens = installations.forget_org(s, enterprise_id, installed_before=since)
            teams = installations.org_workspaces(s, enterprise_id)
            for team in teams:
                ws = s.get(Workspace, team) or Workspace(team_id=team)
                ws.uninstalled_at = ws.uninstalled_at or now
                s.add(ws)
    except IntegrityError:  # the same event, delivered twice at once
        return {}
    log.info(
        "org %s uninstalled; its tokens are deleted (%d rows), %d workspace(s) marked",
        enterprise_id,
        tokens,
        len(teams),
    )
    if rt.settings.setback_uninstall_grace_days > 0:
        return {}
    counts: Counter[str] = Counter()
    for team in teams:
        counts.update(purge_uninstalled(rt, now, team_id=team))
    return dict(counts)


def forget_installers(
    rt: Runtime, team_id: str | None, enterprise_id: str | None, user_ids: list[str]
) -> int:
    """`tokens_revoked` for user tokens only: delete those people's installations
    (their user tokens); the app stays installed. Returns the rows deleted."""
    if not user_ids:
        return 0
    with session_scope(rt.engine) as s:
        return installations.forget_installers(s, team_id, enterprise_id, user_ids)


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
    return (
        f"{rows}; messages deleted={out.messages_deleted} failed={out.messages_failed} "
        f"retrying={out.messages_retrying}; files deleted={out.files_deleted} "
        f"failed={out.files_failed} retrying={out.files_retrying}"
    )
