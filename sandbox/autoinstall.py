"""Adding the app to a workspace the way a person's browser does, for the launcher.

A newcomer's sandbox starts with Setback already in the first workspace, as before the
sandbox played Slack's OAuth: the launcher walks the install itself, over HTTP, through
the bot's own pages and nothing else —

1. ``GET <bot>/slack/install?team=T…``: the bot's "Add to Slack" page (or its redirect),
   which sets the bot's state cookie and links to the sandbox's authorize page;
2. Allow on that authorize page, as the workspace's first person
   (:func:`sandbox.authorize.decide`, in process: the sandbox *is* that page);
3. ``GET`` the bot's redirect URL with ``code`` and ``state`` and the cookie: the bot
   exchanges the code at ``oauth.v2.access`` and stores the install.

:func:`install` returns None when the bot answered its success page, else a short
reason; the page still offers "Add Setback" in that workspace either way.
"""

import html
import http.client
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from sandbox import authorize
from sandbox.org import Org

TIMEOUT_SECONDS = 15.0
_LINK = re.compile(r'href="([^"]*' + re.escape(authorize.PATH) + r'\?[^"]*)"')


def _get(url: str, cookie: str | None = None) -> tuple[int, http.client.HTTPMessage, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=TIMEOUT_SECONDS)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        reply = connection.getresponse()
        return reply.status, reply.headers, reply.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _authorize_url(status: int, headers: http.client.HTTPMessage, body: str) -> str | None:
    if status in (301, 302, 303):
        return headers.get("Location")
    found = _LINK.search(body) if status == 200 else None
    return html.unescape(found.group(1)) if found else None


def install(org: Org, team_id: str, install_url: str) -> str | None:
    """Add the app to ``team_id`` through the bot's install pages; None on success."""
    try:
        status, headers, body = _get(f"{install_url}?{urlencode({'team': team_id})}")
        url = _authorize_url(status, headers, body)
        if url is None:
            return f"the bot's install page answered {status} without a link to Slack"
        cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
        form = {**dict(parse_qsl(urlsplit(url).query)), "team": team_id, "decision": "allow"}
        code, where, _ = authorize.decide(org, urlencode(form).encode(), None)
        if code != 302:
            return "the authorize page refused the bot's install link"
        status, _, _ = _get(where["Location"], "; ".join(cookies) or None)
    except OSError as exc:
        return f"the bot did not answer ({exc})"
    return None if status == 200 else f"the bot's redirect page answered {status}"
