"""Schemathesis over the whole OpenAPI, in process (ASGI), as an owner of business A with demo-like data.

Every operation gets `examples` positive cases (valid by the schema: anything but a 5xx is fine) and
`examples` negative cases (invalid by the schema: anything 2xx is invalid input accepted). Used bounded by
tests/security/test_schemathesis.py and at full size by bench/schemathesis_bench.py."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Streams never end by themselves; the rest of the API is fuzzed.
SKIP_PATHS = ("/events",)


@dataclass
class FuzzReport:
    operations: int = 0
    cases: Counter = field(default_factory=Counter)  # by generation mode
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    accepted_invalid: list[str] = field(default_factory=list)
    seconds: float = 0.0
    slowest: list[tuple[float, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"schemathesis: {self.operations} operations, {sum(self.cases.values())} cases "
            f"({dict(self.cases)}), {len(self.server_errors)} server errors, "
            f"{len(self.accepted_invalid)} invalid inputs accepted, {self.seconds:.1f} s; "
            f"statuses {dict(sorted(self.statuses.items(), key=str))}"
        )


def run(
    app: Any, headers: dict[str, str], *, examples: int = 3, seed: int = 11, full: bool = False
) -> FuzzReport:
    import schemathesis
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    report = FuzzReport()
    started = time.perf_counter()
    for result in schema.get_all_operations():
        op = result.ok()
        if any(op.path.endswith(s) for s in SKIP_PATHS):
            continue
        report.operations += 1
        has_input = bool(list(op.query)) or bool(list(op.body))
        # Negative cases where the operation takes a body or a query (path-only operations answer a bad id
        # with 404/422 by routing; generating negative path values is slow and finds nothing new).
        modes = (
            (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            if has_input or full
            else (GenerationMode.POSITIVE,)
        )
        for mode in modes:
            t0 = time.perf_counter()
            probe = _probe(op, mode, headers, report, examples, seed)
            try:
                probe()
            except (Exception, BaseExceptionGroup) as exc:  # unsatisfiable schemas: counted, never hidden
                report.statuses[f"gen-error:{type(exc).__name__}"] += 1
                if os.environ.get("NIAGA_FUZZ_DEBUG"):
                    raise
            report.slowest.append((time.perf_counter() - t0, f"{mode.value} {op.method.upper()} {op.path}"))
    report.seconds = time.perf_counter() - started
    report.slowest = sorted(report.slowest, reverse=True)[:8]
    return report


def _probe(op: Any, mode: Any, headers: dict[str, str], report: FuzzReport, examples: int, seed: int) -> Any:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from schemathesis import GenerationMode
    from schemathesis.checks import negative_data_rejection, not_a_server_error

    label = f"{mode.value} {op.method.upper()} {op.path}"
    checks = [not_a_server_error] + ([negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])

    @hseed(seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=op.as_strategy(generation_mode=mode))
    def probe(case: Any) -> None:
        report.cases[mode.value] += 1
        response = case.call(headers=headers)
        report.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # every failure collected; the test asserts on them
            where = f"{label} -> {response.status_code}: {str(exc).strip().splitlines()[0][:160]}"
            where += f" | query={case.query} body={str(case.body)[:160]}"
            (report.server_errors if response.status_code >= 500 else report.accepted_invalid).append(where)

    return probe
