"""The email itself: a text body with an HTML alternative, the PDF attached, a stable Message-ID.

The Message-ID is a hash of (schedule, period, audience, recipient) at the sender's
domain: the same delivery always carries the same id, so a copy sent again with
``--force`` is recognised as the same message by the mail clients that deduplicate.

Every part is 7-bit (text in quoted-printable, the PDF in base64): a French body goes
through any server, including one that does not offer ``8BITMIME``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

__all__ = ["POLICY", "compose", "message_id"]

#: SMTP line endings, and no 8-bit body: non-ASCII text is quoted-printable (or base64).
POLICY = SMTP.clone(cte_type="7bit")


def message_id(schedule: str, period: str, audience: str, recipient: str, domain: str) -> str:
    """``<hash.boardpack@domain>``, the same for the same delivery."""
    digest = hashlib.sha256("\x1f".join((schedule, period, audience, recipient)).encode()).hexdigest()[:32]
    return f"<{digest}.boardpack@{domain}>"


def compose(*, sender: str, to: Sequence[str], cc: Sequence[str] = (), reply_to: str = "", subject: str,
            text: str, html: str | None = None, identifier: str, date: dt.datetime,
            attachment: Path | None = None) -> EmailMessage:
    """The message, headers showing the whole distribution (``to``, ``cc``).

    :param attachment: the PDF to attach (``None`` when the body links to it instead).
    """
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    if to:
        message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = identifier
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if attachment is not None:
        message.add_attachment(attachment.read_bytes(), maintype="application", subtype="pdf",
                               filename=attachment.name)
    return message
