"""Bad files and bad numbers (issue 19): each gets one sentence naming what is wrong,
never a traceback, a hang or gigabytes of memory."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from linepaint.cli import main
from linepaint.core import image_io
from linepaint.core.errors import ImageReadError, LinepaintError
from linepaint.core.image_io import image_size, read_rgba, write_png
from linepaint.core.palette import PaletteError, Swatch, from_gpl, from_json, read_palette, to_gpl
from linepaint.core.segment import segment
from linepaint.resources import resource_path

DEMO = resource_path("demo")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, chunks: bytes = b"") -> bytes:
    ihdr = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + ihdr + chunks + _chunk(b"IEND", b"")


def _one_error_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# -- numbers on the command line -------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, words",
    [
        (["segment", str(DEMO / "line/0000.png"), "-o", "{tmp}/s.png", "--gap", "100000"], "--gap"),
        (["segment", str(DEMO / "line/0000.png"), "-o", "{tmp}/s.png", "--gap", "-3"], "--gap"),
        (["colorize", str(DEMO), "-o", "{tmp}/out", "--gap", "999999"], "--gap"),
        (["synth", "{tmp}/s", "--frames", "-2"], "--frames"),
        (["synth", "{tmp}/s", "--seed", "-1"], "--seed"),
        (["synth", "{tmp}/s", "--clips", "0"], "--clips"),
        (["synth", "{tmp}/s", "--redraw", "0.5"], "--redraw"),
        (["synth", "{tmp}/s", "--redraw", "nan"], "--redraw"),
    ],
)
def test_numbers_out_of_range_are_refused_by_the_parser(argv, words, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "out of range" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_a_gap_too_wide_for_the_frame_names_the_limit(tmp_path, capsys):
    assert main(["segment", str(DEMO / "line/0000.png"), "-o", str(tmp_path / "s.png"), "--gap", "900"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "900 px" in line and "480x360" in line and "45 px" in line
    # The core refuses it too, whoever asks (a project file's gap, a script).
    ink = np.zeros((160, 200), bool)
    ink[80, :] = True
    with pytest.raises(LinepaintError, match="0 to 20 px"):
        segment(ink, gap=1000)
    assert segment(ink, gap=20).n == 2


def test_synth_refuses_a_clip_too_large_for_memory(tmp_path, capsys):
    assert main(["synth", str(tmp_path / "s"), "--frames", "1000", "--size", "1024x1024"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "1000 frames of 1024x1024" in line and "200 megapixels" in line
    assert not (tmp_path / "s").exists()


def test_segment_writes_png_or_refuses_another_suffix(tmp_path, capsys):
    out = tmp_path / "regions.jpg"
    assert main(["segment", str(DEMO / "line/0000.png"), "-o", str(out)]) == 2
    assert "regions.jpg" in _one_error_line(capsys.readouterr().err)
    assert not out.exists()


def test_cuda_without_a_gpu_says_so(tmp_path, capsys, monkeypatch):
    import linepaint.cli as cli

    monkeypatch.setattr(cli, "_cuda_available", lambda: False)
    out = tmp_path / "out"
    assert main(["colorize", str(DEMO), "-o", str(out), "--engine", "classic", "--device", "cuda"]) == 0
    err = capsys.readouterr().err
    assert "no CUDA GPU" in err and "CPU" in err
    assert (out / "0001.png").exists()


def test_running_out_of_memory_is_one_line(tmp_path, capsys, monkeypatch):
    import linepaint.core.segment as seg_mod

    def no_memory(*a, **k):
        raise MemoryError

    monkeypatch.setattr(seg_mod, "segment", no_memory)
    assert main(["segment", str(DEMO / "line/0000.png"), "-o", str(tmp_path / "s.png")]) == 2
    assert "not enough memory" in _one_error_line(capsys.readouterr().err)


# -- the image reader ------------------------------------------------------------------------


def test_a_png_pillow_calls_broken_is_an_image_error(tmp_path):
    """Image data cut off by a chunk of no valid type: OpenCV gives up, and Pillow raised
    ``SyntaxError: broken PNG file`` through read_rgba."""
    raw = zlib.compress(b"".join(b"\x00" + bytes(range(16)) for _ in range(16)))
    bad = tmp_path / "broken.png"
    garbage = struct.pack(">I", 4) + b"\x00\x01\x02\x03abcd\x00\x00\x00\x00"
    head = _png(16, 16, _chunk(b"IDAT", raw[: len(raw) // 2]) + garbage)
    bad.write_bytes(head)
    with pytest.raises(ImageReadError, match="broken.png: the image is damaged"):
        read_rgba(bad)
    try:
        assert image_size(bad) == (16, 16)  # the header itself is sound
    except ImageReadError as exc:
        assert "broken.png" in str(exc)


def test_a_small_file_declaring_a_huge_frame_is_refused_from_its_header(tmp_path):
    """A decompression bomb: 16000x16000 declared in a few bytes.  Refused with the size
    and the limit before anything is decoded (a frame that large needs more than 4 GB)."""
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png(16000, 16000, _chunk(b"IDAT", zlib.compress(b"\x00" * 16001))))
    for read in (read_rgba, image_size):
        with pytest.raises(
            ImageReadError, match=r"bomb.png: 16000x16000 is too large \(limit 20 megapixels\)"
        ):
            read(bomb)
    # A big file that is not a frame is refused by its size in bytes.
    small = tmp_path / "small.png"
    write_png(small, np.zeros((4, 4, 4), np.uint8))
    image_io_max = image_io.MAX_FILE_BYTES
    try:
        image_io.MAX_FILE_BYTES = 10
        with pytest.raises(ImageReadError, match="small.png: the file is too large"):
            read_rgba(small)
    finally:
        image_io.MAX_FILE_BYTES = image_io_max


def test_colorize_names_every_unreadable_frame_before_colouring_any(tmp_path, capsys):
    """A clip with an empty, a cut-off and a non-image frame: one run names all three
    (a colourist re-exports them together) and writes nothing, instead of stopping at
    the cut-off one half-way through the shot."""
    clip = tmp_path / "shot"
    (clip / "line").mkdir(parents=True)
    (clip / "gt").mkdir()
    for name in ("0000.png", "0001.png"):
        (clip / "line" / name).write_bytes((DEMO / "line" / name).read_bytes())
    (clip / "gt" / "0000.png").write_bytes((DEMO / "gt" / "0000.png").read_bytes())
    whole = (DEMO / "line" / "0002.png").read_bytes()
    (clip / "line" / "0002.png").write_bytes(whole[: len(whole) // 2])
    (clip / "line" / "0003.png").write_bytes(b"")
    (clip / "line" / "0004.png").write_text("not a picture")
    out = tmp_path / "out"
    assert main(["colorize", str(clip), "-o", str(out), "--engine", "classic"]) != 0
    line = _one_error_line(capsys.readouterr().err)
    assert "3 files cannot be read" in line
    for words in ("0002.png: the image is damaged", "0003.png: the file is empty", "0004.png: not an image"):
        assert words in line
    assert not out.exists() or not any(out.iterdir())


def test_an_empty_file_is_called_empty_by_every_reader(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    for read in (read_rgba, image_size):
        with pytest.raises(ImageReadError, match="empty.png: the file is empty"):
            read(empty)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_file_is_not_read(tmp_path):
    for read in (read_rgba, image_size):
        with pytest.raises(ImageReadError, match="not a regular file"):
            read("/dev/zero")


def test_decoder_chatter_stays_off_stderr(tmp_path, capfd):
    """OpenCV's "[ WARN ]"/"[ERROR]" lines and libpng's own never stand beside the message."""
    img = cv2.imread(str(DEMO / "line/0000.png"), cv2.IMREAD_UNCHANGED)
    for suffix in (".tif", ".png"):
        data = cv2.imencode(suffix, img)[1].tobytes()
        bad = tmp_path / f"cut{suffix}"
        bad.write_bytes(data[: len(data) // 3])
        capfd.readouterr()
        assert main(["segment", str(bad), "-o", str(tmp_path / "s.png")]) == 2
        assert f"cut{suffix}" in _one_error_line(capfd.readouterr().err)


# -- palettes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, text",
    [
        ("long.gpl", "GIMP Palette\n" + "9" * 5000 + " 0 0 skin\n"),
        ("alpha.gpl", "GIMP Palette\n1 2 3 skin @a" + "9" * 5000 + "\n"),
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("bigint.json", '{"swatches": [{"name": "a", "rgba": [' + "9" * 5000 + ", 0, 0]}]}"),
        ("inf.json", '{"swatches": [{"name": "a", "rgba": [1e999, 0, 0]}]}'),
    ],
)
def test_absurd_palettes_are_palette_errors(name, text, tmp_path):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(PaletteError, match=name):
        read_palette(path)
    reader = from_gpl if name.endswith(".gpl") else from_json
    with pytest.raises(PaletteError):
        reader(text, name)


def test_a_palette_file_too_large_is_refused(tmp_path):
    big = tmp_path / "big.gpl"
    big.write_text("GIMP Palette\n" + "1 2 3 x\n" * 700_000)
    with pytest.raises(PaletteError, match="big.gpl: too large"):
        read_palette(big)


@pytest.mark.skipif(not Path("/dev/zero").exists() or os.name != "posix", reason="no /dev/zero here")
def test_reading_dev_zero_as_a_palette_ends_at_once():
    """Run in a child limited to 1 GB: reading the endless file would fail there with a
    MemoryError instead of filling the machine."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
        "from linepaint.core.palette import read_palette, PaletteError\n"
        "try:\n    read_palette('/dev/zero')\n"
        "except PaletteError as exc:\n    print(exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "zero: not a palette file" in run.stdout


