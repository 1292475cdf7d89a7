"""A small IPP/1.1 client (RFC 8010/8011) over httpx: Print-Job, Get-Job-Attributes, Get-Jobs,
Get-Printer-Attributes and Cancel-Job, which is all niaga needs to drive a CUPS queue or an IPP Everywhere
printer. Written here rather than shelling out to `lp`/`ipptool` so that errors are typed (offline vs a
refused job) and job ids come back as data.

Errors: `IppUnreachable` (connection refused/timeout: the printer may come back) and `IppError` (the printer
answered with an error status; `permanent` when retrying the same request cannot help)."""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

# operations
PRINT_JOB = 0x0002
CANCEL_JOB = 0x0008
GET_JOB_ATTRIBUTES = 0x0009
GET_JOBS = 0x000A
GET_PRINTER_ATTRIBUTES = 0x000B

# delimiter tags
_OPERATION, _JOB, _END, _PRINTER, _UNSUPPORTED_GROUP = 0x01, 0x02, 0x03, 0x04, 0x05
# value tags
T_INTEGER, T_BOOLEAN, T_ENUM = 0x21, 0x22, 0x23
T_OCTETS, T_DATETIME, T_RESOLUTION, T_RANGE = 0x30, 0x31, 0x32, 0x33
T_BEG_COLLECTION, T_END_COLLECTION, T_MEMBER = 0x34, 0x37, 0x4A
T_TEXT, T_NAME, T_KEYWORD, T_URI, T_CHARSET, T_LANGUAGE, T_MIME = 0x41, 0x42, 0x44, 0x45, 0x47, 0x48, 0x49

JOB_STATES = {
    3: "pending",
    4: "pending-held",
    5: "processing",
    6: "processing-stopped",
    7: "canceled",
    8: "aborted",
    9: "completed",
}
PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}

_request_ids = itertools.count(1)


class IppUnreachable(Exception):
    """The printer did not answer (refused, reset, timed out): it may be off or unplugged."""


