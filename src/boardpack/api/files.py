"""Writing files as a plugin that must (a channel copying a pack to a shared folder) should.

:func:`write_atomically` writes the whole file under a temporary name, flushes it to disk and
renames it into place: a reader never sees half a PDF, and a crash leaves the previous file.
The file gets the permissions the umask gives a new file (0644 typically: colleagues on a
shared drive can read it); ``mode=0o600`` keeps a secret to its owner.
"""

from __future__ import annotations

from ..render.pdf import write_atomically

__all__ = ["write_atomically"]
