"""Slack incoming webhook with a Block Kit message; 429 and 5xx are retried by the outbox."""

from __future__ import annotations

import httpx

from monitor._exceptions import NotifyError
from monitor.config.model import Channel
from monitor.fetch.client import retry_after
from notifier.base import Outgoing, Sender
from notifier.message import slack_payload


class SlackSender(Sender):
    def __init__(self, channel: Channel, client: httpx.AsyncClient | None = None) -> None:
        super().__init__(channel)
        self.client = client or httpx.AsyncClient(timeout=20.0, trust_env=False)

    async def send(self, message: Outgoing) -> None:
        url = self.channel.secret(self.channel.webhook_url_env)
        if not url:
            raise NotifyError(
                f"channel {self.channel.id}: environment variable {self.channel.webhook_url_env} is not set"
            )
        body = slack_payload(message.payload, message.report_link)
        try:
            resp = await self.client.post(url, json=body, headers={"X-Stmon-Key": message.key})
        except httpx.HTTPError as exc:
            raise NotifyError(
                f"channel {self.channel.id}: webhook unreachable: {exc.__class__.__name__}"
            ) from exc
        if resp.status_code == 429 or resp.status_code >= 500:
            raise NotifyError(
                f"channel {self.channel.id}: webhook answered HTTP {resp.status_code}",
                retry_after=retry_after(resp.headers.get("retry-after")),
            )
        if resp.status_code >= 400:
            raise NotifyError(
                f"channel {self.channel.id}: webhook refused the message: HTTP {resp.status_code} "
                f"{resp.text[:200]}"
            )

    async def aclose(self) -> None:
        await self.client.aclose()
