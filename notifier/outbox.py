"""The outbox sender: delivers pending alert rows, never losing one.

An alert row is committed with the version and diff that caused it. This sender leases due
rows, sends each, and marks it sent in a separate transaction. A crash after sending but
before marking leaves the row pending, so it is sent again once: at most one duplicate,
recognisable by its stable key (email Message-ID, ``X-Stmon-Key`` header). Failures are
retried with exponential backoff (or the channel's Retry-After); after ``MAX_ATTEMPTS`` a row
is parked as ``dead`` (kept, counted in /metrics, never deleted).
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from monitor._exceptions import NotifyError
from monitor.config.model import Channel, Config
from monitor.report.html import render as render_html
from notifier.base import Outgoing, Sender
from notifier.email import EmailSender
from notifier.slack import SlackSender
from storage import repo
from storage.db import Database
from storage.models import Alert, DiffRow

log = logging.getLogger("stmon.outbox")
MAX_ATTEMPTS = 10
BATCH = 50  # alerts claimed per transaction
LEASE = timedelta(minutes=5)

SENDERS: dict[str, type[Sender]] = {"email": EmailSender, "slack": SlackSender}


def make_sender(channel: Channel) -> Sender:
    return SENDERS[channel.kind](channel)


def backoff(attempts: int) -> float:
    return float(min(3600.0, 30.0 * 2 ** (attempts - 1)) * (0.75 + random.random() / 2))


class Outbox:
    def __init__(
        self,
        config: Config,
        db: Database,
        *,
        worker: str = "local",
        senders: dict[str, Sender] | None = None,
        lease: timedelta = LEASE,
    ) -> None:
        self.lease = lease
        self.config = config
        self.db = db
        self.worker = worker
        self.senders = (
            senders if senders is not None else {c.id: make_sender(c) for c in config.channels}
        )

    async def aclose(self) -> None:
        for sender in self.senders.values():
            await sender.aclose()

    async def deliver_due(self, max_batches: int = 20) -> int:
        """Send every due alert once, batch after batch; returns how many were delivered."""
        delivered = 0
        for _ in range(max_batches):
            sent, claimed = await self._deliver_batch()
            delivered += sent
            if claimed < BATCH:
                break
        return delivered

    async def _deliver_batch(self) -> tuple[int, int]:
        now = repo.utcnow()
        with self.db.session() as s:
            claimed = repo.claim_alerts(s, self.worker, now, self.lease, BATCH)
            batches: dict[str, list[tuple[int, str, dict[str, Any], int | None, Any]]] = (
                defaultdict(list)
            )
            for a in claimed:
                batches[a.channel_id].append((a.id, a.key, a.payload, a.diff_id, a.created_at))
            attach = {c.id for c in self.config.channels if c.kind == "email" and not c.report_url}
            reports = self._reports(
                s,
                [
                    d
                    for cid, items in batches.items()
                    if cid in attach
                    for (_, _, _, d, _) in items
                    if d
                ],
            )
        delivered = 0
        for channel_id, items in batches.items():
            sender = self.senders.get(channel_id)
            if sender is None:
                self._fail(
                    [i[0] for i in items],
                    f"channel {channel_id} is no longer configured",
                    final=True,
                )
                continue
            channel = sender.channel
            if channel.digest and any(i[2]["reason"] in ("new", "edited") for i in items):
                oldest = min(i[4] for i in items)
                if oldest + timedelta(seconds=channel.digest) > now:
                    self._release([i[0] for i in items])
                    continue
                key = "digest:" + ",".join(str(i[0]) for i in items)
                message = Outgoing(
                    f"{channel_id}:{key}", {"reason": "digest", "items": [i[2] for i in items]}
                )
                delivered += await self._send(sender, [i[0] for i in items], message)
                continue
            for alert_id, key, payload, diff_id, _ in items:
                link = (
                    f"{channel.report_url.rstrip('/')}/diff-{diff_id}.html"
                    if channel.report_url and diff_id
                    else None
                )
                message = Outgoing(key, payload, reports.get(diff_id) if diff_id else None, link)
                delivered += await self._send(sender, [alert_id], message)
        return delivered, len(claimed)

    def _reports(self, s: Any, diff_ids: list[int]) -> dict[int, str]:
        out = {}
        for diff_id in set(diff_ids):
            row = s.get(DiffRow, diff_id)
            if row is not None:
                out[diff_id] = render_html(row.result)
        return out

    def _renew(self, ids: list[int]) -> bool:
        """Extend our lease on these alerts just before sending; False if another worker took
        any of them meanwhile (a slow batch outlived its lease), so nothing is sent twice."""
        now = repo.utcnow()
        with self.db.session() as s:
            renewed = s.execute(
                update(Alert)
                .where(
                    Alert.id.in_(ids), Alert.lease_owner == self.worker, Alert.status == "pending"
                )
                .values(lease_expires=now + self.lease)
                .returning(Alert.id)
            ).all()
        return len(renewed) == len(ids)

    async def _send(self, sender: Sender, ids: list[int], message: Outgoing) -> int:
        if not self._renew(ids):
            return 0
        try:
            await sender.send(message)
        except NotifyError as exc:
            log.warning(
                "alert delivery failed", extra={"channel": sender.channel.id, "error": str(exc)}
            )
            self._fail(ids, str(exc), retry_after=exc.retry_after)
            return 0
        with self.db.session() as s:
            for alert in s.query(Alert).filter(Alert.id.in_(ids)):
                alert.status, alert.sent_at, alert.lease_owner, alert.lease_expires = (
                    "sent",
                    repo.utcnow(),
                    None,
                    None,
                )
                alert.attempts += 1
        return len(ids)

    def _release(self, ids: list[int]) -> None:
        with self.db.session() as s:
            for alert in s.query(Alert).filter(Alert.id.in_(ids)):
                alert.lease_owner, alert.lease_expires = None, None

    def _fail(
        self, ids: list[int], error: str, *, retry_after: float | None = None, final: bool = False
    ) -> None:
        now = repo.utcnow()
        with self.db.session() as s:
            for alert in s.query(Alert).filter(Alert.id.in_(ids)):
                alert.attempts += 1
                alert.last_error = error
                alert.lease_owner, alert.lease_expires = None, None
                if final or alert.attempts >= MAX_ATTEMPTS:
                    alert.status = "dead"
                else:
                    wait = retry_after if retry_after is not None else backoff(alert.attempts)
                    alert.next_attempt_at = now + timedelta(seconds=wait)