class IppError(Exception):
    """The printer answered with an error status."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(f"IPP status 0x{status:04x}{': ' + message if message else ''}")
        self.status = status
        self.message = message

    @property
    def not_found(self) -> bool:
        return self.status == 0x0406

    @property
    def permanent(self) -> bool:
        # 0x04xx client errors are about the request itself (bad format, unsupported attribute value),
        # except "not accepting jobs"-like conditions the printer recovers from; 0x05xx are server trouble.
        return 0x0400 <= self.status < 0x0500 and self.status not in (0x0400, 0x0406)


@dataclass
class Attr:
    tag: int
    values: list[Any]


@dataclass
class IppResponse:
    status: int
    request_id: int
    groups: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def group(self, tag: int) -> list[dict[str, Any]]:
        return [g for t, g in self.groups if t == tag]

    @property
    def operation(self) -> dict[str, Any]:
        found = self.group(_OPERATION)
        return found[0] if found else {}

    @property
    def jobs(self) -> list[dict[str, Any]]:
        return self.group(_JOB)

    @property
    def printer(self) -> dict[str, Any]:
        found = self.group(_PRINTER)
        return found[0] if found else {}


# --- encoding ---------------------------------------------------------------------------------------


def _encode_value(tag: int, value: Any) -> bytes:
    if tag in (T_INTEGER, T_ENUM):
        return struct.pack(">i", int(value))
    if tag == T_BOOLEAN:
        return b"\x01" if value else b"\x00"
    if tag == T_RANGE:
        low, high = value
        return struct.pack(">ii", int(low), int(high))
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


def encode_attr(name: str, tag: int, values: Any) -> bytes:
    if not isinstance(values, list):
        values = [values]
    out = bytearray()
    for i, v in enumerate(values):
        key = name.encode("ascii") if i == 0 else b""
        data = _encode_value(tag, v)
        out += struct.pack(">BH", tag, len(key)) + key + struct.pack(">H", len(data)) + data
    return bytes(out)


def encode_request(
    operation: int,
    operation_attrs: Iterable[tuple[str, int, Any]],
    job_attrs: Iterable[tuple[str, int, Any]] = (),
    *,
    request_id: int | None = None,
) -> bytes:
    rid = request_id if request_id is not None else next(_request_ids)
    out = bytearray(struct.pack(">BBHi", 1, 1, operation, rid))
    out.append(_OPERATION)
    out += encode_attr("attributes-charset", T_CHARSET, "utf-8")
    out += encode_attr("attributes-natural-language", T_LANGUAGE, "en")
    for name, tag, value in operation_attrs:
        out += encode_attr(name, tag, value)
    job_attrs = list(job_attrs)
    if job_attrs:
        out.append(_JOB)
        for name, tag, value in job_attrs:
            out += encode_attr(name, tag, value)
    out.append(_END)
    return bytes(out)


# --- decoding ---------------------------------------------------------------------------------------


def _decode_value(tag: int, data: bytes) -> Any:
    if tag in (T_INTEGER, T_ENUM) and len(data) == 4:
        return struct.unpack(">i", data)[0]
    if tag == T_BOOLEAN and len(data) == 1:
        return data != b"\x00"
    if tag == T_RANGE and len(data) == 8:
        return struct.unpack(">ii", data)
    if tag == T_RESOLUTION and len(data) == 9:
        return struct.unpack(">iib", data)
    if tag in (T_DATETIME, T_OCTETS) or tag < 0x20:
        return data
    return data.decode("utf-8", "replace")


def decode_response(body: bytes) -> IppResponse:
    if len(body) < 9:
        raise IppError(0x0500, "jawaban IPP terlalu pendek")
    _major, _minor, status, rid = struct.unpack(">BBHi", body[:8])
    resp = IppResponse(status=status, request_id=rid)
    pos = 8
    current: dict[str, Any] | None = None
    last_name = ""
    # collections: a stack of (dict being filled, name it will be stored under, pending member name)
    stack: list[tuple[dict[str, Any], str]] = []
    member_name = ""
    while pos < len(body):
        tag = body[pos]
        pos += 1
        if tag == _END:
            break
        if tag < 0x10:  # a delimiter: a new attribute group
            current = {}
            resp.groups.append((tag, current))
            continue
        if pos + 2 > len(body):
            raise IppError(0x0500, "jawaban IPP terpotong")
        (name_len,) = struct.unpack(">H", body[pos : pos + 2])
        pos += 2
        name = body[pos : pos + name_len].decode("utf-8", "replace")
        pos += name_len
        (value_len,) = struct.unpack(">H", body[pos : pos + 2])
        pos += 2
        data = body[pos : pos + value_len]
        pos += value_len
        if current is None:
            raise IppError(0x0500, "atribut IPP di luar grup")
        target = stack[-1][0] if stack else current
        if tag == T_BEG_COLLECTION:
            key = member_name if stack else (name or last_name)
            stack.append(({}, key))
            if not stack[:-1]:
                last_name = key
            continue
        if tag == T_END_COLLECTION:
            done, key = stack.pop()
            holder = stack[-1][0] if stack else current
            _store(holder, key, done, append=not name and key in holder)
            continue
        if tag == T_MEMBER:
            member_name = data.decode("utf-8", "replace")
            continue
        value = _decode_value(tag, data)
        if stack:
            _store(target, member_name, value, append=member_name in target)
            continue
        if name:
            last_name = name
            current[name] = value
        else:  # an additional value of the previous attribute
            _store(current, last_name, value, append=True)
    return resp


def _store(holder: dict[str, Any], key: str, value: Any, *, append: bool) -> None:
    if append and key in holder:
        prev = holder[key]
        holder[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
    else:
        holder[key] = value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- client -----------------------------------------------------------------------------------------


def http_url(uri: str) -> str:
    """ipp://host[:631]/path → http://host:631/path (ipps → https, default port 631)."""
    parts = urlsplit(uri)
    scheme = {"ipp": "http", "ipps": "https", "http": "http", "https": "https"}.get(parts.scheme)
    if scheme is None or not parts.hostname:
        raise ValueError(f"alamat printer tidak dikenal: {uri!r} (gunakan ipp://host:port/jalur)")
    netloc = parts.netloc if parts.port else f"{parts.netloc}:631"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


