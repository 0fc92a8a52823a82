"""The tables, in one place (docs/ARCHITECTURE.md, Data).

Every row carries `team_id`, and every query in the repositories is scoped by it. Free
text goes through `EncryptedText`/`EncryptedJSON`; times through `UTCDateTime`.

Every status and kind column has its values here, as a `StrEnum` next to its table, and
nowhere else: code compares and assigns members (``SetbackStatus.DRAFT``), never bare
strings. On disk they stay the plain strings they always were (a ``VARCHAR``: no
database enum type and no CHECK constraint, so a new value needs no migration); read
back, they are members again, and a member equals its string.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint, text
from sqlalchemy import Enum as SQLEnum
from sqlmodel import Field, SQLModel

from storage.types import EncryptedJSON, EncryptedText, UTCDateTime

if TYPE_CHECKING:

    class TableModel(SQLModel):
        """What the type checker knows of a table class: SQLAlchemy's declarative mapping
        gives each one its Core `Table` as ``__table__`` (what the prebuilt statements of
        `storage.drafts` and `storage.checkins` are written against), which SQLModel
        does not declare. At run time this is `SQLModel` itself."""

        __table__: ClassVar[Table]

else:
    TableModel = SQLModel


def _utc(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _one_of(
    values: type[StrEnum],
    default: StrEnum | None = None,
    *,
    length: int = 16,
    nullable: bool = False,
) -> Any:
    """A column holding one of ``values``: stored as its string in a ``VARCHAR(length)``
    (no database enum type, no constraint), read back as the member; writing a string
    that is not one of them fails before it reaches the database."""
    column_type = SQLEnum(
        values,
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )
    column: Column[str] = Column(column_type, nullable=nullable)
    if default is None and not nullable:
        return Field(sa_column=column)
    return Field(default=default, sa_column=column)


def _status_in(values: tuple[StrEnum, ...]) -> str:
    """``status IN (…)`` as SQL text, for a partial index's condition."""
    return "status IN ({})".format(", ".join(f"'{v.value}'" for v in values))


class Member(TableModel, table=True):
    """A person's preferences: time zone, working hours, workdays, pause."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_member_team_user"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    user_id: str = Field(max_length=32)
    tz: str | None = Field(default=None, max_length=64)  # from users.info
    tz_override: str | None = Field(default=None, max_length=64)
    tz_checked_at: datetime | None = _utc()
    work_start_min: int = Field(default=9 * 60)
    work_end_min: int = Field(default=17 * 60)
    workdays: str = Field(default="0,1,2,3,4", max_length=16)  # Monday=0
    paused_until: datetime | None = _utc()
    created_at: datetime | None = _utc(nullable=False)
    updated_at: datetime | None = _utc()


class SetbackStatus(StrEnum):
    """A reflection is a draft while its screens are answered, then complete; archiving
    puts it away (finished or not) and ends its check-ins."""

    DRAFT = "draft"
    COMPLETE = "complete"
    ARCHIVED = "archived"


FINISHED_SETBACKS = (SetbackStatus.COMPLETE, SetbackStatus.ARCHIVED)  # past drafts


class Setback(TableModel, table=True):
    """One reflection and its thread: the root every commitment and check-in hangs from."""

    __tablename__ = "setback"
    __table_args__ = (Index("ix_setback_owner", "team_id", "user_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    user_id: str = Field(max_length=32)
    status: SetbackStatus = _one_of(SetbackStatus, SetbackStatus.DRAFT)
    current_step: int = Field(default=0)
    title: str | None = Field(default=None, sa_column=Column(EncryptedText(), nullable=True))
    dm_channel: str | None = Field(default=None, max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32)
    summary_attempts: int = Field(default=0)
    safety_hold: bool = Field(default=False)  # crisis language met: never offered for sharing
    created_at: datetime | None = _utc(nullable=False)
    updated_at: datetime | None = _utc()
    completed_at: datetime | None = _utc()
    recap_posted_at: datetime | None = _utc()


class Reflection(TableModel, table=True):
    """The answers of one screen of one setback, as one encrypted JSON document."""

    __tablename__ = "reflection"
    __table_args__ = (UniqueConstraint("setback_id", "step", name="uq_reflection_step"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    setback_id: int = Field(foreign_key="setback.id", index=True, ondelete="CASCADE")
    step: int
    answers: Any = Field(default=None, sa_column=Column(EncryptedJSON(), nullable=False))
    updated_at: datetime | None = _utc()


class CommitmentKind(StrEnum):
    """What a commitment is: a repair to someone affected, an if-then plan, or reaching
    out for support."""

    AMENDS = "amends"
    GROWTH = "growth"
    SUPPORT = "support"


class CommitmentStatus(StrEnum):
    """Active until the person answers a check-in with Done or Let it go; cancelled when
    its setback is archived first."""

    ACTIVE = "active"
    DONE = "done"
    LET_GO = "let_go"
    CANCELLED = "cancelled"


CLOSED_COMMITMENTS = (CommitmentStatus.DONE, CommitmentStatus.LET_GO)  # closed by an answer


class Commitment(TableModel, table=True):
    """Something the person will do: a repair (amends), an if-then plan (growth), support."""

    __tablename__ = "commitment"
    __table_args__ = (UniqueConstraint("setback_id", "position", name="uq_commitment_position"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    setback_id: int = Field(foreign_key="setback.id", index=True, ondelete="CASCADE")
    position: int = Field(default=0)
    kind: CommitmentKind = _one_of(CommitmentKind)
    text: str = Field(sa_column=Column(EncryptedText(), nullable=False))
    done_definition: str | None = Field(
        default=None, sa_column=Column(EncryptedText(), nullable=True)
    )
    schedule: str = Field(default="default", max_length=32)
    status: CommitmentStatus = _one_of(CommitmentStatus, CommitmentStatus.ACTIVE)
    due_at: datetime | None = _utc()
    created_at: datetime | None = _utc(nullable=False)
    closed_at: datetime | None = _utc()


class CheckinKind(StrEnum):
    """Which wording a check-in gets: a growth plan's follow-up, a repair, support."""

    FOLLOWUP = "followup"
    AMENDS = "amends"
    SUPPORT = "support"


