"""Reading every kind of file a studio sends, and refusing bad ones with a clear message."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from linepaint.core.errors import ImageReadError, LinepaintError
from linepaint.core.image_io import image_size, read_rgba, write_png
from linepaint.core.lineart import line_art_from_rgba, read_line_art


def _png_with_header(path, width: int, height: int) -> None:
    """A PNG whose IHDR claims width x height (no real pixel data behind it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_text("hello, I am a text file"), "not an image"),
        (lambda p: p.write_bytes(open(__file__, "rb").read()[:40]), "not an image"),
        (lambda p: _png_with_header(p, 100_000, 100_000), "too large"),
        (lambda p: _png_with_header(p, 0, 10), "size"),
    ],
    ids=["empty", "text", "garbage", "gigantic", "zero-size"],
)
def test_bad_files_raise_one_clear_error(tmp_path, make, words):
    path = tmp_path / "frame_0001.png"
    make(path)
    with pytest.raises(ImageReadError) as info:
        read_rgba(path)
    message = str(info.value)
    assert "frame_0001.png" in message
    assert words in message
    assert isinstance(info.value, LinepaintError)


def test_truncated_png_is_reported_not_crashed(tmp_path):
    good = tmp_path / "good.png"
    write_png(good, np.full((64, 64, 4), 200, np.uint8))
    bad = tmp_path / "cut.png"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(ImageReadError, match="cut.png"):
        read_rgba(bad)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImageReadError, match="not found"):
        read_rgba(tmp_path / "nope.png")
    with pytest.raises(ImageReadError, match="folder"):
        read_rgba(tmp_path)


def _stroke_variants(tmp_path):
    """The same black cross as 8-bit RGBA, 16-bit RGB on white, grey, grey+alpha, palette,
    JPEG, float and 32-bit integer."""
    alpha = np.zeros((40, 40), np.uint8)
    cv2.line(alpha, (5, 20), (35, 20), 255, 1, lineType=cv2.LINE_AA)
    cv2.line(alpha, (20, 5), (20, 35), 255, 1, lineType=cv2.LINE_AA)
    paths = {}
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[..., 3] = alpha
    paths["rgba8"] = tmp_path / "rgba8.png"
    write_png(paths["rgba8"], rgba)
    grey = 255 - alpha
    rgb16 = np.repeat((grey.astype(np.uint16) * 257)[..., None], 3, axis=2)
    paths["rgb16"] = tmp_path / "rgb16.png"
    cv2.imwrite(str(paths["rgb16"]), rgb16)
    paths["grey"] = tmp_path / "grey.png"
    cv2.imwrite(str(paths["grey"]), grey)
    paths["grey16"] = tmp_path / "grey16.tif"
    cv2.imwrite(str(paths["grey16"]), grey.astype(np.uint16) * 257)
    paths["la"] = tmp_path / "la.png"
    Image.fromarray(np.stack([np.zeros_like(alpha), alpha], axis=2), "LA").save(paths["la"])
    paths["palette"] = tmp_path / "pal.png"
    Image.fromarray(np.repeat(grey[..., None], 3, axis=2)).convert("P", palette=Image.ADAPTIVE).save(
        paths["palette"]
    )
    paths["jpeg"] = tmp_path / "scan.jpg"
    cv2.imwrite(str(paths["jpeg"]), grey, [cv2.IMWRITE_JPEG_QUALITY, 95])
    # Compositing exports: float RGB in 0..1 (Pillow cannot open it, OpenCV can) and
    # 32-bit integer grey holding 16-bit values.
    paths["rgb_float"] = tmp_path / "float.tif"
    cv2.imwrite(str(paths["rgb_float"]), np.repeat(grey[..., None], 3, axis=2).astype(np.float32) / 255)
    paths["grey_int32"] = tmp_path / "int32.tif"
    Image.fromarray(grey.astype(np.int32) * 257, "I").save(paths["grey_int32"])
    return alpha > 127, paths


