"""HTML to PDF with WeasyPrint: restricted fetching, tagged PDFs, PDF/A-3b, worker processes.

WeasyPrint may read ``data:`` URIs and files inside the allowed folders (the theme chain);
anything else is refused, so a template cannot pull a remote resource into a board pack.
The PDFs are written to temporary files beside their targets and renamed when all are
complete (:func:`write_together`), so an interrupted build never leaves a half-written pack
that looks finished, nor some packs of a run without the others.

Every PDF is tagged for assistive technologies (PDF/UA-1, or PDF/A-3b with tags). A pack
may be written as PDF/A-3b with files embedded (its figures as CSV, see
:mod:`boardpack.render.archive`); the combined PDF of several packs is one more HTML document
(:mod:`boardpack.build.combined`). :class:`Layouts` lays packs out in worker processes; only
plain data (:class:`PdfJob`) crosses to them, and they return PDF bytes.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import multiprocessing
import os
import pickle
import sys
import tempfile
import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote, urlparse

from ..errors import BoardpackError, RenderError

__all__ = [
    "PDFA_VARIANT", "PDFUA_VARIANT", "EmbeddedFile", "Layouts", "PdfJob", "fsync_folder",
    "default_mode", "forks_workers", "html_to_pdf", "lay_out", "picklable", "pool_context", "remove_stale_parts",
    "restricted_fetcher", "write_atomically", "write_document", "write_together",
]

#: The WeasyPrint variant of ``--pdfa``: PDF/A-3, level B (visual), files may be embedded.
PDFA_VARIANT = "pdf/a-3b"
#: The WeasyPrint variant of every other pack: PDF/UA-1 (tagged, document language and title shown).
PDFUA_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class EmbeddedFile:
    """A file embedded in a PDF; with PDF/A-3, an associated file of the whole document."""

    name: str
    data: bytes
    description: str = ""
    #: how it relates to the document (ISO 32000-2 AFRelationship); ``Data``: the data shown
    relationship: str = "Data"


@dataclass(frozen=True)
class PdfJob:
    """One pack to lay out: plain data, so that it can be sent to a worker process."""

    html: str
    base_url: Path
    allowed: tuple[Path, ...]
    created: dt.date | None = None
    pdfa: bool = False
    attachments: tuple[EmbeddedFile, ...] = ()


def restricted_fetcher(allowed: Iterable[Path]) -> Any:
    """A WeasyPrint URL fetcher allowing ``data:`` URIs and files under ``allowed`` folders.

    Anything else stops the rendering (it never falls back to fetching from the network),
    and so does a missing allowed file, so a pack never silently lacks its logo.
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = [Path(p).resolve() for p in allowed]

    class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                parsed = urlparse(url)
                path = Path(unquote(parsed.path)).resolve()
                if parsed.scheme != "file" or not any(path == r or r in path.parents for r in roots):
                    raise FatalURLFetchingError(f"ressource refusée dans le document : {url}")
            return super().fetch(url, headers)

    return RestrictedFetcher(allowed_protocols=("data", "file"), fail_on_errors=True)


