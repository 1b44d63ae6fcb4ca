"""The ``folder`` delivery channel: copies each finished pack into a folder (a shared drive)."""

from __future__ import annotations


from boardpack.api.errors import DeliveryError
from boardpack.api import hookimpl
from boardpack.api import Channel, Delivery
from boardpack.api.files import write_atomically

__all__ = ["FolderChannel"]


class FolderChannel(Channel):
    """Copies PDFs into ``path`` (relative to the config file), one file per audience and period."""

    name = "folder"
    description = "Copie les PDF dans un dossier (lecteur partagé, archive)."
    options = {"path": "dossier de destination (relatif au fichier de configuration)"}
    required_options = ("path",)

    def deliver(self, delivery: Delivery) -> str:
        """Copy the PDF atomically; never leaves a partial file."""
        folder = self.base_dir / str(self.settings["path"])
        target = folder / delivery.path.name
        try:
            write_atomically(target, delivery.path.read_bytes())
        except OSError as exc:
            raise DeliveryError(f"canal « {self.key} » : copie impossible vers {folder} ({exc.strerror})") from None
        return f"{delivery.audience} → {target}"


@hookimpl
def register_channels() -> list[type[Channel]]:
    """Register the folder channel."""
    return [FolderChannel]
