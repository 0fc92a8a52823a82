"""installations through Slack's OAuth: bot tokens, installers, OAuth states

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

`workspace.bot_token` was never written (the one token came from the environment); the
tokens of OAuth installs live in `slack_bot` and `slack_installation`, so it goes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=32), nullable=True)


def _secret(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=True)  # ciphertext (EncryptedText)


def upgrade() -> None:
    op.create_table(
        "oauth_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("state_hash"),
    )
    with op.batch_alter_table("oauth_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_state_expires_at"), ["expires_at"])

    op.create_table(
        "slack_bot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("install_key", sa.String(length=80), nullable=False),
        _id("app_id"),
        _id("enterprise_id"),
        _secret("enterprise_name"),
        _id("team_id"),
        _secret("team_name"),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        _id("bot_id"),
        _id("bot_user_id"),
        sa.Column("bot_scopes", sa.Text(), nullable=True),
        sa.Column("bot_token", sa.Text(), nullable=False),
        _secret("bot_refresh_token"),
        sa.Column("bot_token_expires_at", sa.DateTime(), nullable=True),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("install_key", name="uq_slack_bot_install"),
    )
    with op.batch_alter_table("slack_bot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_bot_enterprise_id"), ["enterprise_id"])
        batch_op.create_index(batch_op.f("ix_slack_bot_team_id"), ["team_id"])

    op.create_table(
        "slack_installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("install_key", sa.String(length=80), nullable=False),
        sa.Column("installer_user_id", sa.String(length=32), nullable=False),
        _id("app_id"),
        _id("enterprise_id"),
        _secret("enterprise_name"),
        _secret("enterprise_url"),
        _id("team_id"),
        _secret("team_name"),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("token_type", sa.String(length=16), nullable=True),
        _secret("user_token"),
        sa.Column("user_scopes", sa.Text(), nullable=True),
        _secret("user_refresh_token"),
        sa.Column("user_token_expires_at", sa.DateTime(), nullable=True),
        _secret("incoming_webhook_url"),
        _secret("incoming_webhook_channel"),
        _id("incoming_webhook_channel_id"),
        _secret("incoming_webhook_configuration_url"),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("install_key", "installer_user_id", name="uq_slack_installation_user"),
    )
    with op.batch_alter_table("slack_installation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_installation_install_key"), ["install_key"])

    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workspace_enterprise_id"), ["enterprise_id"])
        batch_op.drop_column("bot_token")


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bot_token", sa.Text(), nullable=True))
        batch_op.drop_index(batch_op.f("ix_workspace_enterprise_id"))

    with op.batch_alter_table("slack_installation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_installation_install_key"))
    op.drop_table("slack_installation")

    with op.batch_alter_table("slack_bot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_bot_team_id"))
        batch_op.drop_index(batch_op.f("ix_slack_bot_enterprise_id"))
    op.drop_table("slack_bot")

    with op.batch_alter_table("oauth_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_state_expires_at"))
    op.drop_table("oauth_state")