@contextmanager
def _source_date(epoch: int) -> Iterator[None]:
    """Pin the timestamps fontTools writes into embedded font subsets (reproducible builds)."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep what exists now out of the garbage collections WeasyPrint's many objects trigger.

    Each full collection would otherwise walk the whole heap (the datasets, matplotlib…) and,
    in a forked worker, copy every page of it. A heap someone else froze is left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _render_errors() -> Iterator[None]:
    """Turn whatever WeasyPrint raises into one :class:`RenderError` sentence."""
    try:
        yield
    except BaseException as exc:  # FatalURLFetchingError is a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, BoardpackError)):
            raise
        cause = exc.__cause__ or exc  # WeasyPrint raises many types; the user needs one sentence
        raise RenderError(f"mise en page PDF impossible : {exc} ({cause.__class__.__name__})") from None


def _midnight(created: dt.date | None) -> dt.datetime:
    return dt.datetime.combine(created or dt.date(2000, 1, 1), dt.time(), dt.timezone.utc)


def _variant(pdfa: bool) -> dict[str, Any]:
    """Every PDF is tagged (structure tree, reading order, ``/Lang``, text alternatives of
    images): PDF/UA-1 by default. WeasyPrint declares one variant per PDF, so a PDF/A-3b pack
    is tagged too (``pdf_tags``) but declares PDF/A only."""
    return {"pdf_variant": PDFA_VARIANT, "pdf_tags": True} if pdfa else {"pdf_variant": PDFUA_VARIANT}


def lay_out(job: PdfJob) -> Any:
    """Lay out ``job`` (a WeasyPrint ``Document``, ready to be written)."""
    from weasyprint import HTML

    with _render_errors(), _frozen_heap():
        html = HTML(string=job.html, base_url=str(job.base_url), url_fetcher=restricted_fetcher(job.allowed))
        return html.render(**_variant(job.pdfa))


def write_document(document: Any, created: dt.date | None = None, pdfa: bool = False,
                   attachments: Sequence[EmbeddedFile] = ()) -> bytes:
    """The PDF bytes of a laid-out document.

    :param created: the document's date; the embedded fonts and files are stamped with it
        so that the same inputs give the same bytes.
    """
    from weasyprint import Attachment

    when = _midnight(created)
    with _render_errors(), _source_date(int(when.timestamp())), _frozen_heap(), warnings.catch_warnings():
        # WeasyPrint 70 never closes the sRGB profile it opens for the PDF/A output intent.
        warnings.filterwarnings("ignore", r"unclosed file .*sRGB2014\.icc", ResourceWarning)
        files = [
            Attachment(file_obj=io.BytesIO(f.data), name=f.name, description=f.description,
                       created=when, modified=when, relationship=f.relationship)
            for f in attachments
        ]
        pdf: bytes = document.write_pdf(uncompressed_pdf=False, attachments=files or None,
                                        finisher=_associated_files_once, **_variant(pdfa))
        return pdf


def _associated_files_once(document: Any, pdf: Any) -> None:
    """WeasyPrint 70 lists each embedded file twice in the catalog's /AF: keep each once."""
    import pydyf

    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def html_to_pdf(html: str, base_url: Path, allowed: Iterable[Path], created: dt.date | None = None, *,
                pdfa: bool = False, attachments: Sequence[EmbeddedFile] = ()) -> bytes:
    """Lay out ``html`` and return the PDF bytes (PDF/A-3b with ``attachments`` if ``pdfa``).

    :param created: the document's date; the embedded fonts are stamped with it so that
        the same inputs give the same bytes.
    """
    job = PdfJob(html, base_url, tuple(allowed), created, pdfa, tuple(attachments))
    return write_document(lay_out(job), created, pdfa, attachments)


