"""Swatches as identities: regions remember their swatch, a swatch edit recolours every
frame, styles (day, night) switch the whole project, old project files still open."""

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pytest
from gui.synthetic import BODY, EYE, FLOOR, keyed_project

from linepaint.core.errors import LinepaintError
from linepaint.core.image_io import read_rgba
from linepaint.core.palette import Swatch
from linepaint.core.project_file import open_project, save_project
from linepaint.core.swatches import ids_for, style_by_name, style_from_sheets, with_ids

NIGHT_BODY = (60, 40, 120, 255)


def keyed(tmp_path, frames=3):
    return keyed_project(tmp_path / "clip", frames, range(frames))


def test_every_region_stores_its_swatch(tmp_path):
    proj = keyed(tmp_path)
    assert len({s.id for s in proj.palette}) == len(proj.palette) and all(s.id > 0 for s in proj.palette)
    body = next(s for s in proj.palette if s.rgba == BODY)
    for i in range(3):
        ids = proj.state(i).swatches
        assert ids is not None
        assert (proj.colours(i)[ids == body.id] == BODY).all()
        assert (ids == body.id).sum() >= 1


def test_a_swatch_edit_recolours_every_frame_in_one_undo_step(tmp_path):
    proj = keyed(tmp_path)
    body = next(s for s in proj.palette if s.rgba == BODY)
    pal = [replace(s, rgba=NIGHT_BODY) if s.id == body.id else s for s in proj.palette]
    change = proj.set_palette(pal, "Recolour swatch")
    assert len(change.frames) == 3
    for i in range(3):
        ids = proj.state(i).swatches
        assert (proj.colours(i)[ids == body.id] == NIGHT_BODY).all()
        assert not (proj.colours(i) == BODY).all(axis=1).any()
    proj.apply(change, undo=True)
    for i in range(3):
        assert (proj.colours(i) == BODY).all(axis=1).any()


def test_a_filled_region_keeps_its_swatch_when_two_swatches_share_a_colour(tmp_path):
    proj = keyed(tmp_path, frames=1)
    twin = Swatch("body twin", BODY)
    proj.set_palette(proj.palette + [twin])
    twin = proj.palette[-1]
    r = int(np.nonzero((proj.colours(0) == EYE).all(axis=1))[0][0])
    proj.fill(0, r, BODY, swatch=twin.id)
    assert proj.state(0).swatches[r] == twin.id
    proj.set_palette([replace(s, rgba=(1, 2, 3, 255)) if s.id == twin.id else s for s in proj.palette])
    assert tuple(proj.colours(0)[r]) == (1, 2, 3, 255)
    assert (proj.colours(0) == BODY).all(axis=1).any()  # the other body regions did not follow
    assert proj.state(0).locks[r] == (1, 2, 3, 255)  # propagation keeps the new colour


def test_style_switch_and_styled_export_colours(tmp_path):
    proj = keyed(tmp_path)
    body = next(s for s in proj.palette if s.rgba == BODY)
    proj.add_style("night", {body.id: NIGHT_BODY})
    assert proj.styled_colours(1, "night")[proj.state(1).swatches == body.id].tolist() != []
    assert (proj.styled_colours(1, "night")[proj.state(1).swatches == body.id] == NIGHT_BODY).all()
    assert (proj.colours(1) == BODY).all(axis=1).any()  # the project stays in its style
    seq = proj.sequence("night")
    assert (seq.colours(2)[proj.state(2).swatches == body.id] == NIGHT_BODY).all()
    change = proj.set_style("night")
    assert proj.style == "night" and set(proj.styles) == {"default", "night"}
    assert not (proj.colours(0) == BODY).all(axis=1).any()
    assert next(s for s in proj.palette if s.id == body.id).rgba == NIGHT_BODY
    back = proj.set_style("default")
    assert (proj.colours(0) == BODY).all(axis=1).any()
    proj.apply(back, undo=True)
    proj.apply(change, undo=True)
    assert proj.style == "default" and (proj.colours(0) == BODY).all(axis=1).any()


def test_swatch_ids_and_styles_survive_save_and_open(tmp_path):
    proj = keyed(tmp_path)
    body = next(s for s in proj.palette if s.rgba == BODY)
    proj.add_style("night", {body.id: NIGHT_BODY})
    save_project(proj, tmp_path / "shot.lpproj")
    back = open_project(tmp_path / "shot.lpproj")
    assert back.palette == proj.palette and back.styles["night"] == {body.id: NIGHT_BODY}
    for i in range(3):
        assert np.array_equal(back.state(i).swatches, proj.state(i).swatches)
    back.set_style("night")
    assert (back.colours(2)[back.state(2).swatches == body.id] == NIGHT_BODY).all()


