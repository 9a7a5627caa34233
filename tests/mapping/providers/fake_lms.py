"""A fake LMS over real HTTP on 127.0.0.1: it answers from fixtures, by Moodle web service
function or by path, and plays scripted faults first (a status with its headers and body),
so the real URL building, encoding, retries and waits are exercised end to end."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass
class Reply:
    """An answer with headers of its own (a Link header for the next page), or a status
    other than 200 (a refusal of one resource only)."""

    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


@dataclass
class FakeLms:
    """What the fake answers, and what it was asked."""

    answers: dict[str, Callable[[dict[str, list[str]]], Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)  # of each request
    bodies: list[str] = field(default_factory=list)  # of each POST or PUT, as sent
    asked: list[str] = field(default_factory=list)  # "METHOD /path" of each request
    url: str = ""

    def answer(self, key: str, body: Any) -> None:
        """Answer the function (Moodle) or path with `body`, or with what `body(form)` gives."""
        self.answers[key] = body if callable(body) else (lambda form, body=body: body)


@contextmanager
def serving() -> Iterator[FakeLms]:
    lms = FakeLms()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            lms.bodies.append(body)
            form = parse_qs(body)
            self._reply(form.get("wsfunction", [urlsplit(self.path).path])[0], form)

        do_PUT = do_POST  # Blackboard creates a course membership with a PUT

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            self._reply(parts.path, parse_qs(parts.query))

        def _reply(self, key: str, form: dict[str, list[str]]) -> None:
            lms.requests.append(form)
            lms.asked.append(f"{self.command} {urlsplit(self.path).path}")
            lms.headers.append(dict(self.headers))
            if lms.faults:
                fault = lms.faults.pop(0)
                self._send(fault.status, fault.body, fault.headers)
            elif key in lms.answers:
                answer = lms.answers[key](form)
                reply = answer if isinstance(answer, Reply) else Reply(answer)
                headers = {"Content-Type": "application/json", **reply.headers}
                self._send(reply.status, json.dumps(reply.body), headers)
            else:
                self._send(404, "not found", {})

        def _send(self, status: int, body: str, headers: dict[str, str]) -> None:
            data = body.encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    lms.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield lms
    finally:
        server.shutdown()
        server.server_close()