class CheckinStatus(StrEnum):
    """scheduled → claimed → sent → answered; a claimed row may go back to scheduled (a
    later slot, a retry), be cancelled (its plan ended) or fail (attempts exhausted or a
    permanent error). `storage.checkins` holds the protocol."""

    SCHEDULED = "scheduled"
    CLAIMED = "claimed"
    SENT = "sent"
    ANSWERED = "answered"
    CANCELLED = "cancelled"
    FAILED = "failed"


# Not sent yet: a plan change still applies to these; the claim's partial index holds them.
OPEN_CHECKINS = (CheckinStatus.SCHEDULED, CheckinStatus.CLAIMED)


class CheckinResponse(StrEnum):
    """The answers to a sent check-in. Done and Let it go close its commitment (as the
    `CommitmentStatus` of the same value); Snooze plans the check-in again."""

    DONE = "done"
    WORKING = "working"
    SNOOZED = "snoozed"
    LET_GO = "let_go"


class Checkin(TableModel, table=True):
    """One planned follow-up; the database, not the scheduler, is its source of truth."""

    __tablename__ = "checkin"
    __table_args__ = (
        # Only rows still to be sent: the claim's index stays small as history grows,
        # and recording a post (status → sent) adds nothing to it.
        Index(
            "ix_checkin_open",
            "due_at",
            postgresql_where=text(_status_in(OPEN_CHECKINS)),
            sqlite_where=text(_status_in(OPEN_CHECKINS)),
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    setback_id: int = Field(foreign_key="setback.id", index=True, ondelete="CASCADE")
    commitment_id: int = Field(foreign_key="commitment.id", index=True, ondelete="CASCADE")
    kind: CheckinKind = _one_of(CheckinKind, CheckinKind.FOLLOWUP)
    seq: int = Field(default=0)
    total: int = Field(default=1)
    due_at: datetime | None = _utc(nullable=False)
    status: CheckinStatus = _one_of(CheckinStatus, CheckinStatus.SCHEDULED)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _utc()
    attempts: int = Field(default=0)
    last_attempt_at: datetime | None = _utc()
    channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    response: CheckinResponse | None = _one_of(CheckinResponse, nullable=True)
    note: str | None = Field(default=None, sa_column=Column(EncryptedText(), nullable=True))
    error: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = _utc()
    answered_at: datetime | None = _utc()


class ShareStatus(StrEnum):
    """draft → queued (Post pressed) → posting → posted → deleted; or → failed, with
    nothing posted (a failed share can be edited and posted again)."""

    DRAFT = "draft"
    QUEUED = "queued"
    POSTING = "posting"
    POSTED = "posted"
    FAILED = "failed"
    DELETED = "deleted"


class Share(TableModel, table=True):
    """A blameless retro summary the author chose to post in a channel."""

    __tablename__ = "share"
    __table_args__ = (Index("ix_share_owner", "team_id", "user_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    setback_id: int = Field(foreign_key="setback.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    anonymous: bool = Field(default=False)
    status: ShareStatus = _one_of(ShareStatus, ShareStatus.DRAFT)
    posted_at: datetime | None = _utc()
    deleted_at: datetime | None = _utc()
    # The author's edited texts until posted (then cleared); the reflection stays unchanged.
    draft: Any = Field(default=None, sa_column=Column(EncryptedJSON(), nullable=True))
    error: str | None = Field(default=None, max_length=64)  # last Slack error, no user text
    extra_ts: str | None = Field(default=None, max_length=255)  # thread replies of a long post
    confirm_channel: str | None = Field(default=None, max_length=32)  # the author's DM
    confirm_ts: str | None = Field(default=None, max_length=32)  # confirmation with Delete
    created_at: datetime | None = _utc()
    updated_at: datetime | None = _utc()


class ProcessedEvent(TableModel, table=True):
    """Slack event ids already handled, so a retried delivery does nothing twice."""

    __tablename__ = "processed_event"

    event_id: str = Field(sa_column=Column(String(64), primary_key=True))
    team_id: str = Field(max_length=32)
    received_at: datetime | None = _utc(nullable=False, index=True)


class SafetyFlag(TableModel, table=True):
    """That crisis language was met, and when. Never the words themselves."""

    __tablename__ = "safety_flag"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    flagged_at: datetime | None = _utc(nullable=False)


class Workspace(TableModel, table=True):
    """A workspace the app is installed in: the org it belongs to (Enterprise Grid), when
    it was installed, and when it was uninstalled so housekeeping can erase its data
    after the grace period. Its tokens are the installation's (`SlackBot`)."""

    __tablename__ = "workspace"

    team_id: str = Field(sa_column=Column(String(32), primary_key=True))
    enterprise_id: str | None = Field(default=None, max_length=32, index=True)
    bot_user_id: str | None = Field(default=None, max_length=32)
    installed_at: datetime | None = _utc()
    uninstalled_at: datetime | None = _utc()


class HomeSeen(TableModel, table=True):
    """When a person last opened their App Home or used one of its buttons: Slack says
    when a Home is opened, never when it is closed, so a recent time stands for "open"
    and only then is the Home republished after a change (`bot.journal.presence`). One
    row a person, no content; erased with the person."""

    __tablename__ = "home_seen"

    team_id: str = Field(sa_column=Column(String(32), primary_key=True))
    user_id: str = Field(sa_column=Column(String(32), primary_key=True))
    seen_at: datetime | None = _utc(nullable=False)


class JobLease(TableModel, table=True):
    """Who runs a periodic job right now (housekeeping), so N replicas take turns."""

    __tablename__ = "job_lease"

    name: str = Field(sa_column=Column(String(64), primary_key=True))
    owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _utc()


TEAM_SCOPED_TABLES = (Member, Setback, Reflection, Commitment, Checkin, Share, SafetyFlag)


class MessageKind(StrEnum):
    """Which bot message a `MessageRemoval` takes down (for counting and logs)."""

    SHARE = "share"  # a shared retro, or one of its thread replies
    SHARE_CONFIRMATION = "share_confirmation"  # the DM confirming a share
    CHECKIN = "checkin"
    SUMMARY = "summary"  # the summary DM that starts a setback's thread
    RECAP = "recap"  # the growth recap in a setback's thread
    NOTICE = "notice"  # a short DM: a share's outcome, an answer to a reply
    EXPORT_FILE = "export_file"  # an export's file, and the message that shared it


class MessageRemoval(TableModel, table=True):
    """A bot message still to be taken down from Slack after the rows it came from were
    deleted: where it is, never what it said.

    Written in the same transaction as the deletion, so neither a crash between the
    deletion and the ``chat.delete`` calls nor an unreachable Slack can leave a deleted
    reflection's words behind; housekeeping retries what is left, and the row goes once
    Slack confirms (or says the message is gone already). It carries no user id: it
    must outlive the erasure of the person it belonged to.
    """

    __tablename__ = "message_removal"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel: str = Field(max_length=32)
    ts: str | None = Field(default=None, max_length=32)  # None for a file
    thread_ts: str | None = Field(default=None, max_length=32)  # the root it replies to
    file_id: str | None = Field(default=None, max_length=32)  # an export file
    kind: MessageKind = _one_of(MessageKind, length=24)
    attempts: int = Field(default=0)
    error: str | None = Field(default=None, max_length=64)  # Slack's code, no user text
    created_at: datetime | None = _utc(nullable=False)
    retry_at: datetime | None = _utc(nullable=False, index=True)


class SentMessage(TableModel, table=True):
    """A message or file the bot sent a person that no other row records: a recap, a
    notice (a share's outcome, an answer to a reply), an export's files. Where it is,
    never what it said, so erasing can take it down from Slack (`storage.erase`).

    A setback's rows carry its id and go with it; the rest (exports, a notice sent
    before the setback had a thread) go with the person.
    """

    __tablename__ = "sent_message"
    __table_args__ = (Index("ix_sent_message_owner", "team_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    setback_id: int | None = Field(
        default=None, foreign_key="setback.id", index=True, ondelete="CASCADE"
    )
    kind: MessageKind = _one_of(MessageKind, length=24)
    channel: str = Field(max_length=32)
    ts: str | None = Field(default=None, max_length=32)  # None for a file
    thread_ts: str | None = Field(default=None, max_length=32)  # the root it replies to
    file_id: str | None = Field(default=None, max_length=32)
    created_at: datetime | None = _utc(nullable=False)


# --- installations (OAuth installs: storage.installations) ---------------------------------


def _secret() -> Any:
    """A token or name: encrypted at rest, None when absent."""
    return Field(default=None, sa_column=Column(EncryptedText(), nullable=True))


class SlackBot(TableModel, table=True):
    """The bot token of one installation: a workspace's, or an org's (an org-wide install
    on Enterprise Grid: `is_enterprise_install`, no team). One row per installation
    (`install_key`, "enterprise:team"), rewritten by a reinstall and by token rotation,
    so no earlier token stays behind."""

    __tablename__ = "slack_bot"
    __table_args__ = (UniqueConstraint("install_key", name="uq_slack_bot_install"),)

    id: int | None = Field(default=None, primary_key=True)
    install_key: str = Field(max_length=80)
    app_id: str | None = Field(default=None, max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32, index=True)
    enterprise_name: str | None = _secret()
    team_id: str | None = Field(default=None, max_length=32, index=True)
    team_name: str | None = _secret()
    is_enterprise_install: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    bot_id: str | None = Field(default=None, max_length=32)
    bot_user_id: str | None = Field(default=None, max_length=32)
    bot_scopes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    bot_token: str = Field(sa_column=Column(EncryptedText(), nullable=False))
    bot_refresh_token: str | None = _secret()  # only with token rotation
    bot_token_expires_at: datetime | None = _utc()
    installed_at: datetime | None = _utc(nullable=False)


class SlackInstallation(TableModel, table=True):
    """The rest of one installation, per person who installed it: their user token
    (none with bot scopes only), scopes, the incoming webhook. Its bot token is the
    installation's `SlackBot`. The installer is `installer_user_id` (not `user_id`:
    this row belongs to the workspace, and erasing a person does not uninstall it)."""

    __tablename__ = "slack_installation"
    __table_args__ = (
        UniqueConstraint("install_key", "installer_user_id", name="uq_slack_installation_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    install_key: str = Field(max_length=80, index=True)
    installer_user_id: str = Field(max_length=32)
    app_id: str | None = Field(default=None, max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    enterprise_name: str | None = _secret()
    enterprise_url: str | None = _secret()
    team_id: str | None = Field(default=None, max_length=32)
    team_name: str | None = _secret()
    is_enterprise_install: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    token_type: str | None = Field(default=None, max_length=16)
    user_token: str | None = _secret()
    user_scopes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    user_refresh_token: str | None = _secret()
    user_token_expires_at: datetime | None = _utc()
    incoming_webhook_url: str | None = _secret()
    incoming_webhook_channel: str | None = _secret()
    incoming_webhook_channel_id: str | None = Field(default=None, max_length=32)
    incoming_webhook_configuration_url: str | None = _secret()
    installed_at: datetime | None = _utc(nullable=False)


class OAuthState(TableModel, table=True):
    """An "Add to Slack" in progress: the SHA-256 of its state parameter (never the
    state itself) and when it expires; consumed at most once."""

    __tablename__ = "oauth_state"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    expires_at: datetime | None = _utc(nullable=False, index=True)