@pytest.mark.parametrize(
    "kind", ["rgba8", "rgb16", "grey", "grey16", "la", "palette", "jpeg", "rgb_float", "grey_int32"]
)
def test_every_mode_gives_the_same_ink(tmp_path, kind):
    core, paths = _stroke_variants(tmp_path)
    rgba = read_rgba(paths[kind])
    assert rgba.dtype == np.uint8 and rgba.shape == (40, 40, 4)
    ink = read_line_art(paths[kind]).ink
    # Every solid stroke pixel is ink, and ink stays within a pixel of the strokes.
    assert ink[core].all()
    near = cv2.dilate(core.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    assert not (ink & ~near).any()


def test_palette_transparency_is_kept(tmp_path):
    img = Image.new("P", (8, 8), 0)
    img.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    img.info["transparency"] = 0
    for x in range(8):
        img.putpixel((x, 4), 1)
    path = tmp_path / "p.png"
    img.save(path, transparency=0)
    rgba = read_rgba(path)
    assert rgba[0, 0, 3] == 0
    assert tuple(rgba[4, 3]) == (0, 0, 0, 255)


def test_thin_antialiased_stroke_has_no_gaps():
    """A 1 px anti-aliased diagonal drawn at sub-pixel positions must stay one closed line:
    the ink threshold must not cut its faint pixels."""
    alpha = np.zeros((100, 100), np.uint8)
    cv2.line(alpha, (0, 3 * 16), (99 * 16, 97 * 16), 255, 1, lineType=cv2.LINE_AA, shift=4)
    rgba = np.zeros((100, 100, 4), np.uint8)
    rgba[..., 3] = alpha
    ink = line_art_from_rgba(rgba).ink
    n, _ = cv2.connectedComponents((~ink).astype(np.uint8), connectivity=4)
    assert n - 1 == 2  # the line separates the two triangles


def test_trace_lines_are_found_by_colour():
    rgba = np.zeros((30, 90, 4), np.uint8)
    rgba[10:12, 0:30] = (255, 0, 0, 255)
    rgba[10:12, 30:60] = (0, 0, 255, 255)
    rgba[10:12, 60:90] = (0, 0, 0, 255)
    rgba[20, 0:90] = (255, 0, 0, 120)  # anti-aliased red edge
    la = line_art_from_rgba(rgba)
    assert la.trace[10:12, 0:60].all()
    assert not la.trace[10:12, 60:90].any()
    assert la.ink[10:12].all()
    assert la.trace[20, 0:90].all()


def test_write_png_is_atomic_and_round_trips(tmp_path):
    img = np.random.default_rng(0).integers(0, 256, (20, 30, 4), dtype=np.uint8)
    path = tmp_path / "out" / "a.png"
    write_png(path, img)
    assert np.array_equal(read_rgba(path), img)
    assert [p.name for p in path.parent.iterdir()] == ["a.png"]  # no temp file left behind


def test_written_files_keep_the_usual_permissions(tmp_path):
    """The temporary file of an atomic write is private; the result must not be."""
    import os
    import stat

    img = np.zeros((4, 4, 4), np.uint8)
    new = tmp_path / "new.png"
    write_png(new, img)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask
    old = tmp_path / "old.png"
    old.write_bytes(b"x")
    old.chmod(0o644)
    write_png(old, img)
    assert stat.S_IMODE(old.stat().st_mode) == 0o644


def test_a_gigantic_header_is_refused_by_the_size_check_too(tmp_path):
    """open_clip checks frame sizes from headers alone: a bomb gets the same clear words."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    path = tmp_path / "huge.png"
    path.write_bytes(data)
    with pytest.raises(ImageReadError, match="too large"):
        image_size(path)
    bmp = tmp_path / "huge.bmp"
    header = b"BM" + struct.pack("<IHHI", 0, 0, 0, 54)
    header += struct.pack("<IiiHHIIiiII", 40, 30_000, 30_000, 1, 24, 0, 0, 0, 0, 0, 0)
    bmp.write_bytes(header)
    with pytest.raises(ImageReadError, match="bmp"):
        image_size(bmp)


def test_a_write_clears_what_killed_writes_left_behind(tmp_path):
    """A kill between the temporary file and the rename leaves a hidden .tmp; the next
    write of the same file removes old ones (a recent one may be a write in progress)."""
    import os
    import time

    target = tmp_path / "shot.lpproj"
    old = tmp_path / ".shot.lpproj.abc123.tmp"
    recent = tmp_path / ".shot.lpproj.def456.tmp"
    other = tmp_path / ".other.png.abc123.tmp"
    for p in (old, recent, other):
        p.write_bytes(b"half a file")
    hours_ago = time.time() - 7200
    os.utime(old, (hours_ago, hours_ago))
    os.utime(other, (hours_ago, hours_ago))
    write_png(target, np.zeros((2, 2, 4), np.uint8))
    assert not old.exists() and recent.exists() and other.exists()


def test_the_size_check_takes_a_float_tiff_the_reader_takes(tmp_path):
    """Pillow cannot read float RGB TIFF headers; the size check must not refuse what the
    reader takes."""
    _, paths = _stroke_variants(tmp_path)
    assert image_size(paths["rgb_float"]) == (40, 40)
    junk = tmp_path / "junk.tif"
    junk.write_bytes(b"II*\0" + bytes(60))
    with pytest.raises(ImageReadError, match="junk.tif"):
        image_size(junk)
