"""The sandbox's Slack as a whole: its workspaces, the org that holds them, the app's OAuth.

A token belongs to one workspace, and every Web API call is answered in that workspace
only (:meth:`Org.by_token`), as Slack does: a bot that calls with workspace A's token
about workspace B's channel or person gets ``channel_not_found`` or ``user_not_found``.
A workspace's fixed ``bot_token`` (the one-token set-up, ``SLACK_BOT_TOKEN``) always
works for it; tokens issued through OAuth (:mod:`sandbox.oauth`) work until they expire
or are revoked. Ids (channels, views, files) never repeat across workspaces, so
response URLs, uploads and file links find their workspace by the id alone.

An org with one workspace and no enterprise id (:meth:`Org.of`) is the sandbox of the
one-token set-up; the launcher's Org holds two workspaces in one Enterprise Grid org.
"""

import hmac
from collections.abc import Iterable
from typing import Union

from sandbox.oauth import OAuth, Team
from sandbox.workspace import SlackError, Workspace


class Org:
    """Every workspace of the sandbox, and the app's installs across them."""

    def __init__(
        self,
        workspaces: Iterable[Workspace],
        oauth: OAuth | None = None,
        *,
        enterprise_id: str | None = None,
        enterprise_name: str | None = None,
    ) -> None:
        self.workspaces = list(workspaces)
        if not self.workspaces:
            raise ValueError("an org needs at least one workspace")
        if len({w.team_id for w in self.workspaces}) != len(self.workspaces):
            raise ValueError("workspaces need distinct team ids")
        self.oauth = oauth
        self.enterprise_id = enterprise_id
        self.enterprise_name = enterprise_name
        for ws in self.workspaces:
            ws.enterprise_id, ws.enterprise_name = enterprise_id, enterprise_name

    @classmethod
    def of(cls, target: Union[Workspace, "Org"]) -> "Org":
        """``target`` itself, or a one-workspace org around it (no OAuth, no enterprise)."""
        if isinstance(target, Org):
            return target
        org = cls.__new__(cls)
        org.workspaces, org.oauth = [target], None
        org.enterprise_id, org.enterprise_name = target.enterprise_id, target.enterprise_name
        return org

    @property
    def first(self) -> Workspace:
        """The workspace a newcomer starts in."""
        return self.workspaces[0]

    def workspace(self, team_id: str | None) -> Workspace | None:
        """The workspace with this team id, or None."""
        return next((w for w in self.workspaces if w.team_id == team_id), None)

    def teams(self) -> dict[str, Team]:
        """What ``oauth.v2.access`` says of each workspace, by team id."""
        return {
            w.team_id: Team(
                w.team_id, w.team_name, w.bot_user_id, w.enterprise_id, w.enterprise_name
            )
            for w in self.workspaces
        }

    def by_token(self, token: str | None) -> Workspace:
        """The workspace a token serves; Slack's error for none, an unknown, an expired
        or a revoked one, or one whose app was removed from its workspace."""
        if not token:
            raise SlackError("not_authed", "no token")
        for ws in self.workspaces:
            if ws.bot_token and secrets_equal(token, ws.bot_token):
                return ws
        team_id = self.oauth.team_of(token) if self.oauth is not None else None
        served = self.workspace(team_id)
        if served is None:
            raise SlackError("invalid_auth", "unknown token")
        if not served.app_installed:
            raise SlackError("token_revoked", "the app was removed from this workspace")
        return served

    def of_user(self, user_id: str) -> Workspace | None:
        """The workspace a person (not a bot) belongs to."""
        for ws in self.workspaces:
            user = ws.user(user_id)
            if user is not None and not user["is_bot"]:
                return ws
        return None

    def of_response_url(self, response_id: str) -> Workspace:
        """A response URL's workspace (its id starts with the team id)."""
        return self.workspace(response_id.split("/", 1)[0]) or self.first

    def of_file(self, file_id: str) -> Workspace:
        """The workspace that holds a file (ids do not repeat across workspaces)."""
        return next((w for w in self.workspaces if w.file_info(file_id)), self.first)


def secrets_equal(a: str, b: str) -> bool:
    """Constant-time comparison of two tokens."""
    return hmac.compare_digest(a.encode(), b.encode())
