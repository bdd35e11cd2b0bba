"""The h11 transport against a raw asyncio server on 127.0.0.1 whose connections the test counts
and whose keep-alive behaviour it controls byte for byte."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from monitor.fetch.transport import H11Transport

Reply = Callable[[int, int], bytes | None]  # (connection number, request number on it) -> bytes


def ok(body: bytes = b"hello", extra: str = "") -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


class RawServer:
    """Answers each request with ``reply(conn, n)``; None closes the connection instead."""

    def __init__(self, reply: Reply, *, close_after: int | None = None) -> None:
        self.reply = reply
        self.close_after = close_after  # close each connection after this many responses
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        conn = self.connections
        n = 0
        try:
            while True:
                try:
                    await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                n += 1
                data = self.reply(conn, n)
                if data is None:
                    return
                writer.write(data)
                await writer.drain()
                if self.close_after is not None and n >= self.close_after:
                    return
        finally:
            writer.close()


def run(
    reply: Reply,
    body: Callable[[httpx.AsyncClient, str, RawServer], Awaitable[None]],
    **kw: int | None,
) -> RawServer:
    raw = RawServer(reply, **kw)

    async def go() -> None:
        server = await asyncio.start_server(raw.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with httpx.AsyncClient(transport=H11Transport(), timeout=2.0) as client:
            await body(client, f"http://127.0.0.1:{port}", raw)
        server.close()
        await server.wait_closed()

    asyncio.run(go())
    return raw


def test_sequential_requests_share_one_connection() -> None:
    async def body(client: httpx.AsyncClient, base: str, raw: RawServer) -> None:
        for k in range(5):
            r = await client.get(f"{base}/p{k}")
            assert (r.status_code, r.text) == (200, "hello")

    assert run(lambda c, n: ok(), body).connections == 1


def test_chunked_body_is_read_whole_and_the_connection_reused() -> None:
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"

    async def body(client: httpx.AsyncClient, base: str, raw: RawServer) -> None:
        for _ in range(3):
            assert (await client.get(base)).content == b"hello world"

    assert run(lambda c, n: chunked, body).connections == 1


def test_connection_closed_while_idle_is_replaced_without_an_error() -> None:
    async def body(client: httpx.AsyncClient, base: str, raw: RawServer) -> None:
        for _ in range(3):
            assert (await client.get(base)).text == "hello"
            await asyncio.sleep(0.05)  # the server's close reaches the idle connection

    assert run(lambda c, n: ok(), body, close_after=1).connections == 3


def test_keep_alive_race_is_retried_once_on_a_new_connection() -> None:
    # The server takes the second request on a kept connection and closes without answering:
    # the request is sent again on a new connection, and the caller sees only the answer.
    async def body(client: httpx.AsyncClient, base: str, raw: RawServer) -> None:
        assert (await client.get(base)).text == "first"
        assert (await client.get(base)).text == "again"

    raw = run(lambda c, n: None if (c, n) == (1, 2) else ok(b"first" if c == 1 else b"again"), body)
    assert raw.connections == 2


def test_connection_close_header_is_honoured() -> None:
    async def body(client: httpx.AsyncClient, base: str, raw: RawServer) -> None:
        for _ in range(2):
            assert (await client.get(base)).text == "hello"

    assert run(lambda c, n: ok(extra="Connection: close\r\n"), body).connections == 2


def test_no_answer_on_a_new_connection_is_a_protocol_error() -> None:
    async def body(client: httpx.AsyncClient, base: str, raw: RawServer) -> None:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(base)

    run(lambda c, n: None, body)


def test_truncated_body_is_a_protocol_error_and_not_reused() -> None:
    async def body(client: httpx.AsyncClient, base: str, raw: RawServer) -> None:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(base)
        assert (await client.get(base)).text == "hello"

    short = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part"
    raw = run(lambda c, n: short if c == 1 else ok(), body, close_after=1)
    assert raw.connections == 2


def test_silent_server_times_out() -> None:
    async def body(client: httpx.AsyncClient, base: str, raw: RawServer) -> None:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(base, timeout=0.2)

    run(lambda c, n: b"", body)


def test_unreachable_port_is_a_connect_error() -> None:
    async def go() -> None:
        async with httpx.AsyncClient(transport=H11Transport()) as client:
            with pytest.raises(httpx.ConnectError):
                await client.get("http://127.0.0.1:9/")

    asyncio.run(go())


def test_idle_connections_are_capped_across_origins_and_expire() -> None:
    # With one idle connection allowed in all, visiting a second origin closes the first
    # origin's idle connection; and an idle connection past its expiry is not reused.
    async def go() -> tuple[RawServer, RawServer]:
        a, b = RawServer(lambda c, n: ok()), RawServer(lambda c, n: ok())
        servers = [await asyncio.start_server(r.handle, "127.0.0.1", 0) for r in (a, b)]
        url_a, url_b = (f"http://127.0.0.1:{s.sockets[0].getsockname()[1]}/" for s in servers)
        transport = H11Transport(max_keepalive=1, keepalive_expiry=0.2)
        async with httpx.AsyncClient(transport=transport, timeout=2.0) as client:
            await client.get(url_a)
            await client.get(url_b)  # a's idle connection is closed to stay within one
            await client.get(url_a)  # so a new connection to a
            await asyncio.sleep(0.3)
            await client.get(url_a)  # expired: a third connection to a
        for server in servers:
            server.close()
            await server.wait_closed()
        return a, b

    a, b = asyncio.run(go())
    assert (a.connections, b.connections) == (3, 1)


def test_https_is_verified_against_the_trusted_authority() -> None:
    import ssl

    import trustme

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    raw = RawServer(lambda c, n: ok(b"secure"))

    async def go() -> None:
        server = await asyncio.start_server(raw.handle, "127.0.0.1", 0, ssl=server_ctx)
        url = f"https://localhost:{server.sockets[0].getsockname()[1]}/"
        async with httpx.AsyncClient(transport=H11Transport(ssl_context=client_ctx), timeout=5.0) as client:
            for _ in range(2):
                assert (await client.get(url)).text == "secure"
        async with httpx.AsyncClient(transport=H11Transport(), timeout=5.0) as client:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.get(url)  # the default context does not trust this authority
        server.close()
        await server.wait_closed()

    asyncio.run(go())
    assert raw.connections == 1  # both good requests on one kept-alive connection; the refused
    # handshake never reaches the handler
