"""Outgoing email: SMTP in production, an outbox folder of .eml files on the embedded defaults."""

from __future__ import annotations

import email.message
import email.utils
import logging
import pathlib
import smtplib
import ssl
import urllib.parse
from typing import Protocol

from services.core.settings import Settings

log = logging.getLogger("marquee.mail")


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


def _message(sender: str, to: str, subject: str, body: str) -> email.message.EmailMessage:
    message = email.message.EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = email.utils.make_msgid(domain="marquee.local")
    message.set_content(body)
    return message


class SmtpMailer:
    def __init__(self, url: str, sender: str, *, timeout_seconds: float = 10.0) -> None:
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("smtp", "smtps"):
            raise ValueError("MARQUEE_SMTP_URL must start with smtp:// or smtps://")
        self._tls = parsed.scheme == "smtps"
        self._host = parsed.hostname or "localhost"
        self._port = parsed.port or (465 if self._tls else 25)
        self._user = urllib.parse.unquote(parsed.username or "")
        self._password = urllib.parse.unquote(parsed.password or "")
        self._starttls = urllib.parse.parse_qs(parsed.query).get("starttls", ["false"])[0] == "true"
        self._sender = sender
        self._timeout = timeout_seconds

    def send(self, to: str, subject: str, body: str) -> None:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self._tls:
            client = smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=context)
        else:
            client = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        with client:
            if self._starttls:
                client.starttls(context=context)
            if self._user:
                client.login(self._user, self._password)
            client.send_message(_message(self._sender, to, subject, body))


class OutboxMailer:
    """Writes each email to a file so a developer can open it; nothing leaves the machine."""

    def __init__(self, directory: pathlib.Path, sender: str) -> None:
        self.directory = directory
        self._sender = sender

    def send(self, to: str, subject: str, body: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        message = _message(self._sender, to, subject, body)
        name = message["Message-ID"].strip("<>").replace("@", "_")
        (self.directory / f"{name}.eml").write_bytes(bytes(message))
        log.info("email to %s written to %s: %s", to, self.directory, subject)


def mailer_from_settings(settings: Settings) -> Mailer:
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url, settings.mail_from)
    return OutboxMailer(settings.data_dir / "outbox", settings.mail_from)
