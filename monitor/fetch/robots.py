"""robots.txt, fetched once per host and cached for a day."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

TTL = 86_400.0


class RobotsCache:
    def __init__(
        self, user_agent: str, fetch_text: Callable[[str], Awaitable[tuple[int, str]]]
    ) -> None:
        self.user_agent = user_agent
        self._fetch_text = fetch_text
        self._cache: dict[str, tuple[float, RobotFileParser | None]] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._cache.get(origin)
        if cached is None or time.monotonic() - cached[0] > TTL:
            async with self._locks[origin]:  # one fetch per origin, however many checks wait
                cached = await self._refresh(origin)
        parser = cached[1]
        return True if parser is None else parser.can_fetch(self.user_agent, url)

    async def _refresh(self, origin: str) -> tuple[float, RobotFileParser | None]:
        cached = self._cache.get(origin)
        if cached is None or time.monotonic() - cached[0] > TTL:
            parser: RobotFileParser | None
            try:
                status, text = await self._fetch_text(origin + "/robots.txt")
            except Exception:  # unreachable robots.txt: treat as no rules, as crawlers do
                status, text = 404, ""
            if status == 200:
                parser = RobotFileParser()
                parser.parse(text.splitlines())
            else:
                parser = None  # 4xx/5xx: no rules
            cached = (time.monotonic(), parser)
            self._cache[origin] = cached
        return cached
