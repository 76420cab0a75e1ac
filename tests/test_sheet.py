"""Swatches found on a colour model sheet."""

import numpy as np

from linepaint.core.image_io import read_rgba
from linepaint.core.sheet import sheet_patches, sheet_swatches


def test_flat_patches_of_a_drawn_sheet_in_reading_order():
    img = np.zeros((120, 200, 4), np.uint8)
    img[..., :3] = 255  # transparent paper
    img[10:40, 120:150] = (10, 20, 30, 255)  # top right box
    img[10:40, 20:50] = (200, 0, 0, 255)  # top left box
    img[70:100, 20:50] = (0, 200, 0, 255)  # lower box
    img[60:63, 100:190] = (0, 0, 200, 255)  # a thin line: not a patch
    yy, xx = np.mgrid[:120, :200]
    img[(yy - 90) ** 2 + (xx - 150) ** 2 < 15**2] = (5, 5, 5, 255)  # a disc: solid enough? no (~0.79)
    found = sheet_patches(img)
    assert [c for c, _ in found] == [(200, 0, 0, 255), (10, 20, 30, 255), (0, 200, 0, 255)]
    assert found[0][1] == (20, 10, 30, 30)
    assert (0, 0, 200, 255) not in [c for c, _ in found]
    assert (5, 5, 5, 255) not in [c for c, _ in found]


def test_dwanko_model_sheet_gives_every_colour_of_the_character(real_data):
    d = real_data / "dwanko"
    swatches = sheet_swatches(read_rgba(d / "colormodel_day.png"))
    gt = read_rgba(d / "gt" / "0001.png").reshape(-1, 4)
    used = {tuple(int(v) for v in c) for c in np.unique(gt[gt[:, 3] == 255], axis=0)}
    used.discard((0, 0, 0, 255))  # the frames' black lines; the sheet shows its own line colour
    found = {s.rgba for s in swatches}
    assert used <= found  # every colour painted on the character
    assert len(found) == len(used) + 1  # and the sheet's "solid line" box
