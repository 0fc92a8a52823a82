"""Slack-like rate limits for the sandbox's Web API (off unless asked for).

Slack answers too many calls with HTTP 429 and a ``Retry-After`` header; a bot that
ignores it loses messages in production. With ``--rate-limits`` (or the switch in the
page's log drawer) the sandbox applies roughly Slack's published limits, so a developer
can watch the bot back off. Figures follow Slack's rate-limit tiers: Tier 2 ≈ 20 calls a
minute, Tier 3 ≈ 50, Tier 4 ≈ 100 per method, and ``chat.postMessage`` about one message
a second per channel with short bursts.
"""

from sandbox.workspace import Workspace

_TIER = {2: (3.0, 20), 3: (1.2, 50), 4: (0.6, 100)}  # seconds per call, burst

# method -> (tier, or "channel" for chat.postMessage's per-channel limit)
SLACK_LIMITS: dict[str, int | str] = {
    "chat.postMessage": "channel",
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "conversations.open": 3,
    "conversations.info": 3,
    "conversations.members": 4,
    "conversations.join": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "users.info": 4,
    "views.open": 4,
    "views.push": 4,
    "views.update": 4,
    "views.publish": 4,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
    "files.delete": 3,
}


def apply_slack_limits(ws: Workspace, on: bool = True) -> None:
    """Switch Slack-like rate limits on (or off) for every method in :data:`SLACK_LIMITS`."""
    for name, tier in SLACK_LIMITS.items():
        if not on:
            ws.clear_rate_limit(name)
        elif tier == "channel":
            ws.set_rate_limit(name, 1.0, per="channel", burst=3)
        else:
            per_seconds, burst = _TIER[int(tier)]
            ws.set_rate_limit(name, per_seconds, per="method", burst=burst)
