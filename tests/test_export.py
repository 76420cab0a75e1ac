"""The one export path: every kind from a project snapshot, one file per frame as the
generator goes, and never into a folder that holds the input frames."""

from pathlib import Path

import pytest
from gui.synthetic import BODY, keyed_project

from linepaint.core.errors import LinepaintError
from linepaint.core.export import KINDS, export_frames
from linepaint.core.image_io import read_rgba


@pytest.fixture
def proj(tmp_path):
    return keyed_project(tmp_path / "clip", frames=3)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_writes_one_file_per_frame_as_it_goes(proj, tmp_path, kind):
    out = tmp_path / "out"
    written = export_frames(proj.sequence(), out, kind, inputs=[])
    first = next(written)
    assert first == out / "f1.png" and sorted(p.name for p in out.iterdir()) == ["f1.png"]
    assert [p.name for p in written] == ["f2.png", "f3.png"]
    key = read_rgba(first)
    line = proj.line(0)
    if kind == "line":
        assert key[5, 5, 3] == 0 and key[line.ink].min(axis=0)[3] > 0
    else:
        assert tuple(key[30, 60]) == BODY  # inside the body of frame 1
        assert read_rgba(out / "f2.png")[..., 3][~proj.line(1).ink].max() == 0  # not coloured: clear
    if kind == "flat":
        assert (key[line.ink & ~line.trace] == (0, 0, 0, 255)).all()


def test_refuses_the_input_folder_and_leaves_it_as_it_was(proj):
    folder = Path(proj.frames[0]).parent
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(LinepaintError, match="refusing to write into .*input frames"):
        next(export_frames(proj.sequence(), folder, "composite", inputs=[folder]))
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
