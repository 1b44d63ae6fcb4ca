"""A PDF too big to attach: published once (atomically, content-addressed) and linked instead."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from ..config import DeliveryConfig
from ..errors import DeliveryError
from ..render.pdf import write_atomically
from .packs import Pack

__all__ = ["attachment_link"]


def attachment_link(pack: Pack, settings: DeliveryConfig) -> str | None:
    """``None`` when ``pack``'s PDF can be attached (``[delivery] max_attachment_mb``), else the link to
    the copy published in ``[delivery] publish_dir``.

    :raises DeliveryError: when the PDF is too big and there is nowhere to publish it, or the
        copy cannot be written.
    """
    assert pack.path is not None
    try:
        size = pack.path.stat().st_size
    except OSError as exc:
        raise DeliveryError(f"{pack.path} : lecture impossible ({exc.strerror or type(exc).__name__})") from None
    limit = settings.max_attachment_mb * 1024 * 1024
    if size <= limit:
        return None
    if settings.publish_dir is None:
        limit_text = str(settings.max_attachment_mb).replace(".", ",")
        raise DeliveryError(
            f"{pack.path.name} pèse {_size(size)}, plus que la limite de {limit_text} Mo "
            "des pièces jointes ([delivery] max_attachment_mb) ; relevez la limite ou indiquez "
            "[delivery] publish_dir (et publish_url) pour envoyer un lien"
        )
    try:
        content = pack.path.read_bytes()
    except OSError as exc:
        raise DeliveryError(f"{pack.path} : lecture impossible ({exc.strerror or type(exc).__name__})") from None
    name = f"{pack.path.stem}_{hashlib.sha256(content).hexdigest()[:16]}.pdf"
    target = settings.publish_dir / name
    try:
        write_atomically(target, content)
    except OSError as exc:
        raise DeliveryError(f"publication impossible dans {settings.publish_dir} ({exc.strerror}) ; "
                            "vérifiez [delivery] publish_dir") from None
    # a file: URI needs an absolute path (the config may have been given as a relative one)
    return (f"{settings.publish_url.rstrip('/')}/{quote(name)}" if settings.publish_url
            else target.resolve().as_uri())


def _size(count: int) -> str:
    """``12,4 Mo`` or ``5 Ko``."""
    if count >= 100 * 1024:
        return f"{count / 1024 / 1024:.1f} Mo".replace(".", ",")
    return f"{max(1, round(count / 1024))} Ko"
