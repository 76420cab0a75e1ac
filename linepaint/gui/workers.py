"""Background jobs: a long job is a plain generator (STYLE §1); a worker iterates it in a
QThread, emits each yielded item by signal, and checks a cancel flag between items, so a
cancelled job never leaves half a frame.  Results reach the GUI thread only through
signals delivered to :class:`JobRunner`, a QObject living in the GUI thread."""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import NamedTuple

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.errors import LinepaintError

#: Items a worker may have sent that the GUI thread has not yet handled.  Past that it
#: waits: a frame result holds its label maps, and a worker that outruns a busy GUI
#: thread (the learned engine's threads take both cores) queues them all in memory.
MAX_IN_FLIGHT = 2


class GeneratorWorker(QObject):
    """Runs ``make_job()`` (a generator) in its thread; one ``yielded`` per item, at most
    MAX_IN_FLIGHT of them not yet :meth:`taken` by the receiver."""

    yielded = Signal(object)
    done = Signal(bool, str)  # cancelled, error message ("" when none)

    def __init__(self, make_job: Callable[[], Iterator]):
        super().__init__()
        self._make_job = make_job
        self._cancel = threading.Event()
        self._room = threading.Semaphore(MAX_IN_FLIGHT)

    def cancel(self) -> None:
        self._cancel.set()

    def taken(self) -> None:
        """The receiver handled one item: the worker may send another."""
        self._room.release()

    def _wait_for_room(self) -> bool:
        """Block until the receiver has room for an item; False when cancelled meanwhile."""
        while not self._room.acquire(timeout=0.05):
            if self._cancel.is_set():
                return False
        return True

    @Slot()
    def run(self) -> None:
        error, cancelled = "", False
        gen = None
        try:
            gen = self._make_job()
            while True:
                if self._cancel.is_set():
                    cancelled = True
                    break
                try:
                    item = next(gen)
                except StopIteration:
                    break
                if not self._wait_for_room():
                    cancelled = True
                    break
                self.yielded.emit(item)
        except LinepaintError as exc:
            error = str(exc)
        except ImportError as exc:
            error = f"A component linepaint needs is not available ({exc})."
        except Exception as exc:  # a bug: the user reads one line, the log gets the trace
            from .app import describe_failure, log_text

            text = describe_failure(type(exc), exc, exc.__traceback__)
            log = log_text(text + "\n" + traceback.format_exc())
            traceback.print_exc(file=sys.stderr)
            error = text + (f" Details are in {log}." if log else "")
        finally:
            if gen is not None and hasattr(gen, "close"):
                try:
                    gen.close()
                except Exception:
                    pass
        self.done.emit(cancelled, error)


class _Queued(NamedTuple):
    """A job waiting for the runner: :meth:`JobRunner.start`'s arguments."""

    kind: str
    make_job: Callable[[], Iterator]
    on_item: Callable | None
    on_done: Callable | None
    total: int
    latest_only: bool


class JobRunner(QObject):
    """One job at a time on its own QThread.  ``finished(kind, cancelled)`` is emitted after
    the job's GUI-side ``on_done`` ran, so a waiter sees the document updated."""

    started = Signal(str)
    progress = Signal(str, int, int)  # kind, done, total
    finished = Signal(str, bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: GeneratorWorker | None = None
        self.kind = ""
        self._on_item: Callable | None = None
        self._on_done: Callable | None = None
        self._count = 0
        self._total = 0
        self._queued: list[_Queued] = []

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(
        self,
        kind: str,
        make_job: Callable[[], Iterator],
        on_item: Callable | None = None,
        on_done: Callable | None = None,
        total: int = 0,
        queue: bool = False,
        latest_only: bool = True,
    ) -> bool:
        """Start a job; when busy, either queue it or refuse (returns False).  A queued
        job replaces earlier queued ones of its kind when ``latest_only`` (a newer display
        makes an older one pointless).  A job that is not ``latest_only`` is an edit that
        must land (a gap line): it is never dropped from the queue, and when the runner
        stops before it began its ``on_done`` still runs, with ``cancelled`` True."""
        if self.busy:
            if queue:
                if latest_only:
                    self._queued = [q for q in self._queued if q.kind != kind or not q.latest_only]
                self._queued.append(_Queued(kind, make_job, on_item, on_done, total, latest_only))
                return True
            return False
        self.kind, self._on_item, self._on_done = kind, on_item, on_done
        self._count, self._total = 0, total
        thread = QThread()
        worker = GeneratorWorker(make_job)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.yielded.connect(self._item)
        worker.done.connect(self._done)
        self._thread, self._worker = thread, worker
        thread.start()
        self.started.emit(kind)
        self.progress.emit(kind, 0, total)
        return True

    def cancel(self) -> None:
        """Stop the running job and drop the queued ones, except edits (see :meth:`start`),
        which still run after it."""
        self._queued = [q for q in self._queued if not q.latest_only]
        if self._worker is not None:
            self._worker.cancel()

    def wait(self) -> None:
        """Cancel, block until the thread ended, and finish the job now: its ``on_done``
        runs before this returns (with what it delivered so far), and whatever the worker
        sent after that is dropped, so nothing of it reaches a document opened next.
        Queued edits then finish in order without running (``cancelled`` True)."""
        edits, self._queued = [q for q in self._queued if not q.latest_only], []
        self.cancel()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
        if self._worker is not None:
            self._finish(True, "")
        for q in edits:
            if q.on_done is not None:
                q.on_done(True, "")
            self.finished.emit(q.kind, True)

    def _stale(self) -> bool:
        """Is the signal being handled from a worker that is no longer this runner's?"""
        sender = self.sender()
        return sender is not None and sender is not self._worker

    @Slot(object)
    def _item(self, item) -> None:
        sender = self.sender()
        if isinstance(sender, GeneratorWorker):
            sender.taken()
        if self._stale():
            return
        self._count += 1
        if self._on_item is not None:
            self._on_item(item)
        self.progress.emit(self.kind, self._count, self._total)

    @Slot(bool, str)
    def _done(self, cancelled: bool, error: str) -> None:
        if not self._stale():
            self._finish(cancelled, error)

    def _finish(self, cancelled: bool, error: str) -> None:
        thread, kind, on_done = self._thread, self.kind, self._on_done
        if thread is not None:
            thread.quit()
            thread.wait()
        self._thread = self._worker = None
        self._on_item = self._on_done = None
        if on_done is not None:
            on_done(cancelled, error)
        self.finished.emit(kind, cancelled)
        if self._queued and not self.busy:
            q = self._queued.pop(0)
            self.start(q.kind, q.make_job, q.on_item, q.on_done, q.total, latest_only=q.latest_only)
