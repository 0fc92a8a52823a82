"""Delete everything asks Slack only what Slack will do: each message is deleted once
(an export's message shares two files, yet goes once), and nothing in the ordinary path
is refused — no "Slack refused chat.delete" for a message we had just removed."""

from __future__ import annotations

from collections import Counter

from tests.integration.harness import ADA
from tests.integration.test_erase_everything_sent import (
    erase_with_the_defaults,
    h_ids,
    reach_the_recap,
)
from tests.integration.test_export import export_files, file_messages
from tests.integration.test_home import add_share


def test_delete_everything_deletes_each_message_once_and_is_never_refused(harness) -> None:
    h = harness
    reach_the_recap(h)
    (sid,) = h_ids(h)
    add_share(h, ADA, sid, replies=1)
    for n in (1, 2):
        h.command(ADA, "export")
        export_files(h, ADA, count=n)
    shared = [m["ts"] for m in file_messages(h, ADA)]
    assert len(shared) == 2 and all(len(m["files"]) == 2 for m in file_messages(h, ADA))
    before = len(h.ws.calls)
    refused_before = len(h.ws.rejections)

    erase_with_the_defaults(h)

    calls = h.ws.calls[before:]
    deletes = Counter(c["params"]["ts"] for c in calls if c["method"] == "chat.delete")
    assert deletes, "messages were deleted"
    assert [ts for ts, n in deletes.items() if n > 1] == [], "each message is deleted once"
    assert all(deletes[ts] == 1 for ts in shared), "each export message goes, once"
    files = Counter(c["params"]["file"] for c in calls if c["method"] == "files.delete")
    assert len(files) == 4 and set(files.values()) == {1}
    assert [(c["method"], c["error"]) for c in calls if not c["ok"]] == []
    assert h.ws.rejections[refused_before:] == [], "Slack refused nothing"
