"""A small static feed server on 127.0.0.1, for the demo, the tests and the benchmarks.

Serves files from a folder with ETag and Last-Modified, answers conditional requests
with 304 (RFC 9110 §13.1), and gzips when asked. Runs in a background thread.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

# A route may override a path: it gets the handler and returns True when it answered.
Route = Callable[[BaseHTTPRequestHandler], bool]


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up early (a timeout, a size cap) is expected here, not an error."""

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class FeedServer:
    def __init__(self, root: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers) as received
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm on, the second
            # waits for the client's delayed ACK (about 40 ms an answer).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                path = unquote(urlsplit(self.path).path)
                server.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(path)
                if route is not None and route(self):
                    return
                server.serve_file(self, path)

        self.httpd = _QuietServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def serve_file(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        if self.root is None:
            send(handler, 404, b"not found")
            return
        file = (self.root / path.lstrip("/")).resolve()
        if not file.is_file() or self.root.resolve() not in file.parents:
            send(handler, 404, b"not found")
            return
        body = file.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(file.stat().st_mtime, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified, "Content-Type": content_type(file)}
        if handler.headers.get("If-None-Match") == etag or (
            handler.headers.get("If-None-Match") is None
            and handler.headers.get("If-Modified-Since") == modified
        ):
            send(handler, 304, b"", headers)
            return
        send(handler, 200, body, headers)


def content_type(file: Path) -> str:
    suffix = file.suffix.lower()
    if suffix == ".json":
        return "application/feed+json"
    if suffix in (".html", ".htm"):
        return "text/html; charset=utf-8"
    return "application/rss+xml"


def send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    """Answer with `body`, gzipped when the client accepts it."""
    headers = dict(headers or {})
    if (
        body
        and "gzip" in (handler.headers.get("Accept-Encoding") or "")
        and "Content-Encoding" not in headers
    ):
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    if status != 304:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if status != 304 and handler.command != "HEAD":
        handler.wfile.write(body)
