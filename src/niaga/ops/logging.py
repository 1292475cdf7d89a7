"""Structured JSON logs (structlog) with the request id bound per request. Event names are dotted."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

_configured = False


def configure_logging(level: str = "INFO", json_logs: bool = True, stream: TextIO | None = None) -> None:
    """Configure structlog and stdlib logging once per process; `stream` defaults to stderr."""
    global _configured
    if _configured:
        return
    _configured = True
    processors: list = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    renderer = (
        structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper(), logging.INFO)),
        logger_factory=structlog.PrintLoggerFactory(file=stream or sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        stream=stream or sys.stderr,
        format="%(levelname)s %(name)s %(message)s",
    )
    for noisy in ("huey", "huey.consumer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str = "niaga") -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
