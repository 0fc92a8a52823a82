"""The demo workspace a newcomer starts in: two people, three channels, the app installed.

Ada is signed in; Ben is the second person the user switcher offers, to show that one
person's reflections are invisible to another. The channels cover the cases sharing must
handle: ``#general`` (the app is a member), ``#team-retros`` (public, the app is not a
member yet, so it must join) and ``#leads`` (private, the app is not a member, so it
cannot post there until someone invites it).
"""

from sandbox.workspace import Workspace

ADA = "U0ADA"
BEN = "U0BEN"
GENERAL = "C0GENERAL"
RETROS = "C0RETROS"
LEADS = "G0LEADS"
PEOPLE = (ADA, BEN)


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
