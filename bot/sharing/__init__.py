"""Sharing a blameless retro summary in a channel.

The author opts in per finished setback, picks a channel they are in and the parts to
share, sees a preview with the blameless language check, and posts; later they can
delete the post. Every service function takes the acting team + user and re-checks that
they own the setback and the share a payload names; a mismatch looks like "gone".

The modules, in the order a share goes through them:

* `draft` — the core types: the parts that can be shared, the modal's metadata, the
  draft, the post's messages.
* `offer` — what may be offered (never feelings, apology drafts or support), and
  opening the modal.
* `compose` — compose, preview, edit, back, resume, discard, and the safety hold.
* `channels` — whether the author and the app can post in a channel.
* `post` — Post pressed: the claim, then the post after the modal has answered.
* `settle` — how a post ends: recorded and confirmed, or failed and the author told.
* `recovery` — posts found again by their metadata; shares whose post was interrupted.
* `delete` — deleting a shared summary.
* `outcome` — the answer to a view submission, and the problems a post can meet.
* `views` — the Block Kit: the modal's screens, the channel post, the author's DMs.
"""