def test_names_with_line_breaks_survive_a_gpl_round_trip():
    swatches = [Swatch("skin\nlight", (250, 200, 180, 255)), Swatch("eye\r\tshine", (1, 2, 3, 128))]
    back = from_gpl(to_gpl(swatches, "a\nname"))
    assert [s.rgba for s in back] == [s.rgba for s in swatches]
    assert [s.name for s in back] == ["skin light", "eye shine"]


# -- writing files ---------------------------------------------------------------------------


def test_a_folder_that_refuses_the_write_is_named_not_the_temporary(tmp_path, monkeypatch, capsys):
    import tempfile

    def refuse(*a, dir=None, **k):
        raise PermissionError(13, "Permission denied", os.path.join(dir, ".s.png.x.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    out = tmp_path / "ro" / "s.png"
    with pytest.raises(PermissionError) as err:
        write_png(out, np.zeros((2, 2, 4), np.uint8))
    assert err.value.filename == str(out.parent)
    assert main(["segment", str(DEMO / "line/0000.png"), "-o", str(out)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(out.parent) in line and ".tmp" not in line


def test_temporaries_of_killed_writers_go_at_the_next_write(tmp_path):
    """A temporary whose writer has ended is removed at once, not after an hour; one
    whose writer is alive (this process) stays."""
    target = tmp_path / "shot.lpproj"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    prefix = image_io._temp_prefix(target)
    gone = tmp_path / f"{prefix}{dead.pid}.abc.tmp"
    alive = tmp_path / f"{prefix}{os.getpid()}.def.tmp"
    for p in (gone, alive):
        p.write_bytes(b"half a file")
    write_png(target, np.zeros((2, 2, 4), np.uint8))
    assert not gone.exists() and alive.exists()


@pytest.mark.skipif(os.name != "posix", reason="symlinks need privileges on Windows")
def test_writing_through_a_symlink_writes_its_target(tmp_path):
    real = tmp_path / "real" / "shot.png"
    real.parent.mkdir()
    write_png(real, np.zeros((2, 2, 4), np.uint8))
    link = tmp_path / "link.png"
    link.symlink_to(real)
    write_png(link, np.full((3, 5, 4), 255, np.uint8))
    assert link.is_symlink()
    assert read_rgba(real).shape == (3, 5, 4)
