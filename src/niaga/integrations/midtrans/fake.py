"""A loopback fake of Midtrans Snap + Core API (protocols.md §3), for tests and the bench.

- `POST /snap/v1/transactions`: Basic auth with the server key (401 `error_messages` otherwise), gross_amount
  must equal Σ item price×quantity (400), a used order_id is refused (406); answers 201 {token, redirect_url}.
- `GET /v2/{order_id}/status`: 404 until the customer "chooses a payment method" (`choose_method`), then the
  transaction's current state, signed like a notification.
- `POST /v2/{order_id}/cancel`.
- `notification(...)` builds a signed HTTP notification body (gross_amount as the "x.00" string).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from niaga.integrations.loopback import JsonFake

SERVER_KEY = "SB-Mid-server-FAKE0123456789"
CLIENT_KEY = "SB-Mid-client-FAKE0123456789"


def sign(order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


STATUS_CODES = {
    "capture": "200",
    "settlement": "200",
    "pending": "201",
    "deny": "202",
    "cancel": "200",
    "expire": "407",
    "refund": "200",
    "partial_refund": "200",
    "failure": "202",
    "chargeback": "200",
}


@dataclass
class Transaction:
    order_id: str
    gross_amount: int
    payload: dict[str, Any]
    token: str
    redirect_url: str
    transaction_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: str | None = None  # None until a payment method is chosen
    payment_type: str = "bank_transfer"
    fraud_status: str = "accept"


class FakeMidtrans(JsonFake):
    def __init__(self, server_key: str = SERVER_KEY) -> None:
        self.server_key = server_key
        self.transactions: dict[str, Transaction] = {}
        self.requests: list[dict[str, Any]] = []
        self.fail_next: list[int] = []  # status codes to answer the next create calls with
        self._lock = threading.Lock()

    # --- lifecycle ---------------------------------------------------------------------------------
    def respond(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            self.requests.append({"method": method, "path": path, "headers": headers, "body": body})
        return self.handle(method, path, headers.get("Authorization"), body)

    # --- protocol ----------------------------------------------------------------------------------
    def _authorized(self, auth: str | None) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.server_key}:".encode()).decode()
        return auth == expected

    def handle(self, method: str, path: str, auth: str | None, body: Any) -> tuple[int, Any]:
        if not self._authorized(auth):
            return 401, {
                "error_messages": [
                    "Access denied due to unauthorized transaction, please check client or server key",
                    "Visit https://snap-docs.midtrans.com/#request-headers for more details",
                ]
            }
        if method == "POST" and path == "/snap/v1/transactions":
            return self._create(body)
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if len(parts) == 3 and parts[0] == "v2" and parts[2] == "status" and method == "GET":
            return self._status(parts[1])
        if len(parts) == 3 and parts[0] == "v2" and parts[2] == "cancel" and method == "POST":
            tx = self.transactions.get(parts[1])
            if tx is None:
                return 404, {"status_code": "404", "status_message": "The requested resource is not found"}
            tx.status = "cancel"
            return 200, self.status_body(tx)
        return 404, {"error_messages": ["not found"]}

    def _create(self, body: Any) -> tuple[int, Any]:
        with self._lock:
            if self.fail_next:
                code = self.fail_next.pop(0)
                return code, {"error_messages": ["Sorry. Our system is recovering from unexpected issues."]}
        if not isinstance(body, dict) or not isinstance(body.get("transaction_details"), dict):
            return 400, {"error_messages": ["transaction_details is required"]}
        td = body["transaction_details"]
        order_id, gross = td.get("order_id"), td.get("gross_amount")
        if not order_id or not isinstance(gross, int) or gross < 1:
            return 400, {"error_messages": ["transaction_details.gross_amount is required"]}
        items = body.get("item_details")
        if items is not None:
            total = sum(int(i["price"]) * int(i["quantity"]) for i in items)
            if total != gross:
                return 400, {
                    "error_messages": [
                        "transaction_details.gross_amount is not equal to the sum of item_details"
                    ]
                }
        with self._lock:
            if order_id in self.transactions:
                return 406, {
                    "error_messages": ["order_id has been paid and utilized, please use another order ID"]
                }
            token = str(uuid.uuid4())
            tx = Transaction(
                order_id=order_id,
                gross_amount=gross,
                payload=body,
                token=token,
                redirect_url=f"https://app.sandbox.midtrans.com/snap/v4/redirection/{token}",
            )
            self.transactions[order_id] = tx
        return 201, {"token": token, "redirect_url": tx.redirect_url}

    def _status(self, order_id: str) -> tuple[int, Any]:
        tx = self.transactions.get(order_id)
        if tx is None or tx.status is None:
            # Snap: no transaction until the customer has chosen a payment method.
            return 404, {"status_code": "404", "status_message": "The requested resource is not found"}
        return 200, self.status_body(tx)

    # --- test controls -----------------------------------------------------------------------------
    def choose_method(self, order_id: str, payment_type: str = "bank_transfer") -> None:
        tx = self.transactions[order_id]
        tx.payment_type = payment_type
        tx.status = "pending"

    def set_status(self, order_id: str, status: str) -> None:
        self.transactions[order_id].status = status

    def status_body(self, tx: Transaction, status: str | None = None) -> dict[str, Any]:
        status = status or tx.status or "pending"
        code = STATUS_CODES.get(status, "200")
        gross = f"{tx.gross_amount}.00"
        body = {
            "transaction_time": "2024-05-17 10:00:00",
            "transaction_status": status,
            "transaction_id": tx.transaction_id,
            "status_message": "Success, transaction is found",
            "status_code": code,
            "signature_key": sign(tx.order_id, code, gross, self.server_key),
            "payment_type": tx.payment_type,
            "order_id": tx.order_id,
            "merchant_id": "G141532850",
            "gross_amount": gross,
            "fraud_status": tx.fraud_status,
            "currency": "IDR",
        }
        if status == "settlement":
            body["settlement_time"] = "2024-05-17 10:05:00"
        return body

    def notification(
        self,
        order_id: str,
        status: str,
        *,
        gross_amount: str | None = None,
        status_code: str | None = None,
        fraud_status: str = "accept",
        server_key: str | None = None,
        transaction_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A signed HTTP notification for a transaction created through this fake (or any order id when
        `gross_amount` is given)."""
        tx = self.transactions.get(order_id)
        gross = gross_amount if gross_amount is not None else f"{tx.gross_amount}.00" if tx else "0.00"
        code = status_code or STATUS_CODES.get(status, "200")
        body: dict[str, Any] = {
            "transaction_time": "2024-05-17 10:00:00",
            "transaction_status": status,
            "transaction_id": transaction_id or (tx.transaction_id if tx else str(uuid.uuid4())),
            "status_message": "midtrans payment notification",
            "status_code": code,
            "signature_key": sign(order_id, code, gross, server_key or self.server_key),
            "payment_type": tx.payment_type if tx else "bank_transfer",
            "order_id": order_id,
            "merchant_id": "G141532850",
            "gross_amount": gross,
            "fraud_status": fraud_status,
            "currency": "IDR",
            "va_numbers": [{"va_number": "333333333333333", "bank": "bca"}],
        }
        if status == "settlement":
            body["settlement_time"] = "2024-05-17 10:05:00"
        body.update(extra)
        if tx is not None and status in ("settlement", "capture", "pending", "expire", "cancel", "deny"):
            tx.status = status
        return body

    def creates(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == "/snap/v1/transactions"]
