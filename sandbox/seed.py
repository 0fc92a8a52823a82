"""The demo workspaces: the one a newcomer starts in, and a second one to install into.

Ada is signed in; Ben is the second person the user switcher offers, to show that one
person's reflections are invisible to another. The channels cover the cases sharing must
handle: ``#general`` (the app is a member), ``#team-retros`` (public, the app is not a
member yet, so it must join) and ``#leads`` (private, the app is not a member, so it
cannot post there until someone invites it).

The second workspace, Northwind, is in the same org: Cleo and Dev, two channels of its
own, and Setback not installed yet — a person adds it through the app's "Add to Slack"
page, and then nothing of one workspace shows in the other.
"""

from sandbox.workspace import Workspace

ADA = "U0ADA"
BEN = "U0BEN"
GENERAL = "C0GENERAL"
RETROS = "C0RETROS"
LEADS = "G0LEADS"
PEOPLE = (ADA, BEN)

ORG_ID = "E0SANDBOX"
ORG_NAME = "Sandbox Org"
SECOND_TEAM = "T0NORTHWIND"
SECOND_TEAM_NAME = "Northwind"
SECOND_BOT_USER = "U0SETBACKN"
SECOND_BOT_ID = "B0SETBACKN"
SECOND_ID_BASE = 500_000_000  # ids of the second workspace never meet the first's
CLEO = "U0CLEO"
DEV = "U0DEV"
NORTH_GENERAL = "C0NWGENERAL"
LAUNCHES = "C0NWLAUNCH"
SECOND_PEOPLE = (CLEO, DEV)


def seed(ws: Workspace) -> None:
    """Fill an empty workspace with the demo people and channels (and their DMs with the app)."""
    # Their display names are the names the page shows, as Slack's client shows them.
    ws.add_user(ADA, "ada", "Ada Lovelace", tz="Europe/London", display_name="Ada Lovelace")
    ws.add_user(BEN, "ben", "Ben Okafor", tz="America/New_York", display_name="Ben Okafor")
    ws.add_channel(GENERAL, "general", members=PEOPLE)
    ws.add_channel(RETROS, "team-retros", members=PEOPLE, bot_member=False)
    ws.add_channel(LEADS, "leads", is_private=True, members=PEOPLE, bot_member=False)
    for person in PEOPLE:
        ws.im_channel_for(person)


def seed_second(ws: Workspace) -> None:
    """Fill the second workspace: its own people and channels, the app not installed."""
    ws.add_user(CLEO, "cleo", "Cleo Achebe", tz="Africa/Lagos", display_name="Cleo Achebe")
    ws.add_user(DEV, "dev", "Dev Raman", tz="Asia/Kolkata", display_name="Dev Raman")
    ws.add_channel(NORTH_GENERAL, "general", members=SECOND_PEOPLE, bot_member=False)
    ws.add_channel(LAUNCHES, "launch-retros", members=SECOND_PEOPLE, bot_member=False)
