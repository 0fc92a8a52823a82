"""Reading Slack's payloads: who is acting, and the ids a button or a modal names.

Protocol: `put_actor` is a global Bolt middleware (registered by `bot.app.create_app`
before any listener). It reads the team, user and enterprise ids Bolt has already taken
from the payload into its context, for commands, buttons, modals and events alike (a
modal's team comes from the view when the payload names no team), and stores the
acting person as `context["actor"]`. Listeners, lazy ones included (Bolt copies the
context for them), read it back with `actor_of(context)`.

The other helpers only parse: an id read from a button value or private_metadata is a
claim, and the services re-check that the actor owns what it names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.core.actor import Actor

ACTOR = "actor"  # the context key


def as_int(value: Any) -> int | None:
    """An integer id from a payload string, or None for anything else (never raises)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def first_action(body: dict[str, Any]) -> dict[str, Any]:
    """The clicked element of a block_actions payload ({} when there is none)."""
    actions = body.get("actions") or [{}]
    return actions[0] if isinstance(actions[0], dict) else {}


def clicked_id(body: dict[str, Any]) -> int | None:
    """The record id the clicked button carries in its value (a claim, re-checked by
    the service), or None when the value is not an id."""
    return as_int(first_action(body).get("value"))


def view_of(body: dict[str, Any]) -> dict[str, Any]:
    """The modal a payload comes from ({} for a button outside any modal)."""
    view = body.get("view")
    return view if isinstance(view, dict) else {}


def state_values(view: dict[str, Any] | None) -> dict[str, Any]:
    """A modal's input values by block id and action id ({} when it has none)."""
    return ((view or {}).get("state") or {}).get("values") or {}


def workspace_of(body: dict[str, Any] | None) -> str | None:
    """The workspace a payload comes from, read from the payload itself: for an org-wide
    install (Enterprise Grid) Bolt's context names no team for events and some
    interactions, but the event envelope (`team_id`), the user (`user.team_id`) or the
    view (`view.team_id`) still says where the person acted."""
    if not body:
        return None
    user, view = body.get("user"), view_of(body)
    for team in (
        body.get("team_id"),
        user.get("team_id") if isinstance(user, dict) else None,
        view.get("team_id"),
    ):
        if isinstance(team, str) and team:
            return team
    return None


def actor_from(context: BoltContext, body: dict[str, Any] | None = None) -> Actor | None:
    """The acting team + user as Slack's payload states them, or None when the payload
    names no user (`app_uninstalled`, `tokens_revoked`). The team is the workspace where
    the person acted — for an org-wide install too (`workspace_of`), so their data stays
    scoped to it; user ids are org-wide there, so the same person in two workspaces of
    one org has two journals. A payload naming only the enterprise: its id then stands
    for the team."""
    team_id = context.team_id or workspace_of(body) or context.enterprise_id
    if not team_id or not context.user_id:
        return None
    return Actor(
        team_id=str(team_id), user_id=str(context.user_id), enterprise_id=context.enterprise_id
    )


def put_actor(
    context: BoltContext, next_: Callable[[], Any], body: dict[str, Any] | None = None
) -> Any:
    """Global middleware: put the acting person in the context for every listener."""
    actor = actor_from(context, body)
    if actor is not None:
        context[ACTOR] = actor
    return next_()


class PutActor(Middleware):
    """`put_actor` as a class-based middleware: Bolt calls it with the request itself, so
    no listener arguments are looked up for it on every request."""

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],  # noqa: A002 - the name Bolt passes it by
    ) -> BoltResponse | None:
        answered: BoltResponse | None = put_actor(req.context, next, req.body)
        return answered


def actor_of(context: BoltContext) -> Actor:
    """The acting person `put_actor` stored. Raises LookupError for a payload that names
    no user, which no listener that acts for a person is registered for."""
    actor = context.get(ACTOR)
    if not isinstance(actor, Actor):
        raise LookupError("this request names no acting person")
    return actor
