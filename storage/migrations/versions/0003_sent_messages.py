"""messages and files sent to a person, and file removals

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sent_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("setback_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("file_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["setback_id"], ["setback.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sent_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_message_setback_id"), ["setback_id"])
        batch_op.create_index("ix_sent_message_owner", ["team_id", "user_id"], unique=False)

    with op.batch_alter_table("message_removal", schema=None) as batch_op:
        batch_op.alter_column("ts", existing_type=sa.String(length=32), nullable=True)
        batch_op.add_column(sa.Column("thread_ts", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("file_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("message_removal", schema=None) as batch_op:
        batch_op.drop_column("file_id")
        batch_op.drop_column("thread_ts")
    # A queued file removal has no ts: it cannot survive the older schema.
    op.execute("DELETE FROM message_removal WHERE ts IS NULL")
    with op.batch_alter_table("message_removal", schema=None) as batch_op:
        batch_op.alter_column("ts", existing_type=sa.String(length=32), nullable=False)

    with op.batch_alter_table("sent_message", schema=None) as batch_op:
        batch_op.drop_index("ix_sent_message_owner")
        batch_op.drop_index(batch_op.f("ix_sent_message_setback_id"))
    op.drop_table("sent_message")
