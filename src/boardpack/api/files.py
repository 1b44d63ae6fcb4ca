"""Writing files as a plugin that must (a channel copying a pack to a shared folder) should.

:func:`write_atomically` writes the whole file under a temporary name, flushes it to disk and
renames it into place: a reader never sees half a PDF, and a crash leaves the previous file.
"""

from __future__ import annotations

from ..render.pdf import write_atomically

__all__ = ["write_atomically"]
