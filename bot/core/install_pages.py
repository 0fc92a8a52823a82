"""The pages a person sees while adding Setback to Slack (bot.core.installs).

`GET /slack/install` shows one "Add to Slack" link to Slack's authorize page; Slack
sends the person back to `GET /slack/oauth_redirect`, which answers with what happened:
installed, and what to do next (open the app, type `/setback`), or not installed, why
in plain words, and how to try again. The pages load nothing from anywhere else (no
image, font or script), every value on them is HTML-escaped, and none shows a token or
the OAuth code. Links into Slack start from the origin of SLACK_AUTHORIZE_URL, so a
stand-in for Slack (the sandbox) gets them too.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit

from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Installation

log = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
Headers = dict[str, str | Sequence[str]]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1c1d;
       max-width: 34rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.5rem; }
a.button { display: inline-block; background: #2f5d50; color: #fff; padding: .7rem 1.2rem;
           border-radius: .4rem; text-decoration: none; font-weight: 600; }
li { margin: .3rem 0; }
code { background: #f4f4f4; padding: 0 .25rem; border-radius: .2rem; }
"""

# Why an install did not complete, in words a person can act on (Bolt's reason codes).
_WHY = {
    "access_denied": (
        "The install was cancelled on Slack's page, so nothing was installed and nothing "
        "was stored."
    ),
    "invalid_browser": (
        "This install was started in another browser (or its cookie is gone), so it "
        "cannot be finished here."
    ),
    "invalid_state": (
        "This install link has expired or was already used. Install links last 10 minutes."
    ),
    "missing_code": "Slack's answer did not say which install to finish.",
    "invalid_code": ("Slack did not accept this install: the code expired or was already used."),
    "storage_error": (
        "Setback could not save the install. Nothing was changed; it is usually a "
        "passing problem with the database."
    ),
}
_UNKNOWN = "Slack reported a problem with this install ({reason})."


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def slack_origin(authorize_url: str) -> str:
    """`https://slack.com` for Slack's authorize page; a stand-in's own origin otherwise."""
    parts = urlsplit(authorize_url)
    return f"{parts.scheme}://{parts.netloc}"


def install_page(authorize_url: str) -> str:
    """The "Add to Slack" page: one link to Slack's authorize page for this install."""
    link = html.escape(authorize_url, quote=True)
    return _page(
        "Add Setback to Slack",
        "<h1>Add Setback to your Slack workspace</h1>"
        "<p>Setback is a private, blameless reflection after a mistake at work, with kind "
        "check-ins on your plans. Slack will ask you to choose a workspace and to allow "
        "what Setback needs: to add <code>/setback</code>, to send you direct messages, "
        "and to read your time zone.</p>"
        f'<p><a class=button href="{link}">Add to Slack</a></p>'
        "<p>Everything a person writes stays private to them, encrypted at rest.</p>",
    )


def open_app_url(origin: str, installation: Installation) -> str:
    """Slack's link that opens the app in the workspace it was installed in."""
    query = {"app": installation.app_id or "", "team": installation.team_id or ""}
    return f"{origin}/app_redirect?{urlencode(query)}"


def success_page(origin: str, installation: Installation) -> str:
    """Installed: where, and what to do next."""
    if installation.is_enterprise_install:
        where = html.escape(installation.enterprise_name or "your organisation")
        next_steps = (
            "<li>An org admin chooses the workspaces that get Setback, in the org's app "
            "settings (Manage apps → Setback → Add to more workspaces).</li>"
            "<li>Then anyone in those workspaces opens Setback from <b>Apps</b> in "
            "Slack's sidebar, or types <code>/setback</code> in any conversation.</li>"
        )
        manage = installation.enterprise_url and installation.app_id
        button = (
            f'<p><a class=button href="{html.escape(str(installation.enterprise_url))}'
            f"manage/organization/apps/profile/{html.escape(str(installation.app_id))}"
            '/workspaces/add">Choose workspaces</a></p>'
            if manage
            else ""
        )
    else:
        where = html.escape(installation.team_name or "your workspace")
        next_steps = (
            "<li>Open Slack and find <b>Setback</b> under <b>Apps</b> in the sidebar "
            "(its Home tab is your private journal).</li>"
            "<li>Type <code>/setback</code> in any conversation to start a reflection.</li>"
            "<li>Tell your team: everything each person writes stays private to them.</li>"
        )
        url = html.escape(open_app_url(origin, installation), quote=True)
        button = f'<p><a class=button href="{url}">Open Setback in Slack</a></p>'
    return _page(
        "Setback is installed",
        f"<h1>Setback is installed in {where}</h1>"
        f"<p>What to do next:</p><ol>{next_steps}</ol>{button}",
    )


def failure_page(reason: str, install_path: str) -> str:
    """Not installed: what went wrong, and how to try again."""
    why = _WHY.get(reason) or _UNKNOWN.format(reason=reason)
    again = html.escape(install_path, quote=True)
    return _page(
        "Setback was not installed",
        "<h1>Setback was not installed</h1>"
        f"<p>{html.escape(why)}</p>"
        f'<p>To try again, start from the <a href="{again}">Add to Slack page</a> in this '
        "browser and finish within 10 minutes. If it keeps failing, tell whoever runs "
        "Setback for your organisation what this page says.</p>"
        f'<p><a class=button href="{again}">Try again</a></p>',
    )


def callback_options(authorize_url: str) -> CallbackOptions:
    """Bolt's success and failure handlers for `GET /slack/oauth_redirect`: our pages,
    and the state cookie cleared either way."""
    origin = slack_origin(authorize_url)

    def success(args: SuccessArgs) -> BoltResponse:
        i = args.installation
        log.info(
            "Setback was installed (team %s, org %s, org-wide %s)",
            i.team_id,
            i.enterprise_id,
            bool(i.is_enterprise_install),
        )
        cookie = args.settings.state_utils.build_set_cookie_for_deletion()
        headers: Headers = {"Content-Type": HTML, "Set-Cookie": cookie}
        return BoltResponse(status=200, headers=headers, body=success_page(origin, i))

    def failure(args: FailureArgs) -> BoltResponse:
        log.info("An install did not complete: %s", args.reason)
        cookie = args.settings.state_utils.build_set_cookie_for_deletion()
        headers: Headers = {"Content-Type": HTML, "Set-Cookie": cookie}
        body = failure_page(args.reason, args.settings.install_path)
        return BoltResponse(status=args.suggested_status_code, headers=headers, body=body)

    return CallbackOptions(success=success, failure=failure)
