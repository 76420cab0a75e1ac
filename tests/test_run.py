"""Batch runs without Qt: results applied as they arrive close into one change that undo
takes back exactly, with an edit made mid-run kept in its place in the history."""

import numpy as np
import pytest
from gui.synthetic import EYE, OverlapMatcher, keyed_project

from linepaint.core.propagate import carry_fix_forward, propagate
from linepaint.core.run import Run

RED = (255, 0, 0, 255)


@pytest.fixture
def proj(tmp_path):
    return keyed_project(tmp_path / "clip", frames=7)


def snapshot(proj):
    return {
        p: (None if s.colours is None else s.colours.copy(), dict(s.locks), s.reference)
        for p, s in proj.states.items()
    }


def same(a, b):
    return a.keys() == b.keys() and all(
        (x[0] is None) == (y[0] is None) and (x[0] is None or np.array_equal(x[0], y[0])) and x[1:] == y[1:]
        for x, y in ((a[k], b[k]) for k in a)
    )


def test_undo_of_a_run_restores_every_frame_and_redo_gives_it_back(proj):
    before = snapshot(proj)
    seq = proj.sequence()
    run = Run(proj, seq, "Propagate {n} frame(s)")
    for r in propagate(seq, OverlapMatcher(), locks=seq.locks()):
        assert run.apply(r) == r.index
    change = run.close()
    assert change.text == "Propagate 6 frame(s)" and len(change.frames) == 6 and run.count == 6
    after = snapshot(proj)
    assert all(proj.state(i).colours is not None for i in range(7))
    proj.apply(change, undo=True)
    assert same(snapshot(proj), before)
    proj.apply(change)
    assert same(snapshot(proj), after)
    assert run.close().empty  # everything was handed out already


def test_an_edit_during_a_run_sits_between_its_two_history_steps(proj):
    """The run is closed before the edit and goes on after it: undoing step by step
    gives back exactly the states the user saw at each point."""
    before = snapshot(proj)
    seq = proj.sequence()
    run = Run(proj, seq, "Propagate {n} frame(s)")
    results = propagate(seq, OverlapMatcher(), locks=seq.locks())
    for _ in range(3):
        run.apply(next(results))
    first = run.close(" (so far)")
    assert first.text == "Propagate 3 frame(s) (so far)"
    seen = snapshot(proj)
    i = next(iter(proj.frames.index(p) for p in first.frames))
    eye = int(np.nonzero((proj.colours(i) == EYE).all(axis=1))[0][0])
    fix = proj.fill(i, eye, RED)
    fixed = snapshot(proj)
    for r in results:
        run.apply(r)
    second = run.close()
    assert len(second.frames) == 3 and not set(second.frames) & set(first.frames)
    assert tuple(proj.colours(i)[eye]) == RED  # the run did not paint over the fix
    for change, expected in ((second, fixed), (fix, seen), (first, before)):
        proj.apply(change, undo=True)
        assert same(snapshot(proj), expected)


def test_a_carried_fix_keeps_the_locks_it_was_solved_with_and_undo_drops_them(proj):
    seq = proj.sequence()
    run = Run(proj, seq, "Propagate {n} frame(s)")
    for r in propagate(seq, OverlapMatcher(), locks=seq.locks()):
        run.apply(r)
    run.close()
    eye = int(np.nonzero((proj.colours(2) == EYE).all(axis=1))[0][0])
    proj.fill(2, eye, RED)
    before = snapshot(proj)
    seq = proj.sequence()
    carry = Run(proj, seq, "Carry ({n})", own_locks=True)
    for r in carry_fix_forward(seq, OverlapMatcher(), 2, eye, RED):
        carry.apply(r)
    change = carry.close()
    assert sorted(proj.frames.index(p) for p in change.frames) == [3, 4, 5, 6]
    for k in range(3, 7):
        assert RED in proj.state(k).locks.values()
    proj.apply(change, undo=True)
    assert same(snapshot(proj), before)
    assert all(RED not in proj.state(k).locks.values() for k in range(3, 7))


def test_a_result_for_a_frame_made_a_keyframe_meanwhile_is_left_out(proj):
    seq = proj.sequence()
    run = Run(proj, seq, "Propagate {n} frame(s)")
    proj.set_keyframe(4, True, proj.seg(4))
    kept = proj.state(4)
    applied = [run.apply(r) for r in propagate(seq, OverlapMatcher(), locks=seq.locks())]
    assert sorted(applied) == [-1, 1, 2, 3, 5, 6]
    change = run.close()
    assert proj.frames[4] not in change.frames and proj.state(4) is kept
