"""Palette: extraction, GIMP .gpl and JSON round trips, clear errors."""

import numpy as np
import pytest

from linepaint.core.palette import (
    PaletteError,
    Swatch,
    extract_from_image,
    extract_palette,
    from_gpl,
    read_palette,
    to_gpl,
    write_palette,
)

SW = [
    Swatch("skin", (250, 220, 200, 255)),
    Swatch("hair shadow", (20, 30, 40, 255)),
    Swatch("glass", (100, 150, 200, 128)),
    Swatch("shadow @a50", (10, 10, 10, 255)),  # a name that looks like the alpha tag
    Swatch("smoke @a50", (10, 10, 10, 80)),
]


@pytest.mark.parametrize("suffix", [".gpl", ".json"])
def test_round_trip(tmp_path, suffix):
    path = tmp_path / f"pal{suffix}"
    write_palette(path, SW)
    assert read_palette(path) == SW


def test_gpl_is_gimp_readable_text():
    text = to_gpl(SW, "shot")
    assert text.startswith("GIMP Palette\nName: shot\n")
    assert "250 220 200\tskin" in text
    parsed = from_gpl("GIMP Palette\nName: x\nColumns: 4\n# c\n  1   2   3\tUntitled\n255 0 0\n")
    assert parsed[0] == Swatch("Untitled", (1, 2, 3, 255))
    assert parsed[1].rgba == (255, 0, 0, 255)


@pytest.mark.parametrize("text", ["hello", "GIMP Palette\n1 2\n", "GIMP Palette\n300 0 0 x\n"])
def test_bad_gpl(text):
    with pytest.raises(PaletteError):
        from_gpl(text, "bad.gpl")


@pytest.mark.parametrize(
    "body", ['{"swatches": [{"nom": 1}]}', '{"swatches": [{"name": "x", "rgba": [1e400, 0, 0]}]}']
)
def test_bad_json(tmp_path, body):
    p = tmp_path / "p.json"
    p.write_text(body)
    with pytest.raises(PaletteError, match="p.json"):
        read_palette(p)


def test_gpl_saved_by_a_windows_editor_with_a_byte_order_mark(tmp_path):
    p = tmp_path / "bom.gpl"
    p.write_bytes("\ufeffGIMP Palette\nName: x\n250 220 200\tskin\n".encode())
    assert read_palette(p) == [Swatch("skin", (250, 220, 200, 255))]


def test_extract():
    t1 = np.array([[0, 0, 0, 0], [255, 0, 0, 255], [0, 0, 255, 255], [0, 0, 0, 0]], np.uint8)
    t2 = np.array([[0, 0, 0, 0], [0, 0, 255, 255]], np.uint8)
    sw = extract_palette([t1, t2])
    assert [s.rgba for s in sw] == [(0, 0, 255, 255), (255, 0, 0, 255)]
    img = np.zeros((10, 10, 4), np.uint8)
    img[:5] = (1, 2, 3, 255)
    img[5:, :3] = (9, 9, 9, 255)
    assert [s.rgba for s in extract_from_image(img)] == [(1, 2, 3, 255), (9, 9, 9, 255)]
