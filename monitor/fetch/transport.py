"""A lean HTTP/1.1 transport for httpx: asyncio streams and h11, with keep-alive pooling.

httpx's default transport (httpcore over anyio) spent about 1 ms of CPU per request here,
most of it checking every pooled connection's socket through anyio on each request; this
transport spends about 0.1 ms (``bench/poll.py`` measures both). The client API stays
httpx's: ``httpx.AsyncClient(transport=H11Transport(...))``, its timeouts, its exceptions,
and ``httpx.MockTransport`` in unit tests.

What it does: HTTP/1.1 only (what statement sites serve), no proxies (the client is built
with ``trust_env=False``), TLS with httpx's default context. Connections are kept per origin
and reused only after a response was read to its end; a connection the server closed while it
sat idle is detected and replaced, and a request that fails on a reused connection before any
response byte arrived is sent once more on a new one (the keep-alive race every client has).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import h11
import httpx

READ_SIZE = 65_536
Origin = tuple[bytes, bytes, int]  # scheme, host, port


@dataclass(eq=False)  # compared and hashed by identity: it is a key of the idle queue
class _Connection:
    origin: Origin
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    h11: h11.Connection = field(default_factory=lambda: h11.Connection(h11.CLIENT))
    reused: bool = False
    answered: bool = False  # some byte of the current response has arrived

    def usable(self) -> bool:
        """Still open: the server has not closed it while it sat idle."""
        return not self.writer.is_closing() and not self.reader.at_eof()

    def close(self) -> None:
        self.writer.close()


def _timeout(request: httpx.Request, kind: str) -> float | None:
    value = request.extensions.get("timeout", {}).get(kind)
    return float(value) if value is not None else None


class H11Transport(httpx.AsyncBaseTransport):
    """``max_keepalive`` idle connections are kept in all (not per origin), each for at most
    ``keepalive_expiry`` seconds, so a daemon polling thousands of hosts holds few sockets."""

    def __init__(
        self,
        *,
        max_connections: int = 10,
        max_keepalive: int = 10,
        keepalive_expiry: float = 5.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._slots = asyncio.Semaphore(max_connections)
        self._max_keepalive = max_keepalive
        self._expiry = keepalive_expiry
        self._idle: dict[Origin, list[_Connection]] = defaultdict(list)
        self._idle_since: OrderedDict[_Connection, float] = OrderedDict()  # oldest first
        self._ssl = ssl_context  # made on first use when not given: httpx's default (certifi)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        origin = (request.url.raw_scheme, request.url.raw_host, request.url.port or 0)
        if origin[0] not in (b"http", b"https"):
            raise httpx.UnsupportedProtocol(
                f"unsupported scheme {origin[0].decode()!r}", request=request
            )
        await self._slots.acquire()
        try:
            conn = self._take_idle(origin)
            if conn is not None:
                try:
                    return await self._exchange(conn, request)
                except _StaleConnection:
                    pass  # closed by the server while idle: try once on a fresh connection
            conn = await self._connect(origin, request)
            try:
                return await self._exchange(conn, request)
            except _StaleConnection as exc:
                raise httpx.RemoteProtocolError(
                    "server closed the connection without a response", request=request
                ) from exc
        except BaseException:
            self._slots.release()
            raise

    def _take_idle(self, origin: Origin) -> _Connection | None:
        self._prune()
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            del self._idle_since[conn]
            if conn.usable():
                return conn
            conn.close()
        return None

    def _release(self, conn: _Connection, reusable: bool) -> None:
        self._slots.release()
        if not reusable or self._max_keepalive <= 0:
            conn.close()
            return
        conn.h11.start_next_cycle()
        conn.reused = True
        self._idle[conn.origin].append(conn)
        self._idle_since[conn] = time.monotonic()
        self._prune()

    def _prune(self) -> None:
        """Close idle connections past the expiry, and the oldest ones past the limit."""
        deadline = time.monotonic() - self._expiry
        while self._idle_since:
            conn, since = next(iter(self._idle_since.items()))
            if since >= deadline and len(self._idle_since) <= self._max_keepalive:
                break
            del self._idle_since[conn]
            self._idle[conn.origin].remove(conn)
            conn.close()

    async def _connect(self, origin: Origin, request: httpx.Request) -> _Connection:
        scheme, host, port = origin
        tls = scheme == b"https"
        if tls and self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        name = host.decode("ascii")
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    name,
                    port or (443 if tls else 80),
                    ssl=self._ssl if tls else None,
                    server_hostname=name if tls else None,
                    limit=READ_SIZE * 4,
                ),
                _timeout(request, "connect"),
            )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout("timed out while connecting", request=request) from exc
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or exc.__class__.__name__, request=request) from exc
        return _Connection(origin, reader, writer)

    async def _exchange(self, conn: _Connection, request: httpx.Request) -> httpx.Response:
        """Send the request and read the response head; the body streams from the result."""
        conn.answered = False
        try:
            try:
                await self._send(conn, request)
            except OSError as exc:
                if conn.reused:
                    raise _StaleConnection from exc
                raise httpx.WriteError(str(exc) or exc.__class__.__name__, request=request) from exc
            except TimeoutError as exc:
                raise httpx.WriteTimeout("timed out while writing", request=request) from exc
            while True:
                event = await self._next_event(conn, request, head_pending=True)
                if isinstance(event, h11.Response):
                    break
        except BaseException:
            conn.close()
            raise
        return httpx.Response(
            status_code=event.status_code,
            headers=[(k, v) for k, v in event.headers],
            stream=_Body(self, conn, request),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": event.reason},
        )

    async def _send(self, conn: _Connection, request: httpx.Request) -> None:
        head = h11.Request(
            method=request.method, target=request.url.raw_path, headers=request.headers.raw
        )
        conn.writer.write(conn.h11.send(head) or b"")
        assert isinstance(request.stream, httpx.AsyncByteStream)
        async for chunk in request.stream:
            conn.writer.write(conn.h11.send(h11.Data(data=chunk)) or b"")
        conn.writer.write(conn.h11.send(h11.EndOfMessage()) or b"")
        await asyncio.wait_for(conn.writer.drain(), _timeout(request, "write"))

    async def _next_event(
        self, conn: _Connection, request: httpx.Request, *, head_pending: bool = False
    ) -> h11.Event:
        while True:
            try:
                event = conn.h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc), request=request) from exc
            if event is not h11.NEED_DATA:
                assert not isinstance(event, type)  # h11.PAUSED only follows a finished message
                return event
            try:
                data = await asyncio.wait_for(
                    conn.reader.read(READ_SIZE), _timeout(request, "read")
                )
            except TimeoutError as exc:
                raise httpx.ReadTimeout("timed out while reading", request=request) from exc
            except OSError as exc:
                if head_pending and conn.reused and not conn.answered:
                    raise _StaleConnection from exc
                raise httpx.ReadError(str(exc) or exc.__class__.__name__, request=request) from exc
            if not data and head_pending and conn.reused and not conn.answered:
                raise _StaleConnection
            conn.answered = conn.answered or bool(data)
            conn.h11.receive_data(data)

    async def aclose(self) -> None:
        closing = list(self._idle_since)
        self._idle.clear()
        self._idle_since.clear()
        for conn in closing:
            conn.close()
        # Let the loop finish closing the sockets before it stops (no ResourceWarning).
        await asyncio.gather(*(c.writer.wait_closed() for c in closing), return_exceptions=True)


class _StaleConnection(Exception):
    """A reused connection failed before any response byte: safe to send again."""


class _Body(httpx.AsyncByteStream):
    def __init__(self, transport: H11Transport, conn: _Connection, request: httpx.Request) -> None:
        self._transport = transport
        self._conn = conn
        self._request = request
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while not self._done:
            event = await self._transport._next_event(self._conn, self._request)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                self._finish(
                    isinstance(event, h11.EndOfMessage)
                    and self._conn.h11.our_state is h11.DONE
                    and self._conn.h11.their_state is h11.DONE
                )

    def _finish(self, reusable: bool) -> None:
        if not self._done:
            self._done = True
            self._transport._release(self._conn, reusable)

    async def aclose(self) -> None:
        self._finish(False)  # a body not read to its end leaves the connection unusable
