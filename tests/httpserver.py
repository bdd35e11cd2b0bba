"""A real HTTP server on 127.0.0.1 that tests control, and that can misbehave on purpose."""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    behaviour: str = ""  # "", "reset", "truncate", "stream"
    stream_size: int = 0
    script: list[Route] | None = None  # successive answers, last one repeats


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # resets and truncations are on purpose


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                outer.handle(self)

            def do_POST(self) -> None:
                outer.handle(self)

            def log_message(self, *args: Any) -> None:
                return None

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.on_post: Callable[[str, bytes, dict[str, str]], Route] | None = None

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: bytes | str = b"", **kwargs: Any) -> Route:
        route = Route(body.encode("utf-8") if isinstance(body, str) else body, **kwargs)
        self.routes[path] = route
        return route

    def hits(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in req.headers.items()}
        body_in = b""
        if req.command == "POST":
            body_in = req.rfile.read(int(headers.get("content-length", "0")))
        with self.lock:
            self.requests.append((path, headers))
            route = self.routes.get(path)
            if route is not None and route.script:
                route = route.script.pop(0) if len(route.script) > 1 else route.script[0]
        if req.command == "POST" and self.on_post is not None:
            route = self.on_post(path, body_in, headers)
        if route is None:
            route = Route(b"not found", status=404)
        if route.delay:
            time.sleep(route.delay)
        if route.behaviour == "reset":
            # SO_LINGER 0 makes close() send a TCP RST; every reference must be closed for it.
            req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            req.close_connection = True
            req.rfile.close()
            req.wfile.close()
            req.connection.close()
            return
        if (route.etag and headers.get("if-none-match") == route.etag) or (
                route.last_modified and headers.get("if-modified-since") == route.last_modified):
            req.send_response(304)
            if route.etag:
                req.send_header("ETag", route.etag)
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        req.send_response(route.status)
        for key, value in route.headers.items():
            req.send_header(key, value)
        if route.etag:
            req.send_header("ETag", route.etag)
        if route.last_modified:
            req.send_header("Last-Modified", route.last_modified)
        if route.behaviour == "stream":  # no Content-Length: the size is known only by reading
            req.send_header("Connection", "close")
            req.end_headers()
            req.close_connection = True
            chunk = b"<p>" + b"x" * 65_000 + b"</p>"
            sent = 0
            try:
                while sent < route.stream_size:
                    req.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if route.behaviour == "truncate":
            req.send_header("Content-Length", str(len(route.body) * 2))
            req.end_headers()
            req.wfile.write(route.body)
            req.wfile.flush()
            req.connection.shutdown(socket.SHUT_RDWR)
            return
        if "Content-Length" not in route.headers:
            req.send_header("Content-Length", str(len(route.body)))
        req.end_headers()
        req.wfile.write(route.body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def gzip_bomb(size: int) -> bytes:
    """A small gzip body that inflates to ``size`` bytes of zeros."""
    return gzip.compress(b"\0" * size, compresslevel=9)
