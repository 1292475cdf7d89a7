"""A minimal loopback SMTP server (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that keeps
the messages it receives. No TLS or AUTH: the sender is used with security="none" in tests."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any


class FakeSmtp:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._server: socketserver.ThreadingTCPServer | None = None

    def start(self) -> FakeSmtp:
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def _reply(self, line: str) -> None:
                self.wfile.write((line + "\r\n").encode())

            def handle(self) -> None:
                self._reply("220 fake-smtp ready")
                sender: str | None = None
                rcpts: list[str] = []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    cmd = raw.decode(errors="replace").strip()
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self._reply("250-fake-smtp")
                        self._reply("250 8BITMIME")
                    elif verb == "HELO":
                        self._reply("250 fake-smtp")
                    elif verb == "MAIL":
                        sender, rcpts = cmd.split(":", 1)[1].strip().split(" ")[0].strip("<>"), []
                        self._reply("250 OK")
                    elif verb == "RCPT":
                        rcpts.append(cmd.split(":", 1)[1].strip().strip("<>"))
                        self._reply("250 OK")
                    elif verb == "DATA":
                        self._reply("354 End data with <CR><LF>.<CR><LF>")
                        lines = []
                        while True:
                            line = self.rfile.readline()
                            if line in (b".\r\n", b".\n", b""):
                                break
                            lines.append(line[1:] if line.startswith(b"..") else line)
                        data = b"".join(lines)
                        fake.messages.append(
                            {"from": sender, "to": rcpts, "raw": data, "message": message_from_bytes(data)}
                        )
                        self._reply("250 OK queued")
                    elif verb in ("RSET", "NOOP"):
                        self._reply("250 OK")
                    elif verb == "QUIT":
                        self._reply("221 Bye")
                        return
                    else:
                        self._reply("502 Command not implemented")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeSmtp:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @staticmethod
    def attachments(msg: Message) -> list[tuple[str, bytes]]:
        return [
            (part.get_filename() or "", part.get_payload(decode=True) or b"")  # type: ignore[misc]
            for part in msg.walk()
            if part.get_filename()
        ]
