"""A small S3 client (AWS Signature Version 4 over httpx, path-style addressing) for backup archives on any
S3-compatible store: AWS S3, MinIO, Cloudflare R2, Wasabi, Backblaze B2, IDCloudHost/Biznet object storage.
Just PutObject, GetObject, ListObjectsV2 and DeleteObject: boto3 would be a large dependency for four calls.

Locations are written `s3://bucket/prefix`; the endpoint and keys come from the settings
(NIAGA_S3_ENDPOINT_URL, NIAGA_S3_ACCESS_KEY_ID, NIAGA_S3_SECRET_ACCESS_KEY, NIAGA_S3_REGION)."""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class S3Error(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # "" or ending with "/"

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"alamat S3 harus berbentuk s3://bucket/prefix, bukan {url!r}")
        prefix = parts.path.lstrip("/")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return cls(parts.netloc, prefix)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int
    last_modified: str


def is_s3_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith("s3://")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class S3Client:
    def __init__(
        self,
        *,
        endpoint_url: str,
        access_key_id: str,
        secret_access_key: str,
        region: str = "us-east-1",
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not endpoint_url:
            raise S3Error("NIAGA_S3_ENDPOINT_URL belum diisi (mis. https://s3.ap-southeast-1.amazonaws.com).")
        if not access_key_id or not secret_access_key:
            raise S3Error("NIAGA_S3_ACCESS_KEY_ID dan NIAGA_S3_SECRET_ACCESS_KEY belum diisi.")
        self.endpoint = endpoint_url.rstrip("/")
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.region = region or "us-east-1"
        self.timeout = timeout
        self.transport = transport

    @classmethod
    def from_settings(cls, settings: object) -> S3Client:
        secret = getattr(settings, "s3_secret_access_key", None)
        return cls(
            endpoint_url=str(getattr(settings, "s3_endpoint_url", "") or ""),
            access_key_id=str(getattr(settings, "s3_access_key_id", "") or ""),
            secret_access_key=secret.get_secret_value() if secret is not None else "",
            region=str(getattr(settings, "s3_region", "") or "us-east-1"),
        )

    # --- signing ------------------------------------------------------------------------------------

    def _headers(
        self, method: str, path: str, query: dict[str, str], payload_sha256: str, now: datetime | None = None
    ) -> dict[str, str]:
        now = now or datetime.now(UTC)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        day = amz_date[:8]
        host = urlsplit(self.endpoint).netloc
        canonical_query = _query(query)
        headers = {"host": host, "x-amz-content-sha256": payload_sha256, "x-amz-date": amz_date}
        signed = ";".join(sorted(headers))
        canonical_headers = "".join(f"{k}:{headers[k]}\n" for k in sorted(headers))
        base_path = urlsplit(self.endpoint).path.rstrip("/")
        canonical_request = "\n".join(
            [method, base_path + path, canonical_query, canonical_headers, signed, payload_sha256]
        )
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
        )
        key = _hmac(("AWS4" + self.secret_access_key).encode(), day)
        for part in (self.region, "s3", "aws4_request"):
            key = _hmac(key, part)
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return {
            "x-amz-content-sha256": payload_sha256,
            "x-amz-date": amz_date,
            "Authorization": (
                f"AWS4-HMAC-SHA256 Credential={self.access_key_id}/{scope}, "
                f"SignedHeaders={signed}, Signature={signature}"
            ),
        }

    @staticmethod
    def _path(bucket: str, key: str = "") -> str:
        return "/" + quote(bucket, safe="") + ("/" + quote(key, safe="/-_.~") if key else "")

    def _request(
        self,
        method: str,
        bucket: str,
        key: str = "",
        *,
        query: dict[str, str] | None = None,
        content: bytes | Iterator[bytes] = b"",
        payload_sha256: str = EMPTY_SHA256,
        extra_headers: dict[str, str] | None = None,
        stream_to: Path | None = None,
    ) -> httpx.Response:
        query = query or {}
        path = self._path(bucket, key)
        headers = {**self._headers(method, path, query, payload_sha256), **(extra_headers or {})}
        # the query string exactly as signed (%20, not "+")
        url = self.endpoint + path + ("?" + _query(query) if query else "")
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
                if stream_to is not None:
                    with http.stream(method, url, headers=headers) as r:
                        if r.status_code >= 300:
                            r.read()
                            raise self._error(method, key or bucket, r)
                        with stream_to.open("wb") as fh:
                            for chunk in r.iter_bytes(1 << 20):
                                fh.write(chunk)
                        return r
                r = http.request(method, url, headers=headers, content=content)
        except httpx.HTTPError as exc:
            raise S3Error(f"S3 tidak dapat dihubungi ({type(exc).__name__}: {exc})") from exc
        if r.status_code >= 300:
            raise self._error(method, key or bucket, r)
        return r

    @staticmethod
    def _error(method: str, what: str, r: httpx.Response) -> S3Error:
        code = ""
        try:
            code = ET.fromstring(r.content).findtext("Code") or ""
        except ET.ParseError:
            pass
        return S3Error(f"S3 {method} {what}: HTTP {r.status_code} {code}".strip(), r.status_code)

    # --- operations ---------------------------------------------------------------------------------

    def put_file(self, bucket: str, key: str, path: Path, *, sha256: str | None = None) -> None:
        """Upload a file (single PUT: up to 5 GB), streamed from disk, its SHA-256 signed."""
        digest = sha256 or _sha256_file(path)
        size = path.stat().st_size

        def chunks() -> Iterator[bytes]:
            with path.open("rb") as fh:
                while block := fh.read(1 << 20):
                    yield block

        self._request(
            "PUT",
            bucket,
            key,
            content=chunks(),
            payload_sha256=digest,
            extra_headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"},
        )

    def put_bytes(self, bucket: str, key: str, data: bytes) -> None:
        self._request("PUT", bucket, key, content=data, payload_sha256=hashlib.sha256(data).hexdigest())

    def get_file(self, bucket: str, key: str, dest: Path) -> Path:
        self._request("GET", bucket, key, stream_to=dest)
        return dest

    def delete(self, bucket: str, key: str) -> None:
        self._request("DELETE", bucket, key)

    def list(self, bucket: str, prefix: str = "") -> list[S3Object]:
        out: list[S3Object] = []
        token: str | None = None
        while True:
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            root = ET.fromstring(self._request("GET", bucket, query=query).content)
            for item in root.iter(f"{_NS}Contents"):
                out.append(
                    S3Object(
                        key=item.findtext(f"{_NS}Key") or "",
                        size=int(item.findtext(f"{_NS}Size") or 0),
                        last_modified=item.findtext(f"{_NS}LastModified") or "",
                    )
                )
            if (root.findtext(f"{_NS}IsTruncated") or "false") != "true":
                return out
            token = root.findtext(f"{_NS}NextContinuationToken")
            if not token:
                return out


def _query(query: dict[str, str]) -> str:
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query.items()))


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()
