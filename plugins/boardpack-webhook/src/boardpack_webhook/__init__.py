"""boardpack-webhook: the ``webhook`` delivery channel (``type = "webhook"``)."""

from .options import shown_url
from .channel import WebhookChannel

__version__ = "0.1.0"

__all__ = ["WebhookChannel", "__version__", "shown_url"]