def _as_version_1(path):
    """Rewrite a project file as linepaint wrote it before swatch ids: version 1, no ids
    in the palette, no swatch arrays, no styles."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    doc = json.loads(members["project.json"])
    doc["version"] = 1
    doc["palette"] = [{"name": s["name"], "rgba": s["rgba"]} for s in doc["palette"]]
    doc.pop("style"), doc.pop("styles")
    members["project.json"] = json.dumps(doc).encode()
    for n in list(members):
        if n.endswith(".npz"):
            with np.load(io.BytesIO(members[n])) as z:
                arrays = {k: z[k] for k in z.files if k != "swatches"}
            buf = io.BytesIO()
            np.savez_compressed(buf, **arrays)
            members[n] = buf.getvalue()
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)


def test_a_project_saved_before_swatch_ids_opens_with_its_colours(tmp_path):
    proj = keyed(tmp_path)
    save_project(proj, tmp_path / "old.lpproj")
    _as_version_1(tmp_path / "old.lpproj")
    with zipfile.ZipFile(tmp_path / "old.lpproj") as zf:
        assert json.loads(zf.read("project.json"))["version"] == 1
    old = open_project(tmp_path / "old.lpproj")
    for i in range(3):
        assert np.array_equal(old.colours(i), proj.colours(i))
        assert old.state(i).swatches is None
    assert all(s.id > 0 for s in old.palette)
    # Its regions' swatches are found from their colours, so a swatch edit still works.
    body = next(s for s in old.palette if s.rgba == BODY)
    change = old.set_palette([replace(s, rgba=NIGHT_BODY) if s.id == body.id else s for s in old.palette])
    assert len(change.frames) == 3
    assert all((old.colours(i) == NIGHT_BODY).all(axis=1).any() for i in range(3))


def test_ids_for_and_with_ids():
    pal = with_ids([Swatch("a", BODY), Swatch("b", EYE, 7), Swatch("c", FLOOR, 7)])
    assert [s.id for s in pal] == [8, 7, 9]
    table = np.array([(0, 0, 0, 0), BODY, (0, 0, 0, 0), EYE, (1, 1, 1, 255)], np.uint8)
    assert ids_for(table, [pal]).tolist() == [0, 8, 0, 7, 0]


def test_style_by_name_and_its_error():
    pal = with_ids([Swatch("Skin", BODY), Swatch("Eye", EYE)])
    assert style_by_name(pal, [Swatch("eye", (1, 1, 1, 255))]) == {pal[1].id: (1, 1, 1, 255)}
    assert style_by_name(pal, [Swatch("x", (1, 1, 1, 255)), Swatch("y", (2, 2, 2, 255))])[pal[0].id] == (
        1,
        1,
        1,
        255,
    )
    with pytest.raises(LinepaintError, match="night.gpl"):
        style_by_name(pal, [Swatch("x", (1, 1, 1, 255))], "night.gpl")


def test_dwanko_night_style_from_its_model_sheets(real_data):
    """The day and night model sheets share their layout: each day colour of the palette
    becomes the night colour drawn in its place."""
    d = real_data / "dwanko"
    day, night = read_rgba(d / "colormodel_day.png"), read_rgba(d / "colormodel_night.png")
    from linepaint.core.palette import extract_from_image

    pal = with_ids(extract_from_image(read_rgba(d / "gt" / "0001.png")))
    style = style_from_sheets(pal, day, night)
    by_day = {s.rgba: style.get(s.id) for s in pal}
    assert by_day[(221, 152, 91, 255)] == (75, 200, 203, 255)  # skin
    assert by_day[(87, 156, 59, 255)] == (74, 48, 143, 255)  # clothes
    assert len(style) >= 12
    with pytest.raises(LinepaintError, match="same|size|layout"):
        style_from_sheets(pal, day, night[:10])


def test_propagation_keeps_two_swatches_of_one_colour_apart(tmp_path):
    """The eye of the keyframe is painted with a swatch that has the body's colour: the
    propagated frames' eyes keep that swatch, so recolouring it moves only the eyes."""
    from gui.synthetic import OverlapMatcher

    from linepaint.core.propagate import propagate
    from linepaint.core.run import Run

    proj = keyed_project(tmp_path / "clip", 3)
    proj.set_palette(proj.palette + [Swatch("eye twin", BODY)])
    twin = proj.palette[-1]
    eye = int(np.nonzero((proj.colours(0) == EYE).all(axis=1))[0][0])
    proj.fill(0, eye, BODY, swatch=twin.id)
    seq = proj.sequence()
    run = Run(proj, seq, "Propagate {n} frame(s)")
    for r in propagate(seq, OverlapMatcher(), locks=seq.locks()):
        run.apply(r)
    for i in (1, 2):
        ids = proj.state(i).swatches
        assert (ids == twin.id).sum() == 1
    proj.set_palette([replace(s, rgba=EYE) if s.id == twin.id else s for s in proj.palette])
    for i in (1, 2):
        assert (proj.colours(i) == EYE).all(axis=1).sum() == 1
        assert (proj.colours(i) == BODY).all(axis=1).any()
