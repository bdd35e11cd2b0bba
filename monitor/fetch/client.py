"""The async fetcher.

- Conditional GET with the *server's* validators (ETag → If-None-Match, Last-Modified →
  If-Modified-Since), so unchanged pages cost a 304.
- Retries with exponential backoff and jitter on connect errors, timeouts, 429 and 5xx,
  honouring Retry-After (capped).
- Per-host concurrency and minimum delay; a global concurrency cap.
- robots.txt honoured and cached; redirects followed by hand (bounded, each hop passed
  through the SSRF guard).
- Bodies read raw and decompressed here with a bound, so neither a 50 MB page nor a gzip
  bomb can exhaust memory.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import random
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from monitor import __version__
from monitor._exceptions import Blocked, FetchError, FetchTimeout, HTTPStatusError, TooLarge
from monitor.config.model import Defaults
from monitor.extract.decode import decode
from monitor.fetch.guard import check_address
from monitor.fetch.robots import RobotsCache
from monitor.fetch.transport import H11Transport

REDIRECTS = (301, 302, 303, 307, 308)
RETRY_STATUS = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 120.0


@dataclass
class Response:
    url: str
    status: int
    content: bytes
    content_type: str
    charset: str | None
    etag: str | None
    last_modified: str | None
    elapsed_ms: float
    retry_after_header: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def text(self) -> str:
        return decode(self.content, self.charset)[0]


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _Decoder:
    """Bounded decompression of a gzip or deflate body."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        self.url = url
        self.limit = limit
        self.size = 0
        wbits = {"gzip": 31, "x-gzip": 31, "deflate": 15}.get(encoding.lower().strip())
        self.obj = zlib.decompressobj(wbits) if wbits else None

    def feed(self, chunk: bytes) -> bytes:
        if self.obj is None:
            out = chunk
        else:
            try:
                out = self.obj.decompress(chunk, self.limit - self.size + 1)
            except zlib.error as exc:
                raise FetchError(self.url, f"corrupt compressed body: {exc}") from exc
            if self.obj.unconsumed_tail:
                raise TooLarge(self.url, f"body decompresses to more than {self.limit} bytes")
        self.size += len(out)
        if self.size > self.limit:
            raise TooLarge(self.url, f"body larger than {self.limit} bytes")
        return out


class Fetcher:
    def __init__(
        self,
        defaults: Defaults | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: float | None = None,
    ) -> None:
        self.defaults = defaults or Defaults()
        d = self.defaults
        self.client = httpx.AsyncClient(
            transport=transport
            or H11Transport(max_connections=d.concurrency, max_keepalive=d.concurrency),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(d.timeout, connect=min(d.timeout, 10.0)),
            headers={
                "User-Agent": d.user_agent or f"statement-monitor/{__version__}",
                "Accept-Encoding": "gzip, deflate",
            },
        )
        self._global = asyncio.Semaphore(d.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(d.per_host_concurrency)
        )
        self._last: dict[str, float] = {}
        self._delay_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._base_backoff = 0.5 if sleep is None else sleep
        self.robots = RobotsCache(d.user_agent, self._robots_text)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _robots_text(self, url: str) -> tuple[int, str]:
        resp = await self._once(url, {})
        return resp.status, resp.text()

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """GET ``url``; a 304 comes back as a Response with ``not_modified``. Raises FetchError."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        started = time.perf_counter()
        for _hop in range(self.defaults.max_redirects + 1):
            await check_address(current, self.defaults.allow_private_addresses)
            if self.defaults.respect_robots and not await self.robots.allowed(current):
                raise Blocked(current, "disallowed by robots.txt")
            resp = await self._with_retries(current, headers)
            if resp.status in REDIRECTS and resp.url:
                current = resp.url
                continue
            resp.elapsed_ms = (time.perf_counter() - started) * 1000
            if resp.status >= 400:
                raise HTTPStatusError(current, f"HTTP {resp.status}", status=resp.status)
            return resp
        raise FetchError(url, f"more than {self.defaults.max_redirects} redirects")

    async def _with_retries(self, url: str, headers: dict[str, str]) -> Response:
        attempts = self.defaults.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                resp = await self._once(url, headers)
            except (FetchTimeout, _Transient) as exc:
                if last:
                    raise exc.error if isinstance(exc, _Transient) else exc from None
                await asyncio.sleep(self._backoff(attempt))
                continue
            if resp.status in RETRY_STATUS and not last:
                wait = retry_after(resp.retry_after_header)
                await asyncio.sleep(
                    min(MAX_RETRY_AFTER, wait) if wait is not None else self._backoff(attempt)
                )
                continue
            return resp
        raise FetchError(
            url, "retries exhausted"
        )  # pragma: no cover - loop always returns or raises

    def _backoff(self, attempt: int) -> float:
        return float(self._base_backoff * (2**attempt) * (0.5 + random.random()))

    async def _polite(self, host: str) -> None:
        delay = self.defaults.per_host_delay
        if delay <= 0:
            return
        async with self._delay_locks[host]:
            wait = self._last.get(host, 0.0) + delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last[host] = time.monotonic()

    async def _once(self, url: str, headers: dict[str, str]) -> Response:
        host = urlsplit(url).netloc
        limit = self.defaults.max_bytes
        async with self._global, self._hosts[host]:
            await self._polite(host)
            started = time.perf_counter()
            try:
                async with self.client.stream("GET", url, headers=headers) as r:
                    length = r.headers.get("content-length")
                    if length and length.isdigit() and int(length) > limit:
                        raise TooLarge(
                            url, f"Content-Length {length} is over the {limit}-byte limit"
                        )
                    if r.is_stream_consumed:  # httpx.MockTransport hands over a body already read
                        chunks = [_Decoder("", limit, url).feed(r.content)]
                    else:
                        decoder = _Decoder(r.headers.get("content-encoding", ""), limit, url)
                        chunks = [decoder.feed(chunk) async for chunk in r.aiter_raw()]
                    content = b"".join(chunks)
            except httpx.TimeoutException as exc:
                raise FetchTimeout(url, f"timed out after {self.defaults.timeout:g}s") from exc
            except (
                httpx.ConnectError,
                httpx.ReadError,
                httpx.RemoteProtocolError,
                httpx.WriteError,
            ) as exc:
                raise _Transient(
                    FetchError(
                        url,
                        f"{exc.__class__.__name__}: {str(exc) or 'connection closed by the server'}",
                    )
                ) from exc
            except httpx.HTTPError as exc:
                raise FetchError(url, f"{exc.__class__.__name__}: {exc}") from exc
            location = r.headers.get("location")
            return Response(
                url=urljoin(url, location) if r.status_code in REDIRECTS and location else url,
                status=r.status_code,
                content=content,
                content_type=r.headers.get("content-type", ""),
                charset=_charset(r.headers.get("content-type", "")),
                etag=r.headers.get("etag"),
                last_modified=r.headers.get("last-modified"),
                elapsed_ms=(time.perf_counter() - started) * 1000,
                retry_after_header=r.headers.get("retry-after"),
            )


class _Transient(Exception):
    """A connection-level failure worth retrying; carries the FetchError to raise at the end."""

    def __init__(self, error: FetchError) -> None:
        super().__init__(str(error))
        self.error = error
