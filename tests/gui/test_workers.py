"""The background runner: a job's items reach the GUI thread one by one, and a worker
never runs more than a couple of items ahead of a busy GUI thread (each frame result
holds its label maps: a worker that outran the GUI queued them all in memory)."""

from __future__ import annotations

import time

from linepaint.gui.workers import MAX_IN_FLIGHT, JobRunner


def test_a_worker_waits_for_a_busy_gui_thread(qtbot):
    runner = JobRunner()
    produced, handled, ahead = [], [], []

    def job():
        for i in range(20):
            produced.append(i)
            yield i

    def on_item(i):
        # How far the worker got while this item waited for the GUI thread.
        ahead.append(len(produced) - len(handled))
        handled.append(i)
        time.sleep(0.02)  # a slow GUI thread: painting, thumbnails, applying the frame

    with qtbot.waitSignal(runner.finished, timeout=10000):
        assert runner.start("job", job, on_item)
    assert handled == list(range(20))
    # The item being handled, those sent, and the one the generator holds ready.
    assert max(ahead) <= MAX_IN_FLIGHT + 1, ahead


def test_cancelling_a_worker_that_waits_for_room_ends_it(qtbot):
    runner = JobRunner()
    handled = []

    def job():
        yield from range(1000)

    def on_item(i):
        handled.append(i)
        if i == 0:
            runner.cancel()

    with qtbot.waitSignal(runner.finished, timeout=10000) as blocker:
        assert runner.start("job", job, on_item)
    assert blocker.args == ["job", True]  # cancelled, not run to the end
    assert len(handled) <= MAX_IN_FLIGHT + 1
