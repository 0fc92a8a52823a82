"""Key rotation: re-encrypt every encrypted value under the first configured key.

To rotate, an operator prepends a new key to SETBACK_ENCRYPTION_KEYS (the old ones stay
so everything still decrypts), runs `setback keys rotate`, and can then drop the old
keys. The encrypted columns are found from the schema by their column type, so a column
added later is rotated too. Work goes table by table in primary-key batches, one
transaction per batch, reading and writing the raw tokens (never the plain text);
tokens already under the first key are skipped, so an interrupted run simply resumes.
Each write is a compare-and-set on the old token, so a value the app changed meanwhile
is left as the app wrote it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from cryptography.fernet import InvalidToken
from sqlalchemy import Column, Engine, Table, Text, func, or_, select, type_coerce, update
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - registers every table in the metadata
from storage import crypto
from storage.db import session_scope
from storage.types import EncryptedJSON, EncryptedText

BATCH_SIZE = 500

Progress = Callable[[int, int, str], None]
"""Called after each batch with (rows done, rows in total, table name)."""


@dataclass
class RotationStats:
    """What a run did: rows looked at, values re-encrypted, per table; and whether it ran
    to the end (False when stopped by `max_batches`)."""

    rows: int = 0
    rotated: int = 0
    per_table: dict[str, int] = field(default_factory=dict)
    complete: bool = True


def encrypted_columns() -> Iterator[tuple[Table, list[Column[Any]]]]:
    """Every table with encrypted columns, and those columns, in schema order."""
    for table in SQLModel.metadata.sorted_tables:
        cols = [c for c in table.columns if isinstance(c.type, EncryptedText | EncryptedJSON)]
        if cols:
            yield table, cols


def _pk(table: Table) -> Column[Any]:
    cols = list(table.primary_key.columns)
    if len(cols) != 1:
        raise ValueError(f"table {table.name} needs a single-column primary key to rotate")
    return cols[0]


def _raw(col: Column[Any]) -> Any:
    """The column as stored text: the encrypted type's conversion is bypassed."""
    return type_coerce(col, Text())


def _count(engine: Engine, table: Table, cols: list[Column[Any]]) -> int:
    with session_scope(engine, readonly=True) as s:
        query = select(func.count()).select_from(table)
        return int(s.execute(query.where(or_(*[c.is_not(None) for c in cols]))).scalar_one())


def _rotated(table: Table, col: Column[Any], key: Any, token: str) -> str:
    try:
        return crypto.rotate_token(token)
    except InvalidToken:
        raise crypto.KeyringError(
            f"a value in {table.name}.{col.name} (row {key}) cannot be decrypted with any key "
            "in SETBACK_ENCRYPTION_KEYS; add back the key it was written with and run again"
        ) from None


def _batch(
    engine: Engine, table: Table, cols: list[Column[Any]], after: Any, size: int
) -> tuple[int, int, Any]:
    """Rotate one batch after primary key `after`: (rows read, values rotated, last key)."""
    pk = _pk(table)
    query = select(pk, *[_raw(c) for c in cols]).where(or_(*[c.is_not(None) for c in cols]))
    if after is not None:
        query = query.where(pk > after)
    rotated = 0
    with session_scope(engine) as s:
        rows = s.execute(query.order_by(pk).limit(size)).all()
        for row in rows:
            key = row[0]
            for col, token in zip(cols, row[1:], strict=True):
                if token is None or crypto.is_primary(token):
                    continue
                new = _rotated(table, col, key, token)
                s.execute(
                    update(table)
                    .where(pk == key, _raw(col) == token)
                    .values({col.name: type_coerce(new, Text())})
                )
                rotated += 1
    return len(rows), rotated, (rows[-1][0] if rows else after)


def rotate(
    engine: Engine,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    max_batches: int | None = None,
) -> RotationStats:
    """Re-encrypt every encrypted column under the first key (see the module docstring).

    `max_batches` stops after that many batches (committed) with `complete=False`; a
    later run picks up what is left.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    plan = list(encrypted_columns())
    total = sum(_count(engine, table, cols) for table, cols in plan)
    stats = RotationStats()
    batches = 0
    for table, cols in plan:
        after: Any = None
        while True:
            if max_batches is not None and batches >= max_batches:
                stats.complete = False
                return stats
            read, rotated, after = _batch(engine, table, cols, after, batch_size)
            batches += 1
            stats.rows += read
            stats.rotated += rotated
            stats.per_table[table.name] = stats.per_table.get(table.name, 0) + rotated
            if progress is not None:
                progress(min(stats.rows, total), total, table.name)
            if read < batch_size:
                break
    return stats


class TextBar:
    """A one-line progress bar for a terminal (stderr by default, so stdout stays clean)."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width

    def __call__(self, done: int, total: int, label: str) -> None:
        share = done / total if total else 1.0
        filled = int(self.width * share)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {share:4.0%} {done}/{total} rows ({label})   ")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
