"""Outgoing e-mail over SMTP, from the deployment settings.

``smtp_url`` names the server: ``smtp://host:25`` (plain, on a trusted network),
``smtp+starttls://user:password@host:587`` or ``smtps://user:password@host:465``.
Without one (the embedded default) each message is written as an ``.eml`` file under
``<data_dir>/mail/`` so a demo still shows what would have been sent.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlparse

from core import kernel as _kernel
from core.settings import Settings

TIMEOUT = 15
_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class MailError(Exception):
    """The message could not be handed to the mail server."""


def compose(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="concejo")
    message.set_content(body)
    return message


def _deliver(settings: Settings, message: EmailMessage) -> None:
    url = urlparse(settings.smtp_url)
    if url.scheme not in _PORTS:
        raise MailError(f"smtp_url must start with {', '.join(_PORTS)}://")
    port = url.port or _PORTS[url.scheme]
    host = url.hostname or "127.0.0.1"
    context = ssl.create_default_context()
    try:
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT,
                                                    context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with client:
            if url.scheme == "smtp+starttls":
                client.starttls(context=context)
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP {host}:{port}: {exc}") from exc


async def send(to: str, subject: str, body: str) -> None:
    """Send a plain-text message; raise ``MailError`` when the server refuses it."""
    await send_message(compose(_kernel.current().settings, to, subject, body))


async def send_message(message: EmailMessage) -> None:
    """Send a message built with ``compose`` (and given attachments, e.g. an .ics)."""
    settings = _kernel.current().settings
    if not settings.smtp_url:
        folder = settings.data_path / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.as_bytes())
        return
    await asyncio.to_thread(_deliver, settings, message)
