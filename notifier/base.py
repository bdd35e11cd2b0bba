"""The contract every channel kind fulfils."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from monitor.config.model import Channel


@dataclass(frozen=True)
class Outgoing:
    """One message to deliver. ``key`` is stable across retries (idempotency key, Message-ID)."""

    key: str
    payload: dict[str, Any]
    report_html: str | None = None  # the full report, attached or linked
    report_link: str | None = None


class Sender(ABC):
    """Delivers messages for one configured channel. ``send`` raises NotifyError on failure."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    @abstractmethod
    async def send(self, message: Outgoing) -> None: ...

    async def aclose(self) -> None:
        return None