class Layouts:
    """Lays PDFs out in worker processes, or here with one worker, and keeps the bytes.

    Nothing is written to disk: :meth:`results` hands every PDF back once all succeeded, so
    that the caller can write them all or none. A failure in a worker reaches the caller as
    the :class:`RenderError` it raised there.
    """

    def __init__(self, workers: int, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        """:param initializer: called with ``initargs`` in each worker as it starts (with ``fork``
            workers, ``initargs`` are inherited, not pickled: see :func:`forks_workers`)."""
        self.workers = max(1, min(workers, os.cpu_count() or 1))
        self._initializer, self._initargs = initializer, initargs
        self._executor: ProcessPoolExecutor | None = None
        self._pending: dict[Hashable, Future[Any]] = {}
        self._order: list[Hashable] = []
        self._done: dict[Hashable, Any] = {}

    @property
    def parallel(self) -> bool:
        """Whether layouts go to worker processes."""
        return self.workers > 1

    def start(self) -> None:
        """Start the worker processes now rather than at the first :meth:`submit`, so that their
        ``initializer`` (a warm-up: imports, caches) runs while this process still works."""
        if self.parallel and self._executor is None:
            self._executor = ProcessPoolExecutor(self.workers, mp_context=pool_context(),
                                                 initializer=self._initializer, initargs=self._initargs)
            self._executor.submit(int)  # forked workers are all started at the first submission

    def busy(self) -> int:
        """How many submitted PDFs are still being made or waiting for a worker."""
        return sum(not future.done() for future in self._pending.values())

    def submit(self, key: Hashable, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Make PDF ``key`` with ``function(*args, **kwargs)`` (its PDF bytes, or what it returns).

        It runs in a worker if there are several and ``function`` can be sent to one (a
        closure cannot), else here and now, raising its error at once.
        """
        self._raise_failure(self._pending.values())  # a pack already failed: stop here
        self._order.append(key)
        if not self.parallel or not picklable(function):
            self._done[key] = function(*args, **kwargs)
            return
        if self._executor is None:
            import weasyprint  # noqa: F401  (forked workers start with it imported)

            self._executor = ProcessPoolExecutor(self.workers, mp_context=pool_context(),
                                                 initializer=self._initializer, initargs=self._initargs)
        try:
            self._pending[key] = self._executor.submit(function, *args, **kwargs)
        except BrokenProcessPool as exc:  # a worker died before this submission
            self.close()
            raise _user_error(exc) from None

    def results(self, laid_out: Callable[[Hashable], None] | None = None) -> dict[Hashable, Any]:
        """Every PDF, in submission order, once all are made; else the first failure.

        :param laid_out: called with each PDF's key as soon as it is made (progress display).
        """
        laid_out = laid_out or (lambda key: None)
        for key in self._order:
            if key in self._done:
                laid_out(key)
        keys = {id(future): key for key, future in self._pending.items()}
        remaining = set(self._pending.values())
        while remaining:
            done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            self._raise_failure(done)
            for future in done:
                laid_out(keys[id(future)])
        self._done.update((key, future.result()) for key, future in self._pending.items())
        return {key: self._done[key] for key in self._order}

    def _raise_failure(self, done: Iterable[Future[Any]]) -> None:
        """Raise the error of the first pack, in submission order, that failed among ``done``."""
        finished = {id(future) for future in done if future.done()}
        for key in self._order:
            future = self._pending.get(key)
            if future is not None and id(future) in finished and future.exception() is not None:
                self.abort()  # the other packs are not wanted any more
                raise _user_error(future.exception())

    def close(self) -> None:
        """Stop the workers (queued layouts are cancelled, running ones finish)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> Self:
        return self

    def abort(self) -> None:
        """Stop the workers at once, whatever they are doing (warming up, laying out): after a
        failure elsewhere in the build nothing of theirs is wanted, and the user should not wait."""
        if self._executor is not None:
            for process in list((getattr(self._executor, "_processes", None) or {}).values()):
                process.terminate()
        self.close()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if error is not None:
            self.abort()
        else:
            self.close()


def picklable(function: Callable[..., Any]) -> bool:
    """Whether ``function`` (or any value) can be sent to a worker process (a closure cannot)."""
    try:
        pickle.dumps(function)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


def pool_context() -> Any:
    """``fork`` on Linux (workers start at once, WeasyPrint already imported), else the default."""
    return multiprocessing.get_context("fork" if sys.platform == "linux" else None)


def forks_workers() -> bool:
    """Whether :class:`Layouts` workers are forked (Linux): they then start with a copy of this
    process's memory, so they can render from the build's state without it being pickled."""
    return pool_context().get_start_method() == "fork"


def _user_error(exc: BaseException | None) -> BaseException:
    if isinstance(exc, (BoardpackError, KeyboardInterrupt)):
        return exc
    if isinstance(exc, BrokenProcessPool):
        return RenderError("mise en page PDF impossible : un processus de mise en page s'est arrêté "
                           "brutalement (BrokenProcessPool)")
    return RenderError(f"mise en page PDF impossible : {exc} ({exc.__class__.__name__})")


def write_atomically(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed on success, durably.

    The file is ``fsync``-ed before the rename and its folder after, so a crash leaves
    either the old content or the new one, never an empty file.

    :param mode: permissions of the new file, set before any byte is written (default: what
        the umask gives a new file, 0644 typically; 0600 for a secret such as a token).
    """
    write_together({path: data}, mode)


def write_together(files: Mapping[Path, bytes], mode: int | None = None) -> None:
    """Write several files all or none: each to a hidden ``.<name>.<random>.part`` beside its
    target, ``fsync``-ed, then all renamed. On any failure, what this call wrote is removed
    (temporaries, and the targets already renamed) and the error raised.

    :param mode: as for :func:`write_atomically`.
    """
    mode = default_mode() if mode is None else mode
    temporaries: list[tuple[str, Path]] = []
    renamed: list[Path] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            temporaries.append((temporary, path))
            os.fchmod(handle, mode)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        for temporary, path in temporaries:
            os.replace(temporary, path)
            renamed.append(path)
    except BaseException:
        for temporary, _ in temporaries:
            Path(temporary).unlink(missing_ok=True)
        for path in renamed:
            path.unlink(missing_ok=True)
        raise
    for folder in dict.fromkeys(path.parent for path in files):
        fsync_folder(folder)


def default_mode() -> int:
    """The permissions a new file gets under the process's umask (``0o666 & ~umask``)."""
    try:  # Linux says it without changing it
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def remove_stale_parts(folder: Path, before: float) -> None:
    """Remove the ``.*.part`` files of ``folder`` older than ``before`` (a timestamp): what a
    run killed while writing left behind. A run still writing has newer ones."""
    for part in folder.glob(".*.part"):
        try:
            if part.is_file() and part.stat().st_mtime < before:
                part.unlink()
        except OSError:
            continue


def fsync_folder(folder: Path) -> None:
    """Make the entries of ``folder`` (a rename, a new file) durable; ignored where unsupported."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
