"""The Qt binding itself: emitting signals must not eat references to True.

PySide6 6.12.0 lost one reference to True with every signal emitted from Python; after
a few hundred frames of propagation the app aborted at exit ("bool_dealloc: deallocating
True or False").  pyproject.toml excludes that version; this test catches any other."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal(int)


def test_emitting_a_signal_keeps_the_references_to_true(qapp):
    e = _Emitter()
    got = []
    e.ping.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(500):
        e.ping.emit(i)
    assert len(got) == 500
    assert sys.getrefcount(True) - before > -50
