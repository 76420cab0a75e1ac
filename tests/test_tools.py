"""The painting tools as functions of (document, event), without a window: each returns
the edit it made, and undoing that edit gives the frame back."""

import numpy as np
import pytest
from gui.synthetic import BODY, keyed_project

from linepaint.core.project import CLEAR
from linepaint.gui.tools import GapDrag, RegionClick, Tool

RED = (255, 0, 0, 255)


@pytest.mark.parametrize(("tool", "painted"), [(Tool.BUCKET, RED), (Tool.UNFILL, CLEAR)])
def test_a_click_tool_returns_an_edit_of_the_clicked_region_that_undo_takes_back(tmp_path, tool, painted):
    proj = keyed_project(tmp_path / "clip", frames=2)
    body = int(np.nonzero((proj.colours(0) == BODY).all(axis=1))[0][0])
    before = proj.colours(0).copy()
    change = tool.edit(proj, RegionClick(0, proj.seg(0), body, RED))
    assert tuple(proj.colours(0)[body]) == painted and proj.state(0).locks[body] == painted
    changed = np.nonzero((proj.colours(0) != before).any(axis=1))[0]
    assert changed.tolist() == [body]
    proj.apply(change, undo=True)
    assert np.array_equal(proj.colours(0), before) and proj.state(0).locks == {}


def test_the_picker_and_gap_line_edit_nothing_on_a_click():
    assert Tool.PICKER.edit is None and Tool.GAP.edit is None


def test_a_gap_drag_becomes_a_stroke_without_repeated_points():
    drag = GapDrag(0, ((10.04, 5.0), (10.0, 5.01), (20.0, 5.0), (20.0, 5.0)))
    assert drag.stroke().points == ((10.0, 5.0), (20.0, 5.0))
    assert GapDrag(0, ((3.0, 4.0),)).stroke().points == ((3.0, 4.0),)  # a click: a dot
