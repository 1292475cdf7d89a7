"""A record's status as a small state machine: the allowed moves, the check with an Indonesian message, and
the guarded move itself (an UPDATE conditional on the status the caller saw, so two processes moving the
same record cannot both win). Orders and print jobs use it; their side effects stay with them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from niaga.db.engine import affected
from niaga.kit.errors import Conflict, ValidationFailed


@dataclass(frozen=True)
class StateMachine:
    noun: str  # how a message names the record: "Pesanan", "Pesanan cetak"
    transitions: Mapping[str, frozenset[str]]
    labels: Mapping[str, str]  # Indonesian name of each status

    def label(self, status: str) -> str:
        return self.labels.get(status, status)

    def check(self, *, number: str, status: str, to: str) -> None:
        """ValidationFailed for a status that does not exist, Conflict for a move not allowed from `status`."""
        if to not in self.transitions:
            raise ValidationFailed("Status tidak dikenal.", code="invalid_status", details={"to": to})
        if to not in self.transitions.get(status, frozenset()):
            raise Conflict(
                f"{self.noun} {number} berstatus {self.label(status)}, tidak bisa diubah menjadi "
                f"{self.label(to)}.",
                code="invalid_transition",
                details={"from": status, "to": to},
            )

    def move(self, db: Session, row: Any, *, number: str, values: Mapping[str, Any]) -> None:
        """Write `values` (the new status among them) to `row` only if its status is still the one loaded.
        When another process moved it first the row is reloaded and Conflict is raised. The loaded row takes
        the values as its committed state (no second UPDATE of the same row at flush)."""
        db.flush()  # as an ORM statement would (autoflush): pending writes go first
        moved = affected(
            db.execute(
                _move_statement(type(row), tuple(values)),
                {
                    "_id": row.id,
                    "_business_id": row.business_id,
                    "_status": row.status,
                    **{"v_" + k: v for k, v in values.items()},
                },
            )
        )
        if not moved:
            db.refresh(row)
            raise Conflict(
                f"{self.noun} {number} baru saja berubah status ({self.label(row.status)}).",
                code="status_changed",
            )
        for key, value in values.items():
            set_committed_value(row, key, value)


# One guarded UPDATE per (table, columns written), built once: building and cache-keying the statement on
# every move cost more than running it.
_MOVES: dict[tuple[Any, tuple[str, ...]], Any] = {}


def _move_statement(model: Any, keys: tuple[str, ...]) -> Any:
    stmt = _MOVES.get((model, keys))
    if stmt is None:
        t = model.__table__
        stmt = (
            sa.update(t)
            .where(
                t.c.id == sa.bindparam("_id"),
                t.c.business_id == sa.bindparam("_business_id"),
                t.c.status == sa.bindparam("_status"),
            )
            .values({k: sa.bindparam("v_" + k) for k in keys})
        )
        _MOVES[(model, keys)] = stmt
    return stmt
