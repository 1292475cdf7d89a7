"""Print-shop jobs. A worker process keeps one warm LibreOffice (render.default_converter) for all its jobs;
a bad file is a permanent failure with its Indonesian finding, never a retry loop."""

from __future__ import annotations

from pathlib import Path

from niaga.db.engine import session_scope
from niaga.jobs.registry import PermanentError, task
from niaga.printshop.errors import PrintshopInputError
from niaga.printshop.proclog import ProcessingLog, store_log

__all__ = ["intake_job"]


@task("printshop.intake", max_attempts=2, base_delay=10.0)
def intake_job(business_id: int, paths: list[str], out: str | None = None) -> str:
    """Take in an order's files, build the print-ready PDF and store every step in the processing log."""
    from niaga.printshop.intake import intake_order
    from niaga.printshop.render import default_converter

    log = ProcessingLog(", ".join(paths))
    try:
        result = intake_order(
            [Path(p) for p in paths], Path(out) if out else None, log=log, converter=default_converter()
        )
    except PrintshopInputError as exc:
        with session_scope() as db:
            store_log(db, business_id, log)
        raise PermanentError(exc.message) from exc
    with session_scope() as db:
        store_log(db, business_id, log)
    return f"{result['pages']} halaman -> {result['output']}"
