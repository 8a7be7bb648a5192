"""A Slack-compatible incoming webhook on 127.0.0.1 for the alert tests: records every JSON body it receives
and answers with a status the test picks (or not at all within the client's timeout)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Webhook:
    url: str
    status: int = 200
    delay_s: float = 0.0
    received: list[dict] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [body.get("text", "") for body in self.received]


@contextmanager
def webhook(status: int = 200, delay_s: float = 0.0) -> Iterator[Webhook]:
    hook = Webhook(url="", status=status, delay_s=delay_s)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server interface
            length = int(self.headers.get("Content-Length", 0))
            hook.received.append(json.loads(self.rfile.read(length) or b"{}"))
            if hook.delay_s:
                time.sleep(hook.delay_s)
            try:
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass  # a slow hook's client has given up on its timeout, as the test intends

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
