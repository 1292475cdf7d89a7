"""Processing log: every step of a document's run (step, duration, findings, outputs), so staff can see what
was changed and why. Kept in memory during a run, returned in every command's JSON and, for orders, stored in
`printshop_processing_steps` (see models.py / store_log)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from niaga.printshop.errors import PrintshopInputError


@dataclass
class Step:
    step: str
    params: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    status: str = "ok"
    duration_ms: float = 0.0

    def as_dict(self) -> dict:
        d: dict[str, Any] = {
            "step": self.step,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 1),
            "findings": [f for f in self.findings if f],
            "outputs": self.outputs,
        }
        if self.params:
            d["params"] = self.params
        return d


@dataclass
class ProcessingLog:
    subject: str
    steps: list = field(default_factory=list)

    @contextmanager
    def step(self, name: str, **params: Any) -> Iterator[Step]:
        st = Step(name, params=params)
        self.steps.append(st)
        t0 = time.perf_counter()
        try:
            yield st
        except PrintshopInputError as exc:
            st.status = "rejected"
            st.findings.append(exc.message)
            raise
        except Exception as exc:
            st.status = "error"
            st.findings.append(f"{type(exc).__name__}: {exc}")
            raise
        finally:
            st.duration_ms = (time.perf_counter() - t0) * 1000

    def as_list(self) -> list:
        return [s.as_dict() for s in self.steps]


def store_log(session: Any, business_id: int, log: ProcessingLog, document: str | None = None) -> int:
    """Persist a run's steps; returns the number of rows written."""
    from niaga.printshop.models import ProcessingStep

    for n, st in enumerate(log.steps):
        session.add(
            ProcessingStep(
                business_id=business_id,
                document=document or log.subject,
                seq=n,
                step=st.step,
                status=st.status,
                duration_ms=round(st.duration_ms),
                findings=[f for f in st.findings if f],
                outputs=st.outputs,
                params=st.params,
            )
        )
    session.flush()
    return len(log.steps)
