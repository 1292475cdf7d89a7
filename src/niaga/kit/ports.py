"""Ports: a domain names what it needs from the outside world (send a chat message, send an email, create a
payment link, call a language model) and the provider adapters in `niaga.integrations` register their
implementations here at start-up (`niaga.integrations.registry`). A domain therefore never imports a
provider, and a missing adapter is a loud `PortMissing` error, never a silent no-op."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class PortMissing(LookupError):
    """No adapter is registered under this key (a provider kind without its adapter)."""


class Port(Generic[T]):
    """A named table key -> implementation, filled by `niaga.integrations.registry`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._impls: dict[str, T] = {}

    def register(self, key: str, impl: T) -> None:
        self._impls[key] = impl

    def get(self, key: str) -> T:
        if key not in self._impls:
            _start_up()
        try:
            return self._impls[key]
        except KeyError:
            raise PortMissing(
                f"no {self.name} adapter registered for {key!r} (see niaga.integrations.registry)"
            ) from None

    def __contains__(self, key: object) -> bool:
        return key in self._impls

    def __iter__(self) -> Iterator[str]:
        return iter(self._impls)


def _start_up() -> None:
    """Load the start-up tables (processes that skipped start-up, e.g. a test calling a service directly).
    Named, not imported, so that `kit` stays the bottom layer."""
    importlib.import_module("niaga.jobs.registry").load_all()
