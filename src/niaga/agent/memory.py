"""A conversation's memory between turns, typed.

Stored as JSON in `Conversation.memory`. `ConversationMemory.from_dict` reads every form stored so far
(the free-form dict of earlier versions, with string ids, missing keys or keys this version does not know,
which are kept as they were in `extra`); `to_dict` writes the same flat form, leaving out what is unset, so
older code and the dashboard keep reading it.

Who writes what: the turn (agent/service.py) keeps the language, turn count, unanswered count, last intent,
city and staff-message cursor; the replies (agent/replies.py) return their changes as `Outcome.memory`
(a mapping of field names, None removing the value) which the turn applies with `update`; staff takeover and
handback (messaging/service.py) reset `unanswered` and `handoff_notified` on the stored dict.

The mapping methods (`get`, `[]`, `setdefault`, `pop`, `in`) serve code still written against the dict
form; new code reads and writes the attributes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from niaga.agent.enums import Intent


def _int_list(v: Any) -> list[int]:
    out = []
    for x in v or []:
        try:
            out.append(int(x))
        except (TypeError, ValueError):
            continue
    return out


def _opt_str(v: Any) -> str | None:
    return str(v) if v not in (None, "") else None


def _opt_dict(v: Any) -> dict[str, Any] | None:
    return dict(v) if isinstance(v, Mapping) else None


def _intent(v: Any) -> Intent | None:
    try:
        return Intent(v) if v else None
    except ValueError:
        return None


def _int(v: Any) -> int:
    try:
        return int(v or 0)
    except (TypeError, ValueError):
        return 0


# How each stored value is read back (the old dict form had strings where ids were meant, etc.).
_READ: dict[str, Any] = {
    "lang": _opt_str,
    "turns": _int,
    "unanswered": _int,
    "last_intent": _intent,
    "city": _opt_str,
    "focus": _int_list,
    "focus_skus": lambda v: [str(x) for x in v or []],
    "draft": _opt_dict,
    "quotes": _opt_dict,
    "print_spec": _opt_dict,
    "last_order": _opt_str,
    "complaint_order": _opt_str,
    "seen_staff_id": _int,
    "handoff_notified": bool,
}


# Counters the stored form always carries (the dashboard and staff takeover read them).
_ALWAYS = ("turns", "unanswered")


@dataclass
class ConversationMemory:
    lang: str | None = None  # the language of the last message ("id", "en")
    turns: int = 0  # turns answered (or recorded while staff own the conversation)
    unanswered: int = 0  # replies in a row that did not answer; at the business's threshold staff take over
    last_intent: Intent | None = None
    city: str | None = None  # the last destination city named
    focus: list[int] = field(default_factory=list)  # product ids a follow-up ("harganya?") refers to
    focus_skus: list[str] = field(default_factory=list)
    draft: dict[str, Any] | None = None  # the order being put together (items, ship, awaiting slot)
    quotes: dict[str, Any] | None = None  # amounts quoted last turn (shipping options, totals)
    print_spec: dict[str, Any] | None = None  # the print request being discussed
    last_order: str | None = None  # the number of the order confirmed in this conversation
    complaint_order: str | None = None  # the order attached to the last complaint
    seen_staff_id: int = 0  # the last staff message taken into memory
    handoff_notified: bool = False  # staff were told about the handoff already
    extra: dict[str, Any] = field(default_factory=dict)  # stored keys this version does not know

    # --- serialisation ----------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> ConversationMemory:
        mem = cls()
        for k, v in (raw or {}).items():
            if k in _READ:
                setattr(mem, k, _READ[k](v))
            elif k != "extra":
                mem.extra[k] = v
        return mem

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        default = ConversationMemory()
        for f in fields(self):
            if f.name == "extra":
                continue
            v = getattr(self, f.name)
            if v != getattr(default, f.name) or f.name in _ALWAYS:
                out[f.name] = str(v) if isinstance(v, Intent) else v
        return out

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply a reply's changes: a value sets the field, None clears it."""
        for k, v in changes.items():
            if v is None:
                self.pop(k, None)
            else:
                self[k] = v

    # --- the dict form, for callers written against it --------------------------------------------

    def _known(self, key: str) -> bool:
        return key in _READ

    def __getitem__(self, key: str) -> Any:
        if self._known(key):
            return getattr(self, key)
        return self.extra[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if self._known(key):
            setattr(self, key, _READ[key](value))
        else:
            self.extra[key] = value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.to_dict()

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def get(self, key: str, default: Any = None) -> Any:
        if self._known(key):
            v = getattr(self, key)
            return default if v in (None, [], {}) else v
        return self.extra.get(key, default)

    def setdefault(self, key: str, value: Any) -> Any:
        if self.get(key) is None:
            self[key] = value
        return self[key]

    def pop(self, key: str, default: Any = None) -> Any:
        if self._known(key):
            v = getattr(self, key)
            setattr(self, key, _READ[key](None))
            return v
        return self.extra.pop(key, default)
