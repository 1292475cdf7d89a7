"""Findings about a customer's file that stop processing: always a clear Indonesian message, never a crash."""

from __future__ import annotations


class PrintshopInputError(Exception):
    """A file that cannot be processed. `code` is stable for programs, `message` is for staff and customers."""

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def as_finding(self) -> dict:
        return {"error": self.code, "message": self.message, **self.details}
