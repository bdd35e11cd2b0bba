"""Email over SMTP (STARTTLS or implicit TLS, optional login), text + HTML, report attached."""

from __future__ import annotations

import asyncio
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from monitor._exceptions import NotifyError
from notifier.base import Outgoing, Sender
from notifier.message import html_body, subject, text_body


def message_id(key: str) -> str:
    return f"<{re.sub(r'[^A-Za-z0-9.-]', '.', key)}@statement-monitor>"


class EmailSender(Sender):
    def build(self, message: Outgoing) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = subject(message.payload)
        msg["From"] = self.channel.sender
        msg["To"] = ", ".join(self.channel.to)
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = message_id(message.key)  # the same on a resend: recognisable duplicate
        msg["X-Stmon-Key"] = message.key
        msg.set_content(text_body(message.payload, message.report_link))
        msg.add_alternative(html_body(message.payload, message.report_link), subtype="html")
        if message.report_html and not message.report_link:
            msg.add_attachment(
                message.report_html.encode("utf-8"),
                maintype="text",
                subtype="html",
                filename="report.html",
            )
        return msg

    def _send_sync(self, msg: EmailMessage) -> None:
        smtp = self.channel.smtp
        assert smtp is not None
        user, password = (
            self.channel.secret(smtp.username_env),
            self.channel.secret(smtp.password_env),
        )
        context = ssl.create_default_context(cafile=smtp.ca_file)
        client: smtplib.SMTP
        if smtp.ssl:
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            if smtp.starttls and not smtp.ssl:
                client.starttls(context=context)
            if user and password:
                client.login(user, password)
            client.send_message(msg)

    async def send(self, message: Outgoing) -> None:
        msg = self.build(message)
        try:
            await asyncio.to_thread(self._send_sync, msg)
        except (smtplib.SMTPException, OSError) as exc:
            smtp = self.channel.smtp
            where = f"{smtp.host}:{smtp.port}" if smtp else "smtp"
            raise NotifyError(
                f"channel {self.channel.id}: {where}: {exc.__class__.__name__}: {exc}"
            ) from exc
