"""Append-only logs of human decisions on pipeline findings (anomaly events, savings
opportunities): who changed what to which status, with a note; the latest entry per id wins.

One implementation for every such workflow, so that they share the same input bounds and the same
guarantee: a re-run of the pipeline never overwrites a person's decision (one new file per write,
see ``store.append_log``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from models_ml import store

MAX_BY = 200
MAX_NOTE = 2000
MAX_ID = 200


def check_person_and_note(by: str, note: str, error: type[ValueError]) -> tuple[str, str]:
    """The stripped ``by`` and ``note`` after the bounds every decision log shares."""
    if not by.strip() or len(by) > MAX_BY:
        raise error(f"say who decides (by), at most {MAX_BY} characters")
    if len(note) > MAX_NOTE:
        raise error(f"the note is longer than {MAX_NOTE} characters")
    return by.strip(), note.strip()


@dataclass(frozen=True)
class StatusLog:
    """A decision log: ``table`` in the lake's ml area, keyed by ``id_column``."""

    table: str
    id_column: str
    statuses: tuple[str, ...]
    noun: str
    error: type[ValueError]
    # status -> the message when that status is set without a note
    note_required: Mapping[str, str] = field(default_factory=dict)

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {
            self.id_column: pl.String(),
            "status": pl.String(),
            "changed_by": pl.String(),
            "note": pl.String(),
            "changed_at": pl.Datetime("us", "UTC"),
        }

    def record(
        self,
        lake_root: str,
        record_id: str,
        status: str,
        by: str,
        note: str = "",
        known_ids: set[str] | None = None,
    ) -> dict[str, object]:
        """Append one decision; ids are checked against ``known_ids`` when given."""
        if status not in self.statuses:
            raise self.error(
                f"status must be one of {', '.join(self.statuses)}, not {status[:40]!r}"
            )
        by, note = check_person_and_note(by, note, self.error)
        if status in self.note_required and not note:
            raise self.error(self.note_required[status])
        if not record_id or len(record_id) > MAX_ID:
            raise self.error(f"a {self.noun} id has 1 to {MAX_ID} characters")
        if known_ids is not None and record_id not in known_ids:
            raise self.error(f"no {self.noun} {record_id[:40]!r}")
        row: dict[str, object] = {
            self.id_column: record_id,
            "status": status,
            "changed_by": by,
            "note": note,
            "changed_at": dt.datetime.now(dt.UTC),
        }
        store.append_log(lake_root, self.table, pl.DataFrame([row], schema=self.schema))
        return row

    def latest(self, lake_root: str) -> pl.DataFrame:
        """The current row per id (latest change wins); empty with the schema when none."""
        log = store.read_table(lake_root, self.table, self.schema)
        if log.is_empty():
            return log
        return log.sort("changed_at").group_by(self.id_column).last()
