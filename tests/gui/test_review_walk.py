"""The walk of N / M (and Shift+): through this frame's regions, then the frames around."""

from linepaint.gui.review import frames_after, step_cursor


def test_the_cursor_walks_this_frame_then_hands_on():
    assert step_cursor(-1, 3, back=False) == 0
    assert step_cursor(1, 3, back=False) == 2
    assert step_cursor(2, 3, back=False) is None  # next frame's turn
    assert step_cursor(-1, 3, back=True) == 2  # going back from none starts at the last
    assert step_cursor(0, 3, back=True) is None
    assert step_cursor(-1, 0, back=False) is None and step_cursor(-1, 0, back=True) is None


def test_frames_are_looked_at_nearest_first():
    assert list(frames_after(2, 5, back=False)) == [3, 4]
    assert list(frames_after(2, 5, back=True)) == [1, 0]
    assert list(frames_after(4, 5, back=False)) == []
