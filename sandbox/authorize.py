"""Slack's authorize page, played by the sandbox: ``/oauth/v2/authorize``.

``GET /oauth/v2/authorize?client_id=…&scope=…&user_scope=…&redirect_uri=…&state=…[&team=…]``
(Slack's URL, as an app's "Add to Slack" link builds it) shows which workspace the app
will be installed in — the one ``team`` names, else the signed-in person's (the page's
``sandbox-user`` cookie), else the first — with a choice of the others, what the app
asks to do, and Allow / Cancel. The form posts back to the same path:

* Allow installs the app in the chosen workspace (:meth:`Workspace.install_app`), grants
  a one-time code (:meth:`sandbox.oauth.OAuth.grant`) and sends the browser to
  ``redirect_uri?code=…&state=…``;
* Cancel sends it to ``redirect_uri?error=access_denied&state=…``.

A request Slack would not show a page for — an unknown ``client_id``, a ``redirect_uri``
the app is not configured with, no scopes — gets an error page naming the problem, and
never a redirect. The form must come from this page's own origin (a cross-site form
cannot install the app on someone's behalf), and every value shown is HTML-escaped.
"""

import html
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from sandbox.oauth import SCOPE_WORDS
from sandbox.org import Org
from sandbox.workspace import Workspace

PATH = "/oauth/v2/authorize"
USER_COOKIE = "sandbox-user"

Reply = tuple[int, dict[str, str], bytes]
_HTML = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1c1d;
       background: #f8f8f8; margin: 0; }
main { max-width: 32rem; margin: 3rem auto; background: #fff; padding: 2rem;
       border-radius: .5rem; box-shadow: 0 1px 3px rgba(0,0,0,.15); line-height: 1.5; }
h1 { font-size: 1.35rem; margin-top: 0; }
.app { font-weight: 700; }
select { font: inherit; padding: .3rem; }
ul { padding-left: 1.2rem; } li { margin: .25rem 0; }
.actions { display: flex; gap: .75rem; justify-content: flex-end; margin-top: 1.5rem; }
button { font: inherit; font-weight: 600; padding: .55rem 1.2rem; border-radius: .3rem;
         border: 1px solid #bbb; background: #fff; cursor: pointer; }
button.allow { background: #007a5a; border-color: #007a5a; color: #fff; }
.who { color: #616061; font-size: .9rem; }
.problem { color: #a3001a; }
"""


class Problem(ValueError):
    """A request Slack shows an error page for instead of redirecting."""


def _page(title: str, body: str) -> bytes:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    ).encode()


def _problem_page(problem: Problem) -> Reply:
    body = (
        "<h1>Something's wrong with this install link</h1>"
        f"<p class=problem>{html.escape(str(problem))}</p>"
        "<p>Start again from the app's “Add to Slack” page.</p>"
    )
    return 400, _HTML, _page("Install problem", body)


def _checked(org: Org, asked: Mapping[str, str]) -> tuple[str, list[str]]:
    """The redirect URL and scopes of an authorize request, or the Problem Slack shows."""
    if org.oauth is None:
        raise Problem("This sandbox has no app set up for installing (invalid_client_id).")
    if asked.get("client_id") != org.oauth.app.client_id:
        raise Problem("The link names an app this Slack does not know (invalid_client_id).")
    redirect = org.oauth.app.redirect_for(asked.get("redirect_uri"))
    if redirect is None:
        raise Problem("The redirect_uri is not one of the app's redirect URLs (bad_redirect_uri).")
    scopes = [s for s in (asked.get("scope") or "").split(",") if s]
    if not scopes and not (asked.get("user_scope") or ""):
        raise Problem("The link asks for no scopes (invalid_scope).")
    return redirect, scopes


def signed_in(cookies: str | None) -> str | None:
    """The person signed in on the sandbox page, from its cookie."""
    for part in (cookies or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == USER_COOKIE and value:
            return value
    return None


def _chosen(org: Org, team: str | None, user: str | None) -> Workspace:
    by_user = org.of_user(user) if user else None
    return org.workspace(team) or by_user or org.first


def _installer(ws: Workspace, user: str | None) -> str | None:
    """Who presses Allow: the signed-in person when they are in that workspace, else its
    first person."""
    people = [ws.user(u) for u in ws.user_ids()]
    ids = [p["id"] for p in people if p is not None and not p["is_bot"] and not p["deleted"]]
    if user in ids:
        return user
    return ids[0] if ids else None


def show(org: Org, query: str, cookies: str | None) -> Reply:
    """``GET /oauth/v2/authorize``: the page, or the problem with the request."""
    asked = dict(parse_qsl(query, keep_blank_values=True))
    try:
        _, scopes = _checked(org, asked)
    except Problem as problem:
        return _problem_page(problem)
    user = signed_in(cookies)
    chosen = _chosen(org, asked.get("team"), user)
    options = "".join(
        f'<option value="{html.escape(w.team_id)}"{" selected" if w is chosen else ""}>'
        f"{html.escape(w.team_name)}</option>"
        for w in org.workspaces
    )
    kept = {k: asked.get(k, "") for k in ("client_id", "scope", "user_scope", "redirect_uri")}
    hidden = "".join(
        f'<input type=hidden name="{k}" value="{html.escape(v, quote=True)}">'
        for k, v in {**kept, "state": asked.get("state", "")}.items()
    )
    can = "".join(f"<li>{html.escape(SCOPE_WORDS.get(s, s))}</li>" for s in scopes)
    installer = _installer(chosen, user)
    person = chosen.user(installer) if installer else None
    who = html.escape(person["real_name"]) if person else "nobody"
    body = (
        f'<form method=post action="{PATH}">{hidden}'
        "<h1><span class=app>Setback</span> is requesting permission to access a Slack "
        "workspace</h1>"
        f"<p><label for=team>Workspace to install in</label> <select id=team name=team>{options}"
        "</select></p>"
        f"<p class=who>Signed in as {who}.</p>"
        f"<h2>What will Setback be able to do?</h2><ul>{can}</ul>"
        "<div class=actions>"
        "<button type=submit name=decision value=cancel class=cancel>Cancel</button>"
        "<button type=submit name=decision value=allow class=allow>Allow</button>"
        "</div></form>"
    )
    return 200, _HTML, _page("Install Setback", body)


def decide(org: Org, body: bytes, cookies: str | None) -> Reply:
    """``POST /oauth/v2/authorize``: Allow or Cancel, back to the app's redirect URL."""
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        redirect, scopes = _checked(org, form)
        ws = org.workspace(form.get("team"))
        if ws is None:
            raise Problem("That workspace is not in this Slack.")
        user = _installer(ws, signed_in(cookies))
        if user is None:
            raise Problem("That workspace has nobody in it to install the app.")
    except Problem as problem:
        return _problem_page(problem)
    state = form.get("state", "")
    if form.get("decision") != "allow" or org.oauth is None:
        answer = {"error": "access_denied", "state": state}
    else:
        ws.install_app()
        code = org.oauth.grant(ws.team_id, user, scopes, form.get("redirect_uri") or None)
        answer = {"code": code, "state": state}
    joiner = "&" if "?" in redirect else "?"
    return 302, {"Location": f"{redirect}{joiner}{urlencode(answer)}", **_HTML}, b""