class IppClient:
    """One printer, addressed by its `ipp://` URI. `transport` is injectable for tests."""

    def __init__(
        self, uri: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.uri = uri
        self.url = http_url(uri)
        self.timeout = timeout
        self.transport = transport

    def _call(self, payload: bytes, document: bytes = b"") -> IppResponse:
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
                r = http.post(
                    self.url, content=payload + document, headers={"Content-Type": "application/ipp"}
                )
        except httpx.TransportError as exc:
            raise IppUnreachable(f"{type(exc).__name__}: {exc}") from exc
        if r.status_code != 200:
            if r.status_code >= 500:
                raise IppUnreachable(f"HTTP {r.status_code}")
            raise IppError(0x0400, f"HTTP {r.status_code}")
        resp = decode_response(r.content)
        if resp.status >= 0x0100:
            raise IppError(resp.status, str(resp.operation.get("status-message", "")))
        return resp

    def print_job(
        self, document: bytes, *, job_name: str, user: str, job_attrs: list[tuple[str, int, Any]]
    ) -> dict[str, Any]:
        """Send a PDF; the job's attributes (job-id, job-state) as the printer answered them."""
        payload = encode_request(
            PRINT_JOB,
            [
                ("printer-uri", T_URI, self.uri),
                ("requesting-user-name", T_NAME, user),
                ("job-name", T_NAME, job_name),
                ("document-format", T_MIME, "application/pdf"),
            ],
            job_attrs,
        )
        resp = self._call(payload, document)
        return resp.jobs[0] if resp.jobs else {}

    def job_attributes(self, job_id: int) -> dict[str, Any]:
        payload = encode_request(
            GET_JOB_ATTRIBUTES,
            [
                ("printer-uri", T_URI, self.uri),
                ("job-id", T_INTEGER, job_id),
                ("requesting-user-name", T_NAME, "niaga"),
                (
                    "requested-attributes",
                    T_KEYWORD,
                    ["job-id", "job-state", "job-state-reasons", "job-name", "job-impressions-completed"],
                ),
            ],
        )
        resp = self._call(payload)
        return resp.jobs[0] if resp.jobs else {}

    def jobs(self, *, which: str = "all") -> list[dict[str, Any]]:
        payload = encode_request(
            GET_JOBS,
            [
                ("printer-uri", T_URI, self.uri),
                ("requesting-user-name", T_NAME, "niaga"),
                ("which-jobs", T_KEYWORD, which),
                ("requested-attributes", T_KEYWORD, ["job-id", "job-name", "job-state"]),
            ],
        )
        return self._call(payload).jobs

    def printer_attributes(self) -> dict[str, Any]:
        payload = encode_request(
            GET_PRINTER_ATTRIBUTES,
            [
                ("printer-uri", T_URI, self.uri),
                ("requesting-user-name", T_NAME, "niaga"),
                (
                    "requested-attributes",
                    T_KEYWORD,
                    [
                        "printer-state",
                        "printer-state-reasons",
                        "printer-state-message",
                        "printer-make-and-model",
                        "sides-supported",
                        "color-supported",
                        "media-supported",
                        "document-format-supported",
                    ],
                ),
            ],
        )
        return self._call(payload).printer

    def cancel_job(self, job_id: int) -> None:
        payload = encode_request(
            CANCEL_JOB,
            [
                ("printer-uri", T_URI, self.uri),
                ("job-id", T_INTEGER, job_id),
                ("requesting-user-name", T_NAME, "niaga"),
            ],
        )
        self._call(payload)
