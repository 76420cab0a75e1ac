"""The command line as a user runs it: real files in, real files out, one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest

from linepaint.cli import main
from linepaint.core.image_io import read_rgba, write_png
from linepaint.core.lineart import read_line_art
from linepaint.core.segment import segment
from linepaint.synth import generate_clip, write_clip


@pytest.fixture(scope="module")
def synth_clip(tmp_path_factory):
    root = tmp_path_factory.mktemp("clip") / "shot"
    clip = generate_clip(7, frames=4, size=(320, 256), difficulty=0.3)
    write_clip(clip, root)
    full_gt = root / "all_gt"
    shutil.copytree(root / "gt", full_gt)
    for p in (root / "gt").iterdir():
        if p.stem != "0000":
            p.unlink()
    return root, full_gt


def test_colorize_then_evaluate(synth_clip, tmp_path, capsys):
    root, full_gt = synth_clip
    out = tmp_path / "out"
    assert main(["colorize", str(root), "-o", str(out), "--engine", "classic"]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == ["0001.png", "0002.png", "0003.png"]
    for name in written:
        img = read_rgba(out / name)
        assert img.shape == (256, 320, 4)
        assert (img[..., 3] > 0).mean() > 0.05
    # Score against the full ground truth.
    scored = tmp_path / "scored"
    shutil.copytree(root / "line", scored / "line")
    shutil.copytree(full_gt, scored / "gt")
    capsys.readouterr()
    assert main(["evaluate", str(out), str(scored)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["frames"] == 3
    assert summary["fg_region_accuracy"] > 0.8
    assert 0 <= summary["clicks_to_fix"] < summary["segments"]


def test_keys_colour_a_fully_coloured_clip_for_scoring(synth_clip, tmp_path, capsys):
    """A clip with every frame coloured (the published data sets): --keys picks the
    keyframes, the other frames are coloured and evaluate scores them in place."""
    root, full_gt = synth_clip
    clip = tmp_path / "full"
    shutil.copytree(root / "line", clip / "line")
    shutil.copytree(full_gt, clip / "gt")
    out = tmp_path / "out"
    assert main(["colorize", str(clip), "-o", str(out), "--engine", "classic", "--keys", "first"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["0001.png", "0002.png", "0003.png"]
    capsys.readouterr()
    assert main(["evaluate", str(out), str(clip)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["frames"] == 3
    assert summary["fg_region_accuracy"] > 0.8
    # Two keyframes by stem: only the frames between and after them are coloured.
    out2 = tmp_path / "out2"
    assert main(["colorize", str(clip), "-o", str(out2), "--engine", "classic", "--keys", "0000,0003"]) == 0
    assert sorted(p.name for p in out2.iterdir()) == ["0001.png", "0002.png"]
    # A stem with no coloured frame: one line naming it, nothing written.
    out3 = tmp_path / "out3"
    capsys.readouterr()
    assert main(["colorize", str(clip), "-o", str(out3), "--keys", "0009"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "0009" in err and "0000" in err
    assert not out3.exists()


@pytest.mark.parametrize("kind", ["colour", "composite"])
def test_colorize_output_kinds(synth_clip, tmp_path, kind):
    root, _ = synth_clip
    out = tmp_path / kind
    assert main(["colorize", str(root), "-o", str(out), "--output", kind, "--mode", "forward"]) == 0
    img = read_rgba(out / "0002.png")
    line = read_line_art(root / "line" / "0002.png")
    if kind == "colour":  # no black lines at all: colour everywhere under them
        assert not np.all(img[line.ink & ~line.trace][:, :3] == 0, axis=1).all()
    else:
        assert np.all(img[(line.darkness > 0.9) & ~line.trace][:, :3] < 60)


def _bad_clip(tmp_path, case):
    root = tmp_path / "bad"
    (root / "line").mkdir(parents=True)
    frame = np.zeros((40, 50, 4), np.uint8)
    frame[10:12, :, 3] = 255
    if case == "no line":
        shutil.rmtree(root / "line")
    elif case == "empty line":
        pass
    else:
        for i in range(3):
            write_png(root / "line" / f"{i}.png", frame)
        (root / "gt").mkdir()
        if case == "no keyframe":
            pass
        elif case == "sizes":
            write_png(root / "gt" / "0.png", frame)
            write_png(root / "line" / "2.png", np.zeros((41, 50, 4), np.uint8))
        elif case == "corrupt":
            write_png(root / "gt" / "0.png", frame)
            (root / "line" / "1.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
        elif case == "same name":
            write_png(root / "gt" / "0.png", frame)
            cv2.imwrite(str(root / "line" / "1.tif"), np.full((40, 50), 255, np.uint8))
    return root


@pytest.mark.parametrize(
    "case, words",
    [
        ("no line", "no line/ folder"),
        ("empty line", "no image files"),
        ("no keyframe", "no coloured keyframe"),
        ("sizes", "differ in size"),
        ("corrupt", "1.png"),
        ("same name", "1.png and 1.tif"),
    ],
)
def test_bad_clip_gets_one_line_and_exit_2(tmp_path, capsys, case, words):
    root = _bad_clip(tmp_path, case)
    code = main(["colorize", str(root), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert err.startswith("linepaint: error:") and words in err, err
    assert "Traceback" not in err


def test_an_unwritable_output_gets_one_line_not_a_traceback(synth_clip, tmp_path, capsys):
    root, _ = synth_clip
    blocker = tmp_path / "a_file"
    blocker.write_bytes(b"x")
    assert main(["colorize", str(root), "-o", str(blocker), "--engine", "classic"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("linepaint: error:") and "a_file" in err
    line = root / "line" / "0000.png"
    assert main(["segment", str(line), "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("linepaint: error:"), err


def test_refuses_to_write_over_the_inputs(synth_clip, capsys):
    root, _ = synth_clip
    before = {p.name: p.read_bytes() for p in (root / "line").iterdir()}
    assert main(["colorize", str(root), "-o", str(root / "line")]) == 2
    assert "refusing" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (root / "line").iterdir()} == before


def test_synth_command_writes_clip_layout(tmp_path):
    assert (
        main(["synth", str(tmp_path), "--clips", "1", "--frames", "2", "--seed", "3", "--size", "128x96"])
        == 0
    )
    clip = next(tmp_path.iterdir())
    assert sorted(p.name for p in (clip / "line").iterdir()) == ["0000.png", "0001.png"]
    assert read_rgba(clip / "gt" / "0001.png").shape == (96, 128, 4)


def test_synth_command_redraws_on_request(tmp_path):
    args = ["--clips", "1", "--frames", "2", "--seed", "3", "--size", "128x96", "--motion", "real"]
    assert main(["synth", str(tmp_path / "plain"), *args]) == 0
    assert main(["synth", str(tmp_path / "drawn"), *args, "--redraw", "0.05"]) == 0
    plain, drawn = (next((tmp_path / k).iterdir()) / "gt" / "0001.png" for k in ("plain", "drawn"))
    a, b = read_rgba(plain), read_rgba(drawn)
    assert a.shape == b.shape and not np.array_equal(a, b)


@pytest.mark.parametrize("cmd", ["colorize", "evaluate", "segment", "synth"])
def test_help_for_each_command(cmd):
    out = subprocess.run(
        [sys.executable, "-m", "linepaint.cli", cmd, "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "usage: linepaint " + cmd in out.stdout


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["classic", "auto"])
def test_smoke_explosion_every_enclosed_region_filled(real_data, tmp_path, engine):
    """The real effects sequence coloured back from its last frame: 26 frames, each the
    size of its line frame, and no region enclosed by lines left transparent."""
    out = tmp_path / "smoke"
    assert (
        main(
            [
                "colorize",
                str(real_data / "smoke_explosion"),
                "-o",
                str(out),
                "--mode",
                "nearest",
                "--engine",
                engine,
            ]
        )
        == 0
    )
    written = sorted(out.iterdir())
    assert len(written) == 26
    for p in written:
        line = read_line_art(real_data / "smoke_explosion" / "line" / p.name)
        img = read_rgba(p)
        assert img.shape[:2] == line.ink.shape
        seg = segment(line)
        border = np.unique(
            np.concatenate([seg.labels[0], seg.labels[-1], seg.labels[:, 0], seg.labels[:, -1]])
        )
        enclosed = np.setdiff1d(np.arange(1, seg.n + 1), border)
        alpha = np.zeros(seg.n + 1)
        np.maximum.at(alpha, seg.labels.ravel(), img[..., 3].ravel())
        assert (alpha[enclosed] > 0).all(), (p.name, enclosed[alpha[enclosed] == 0])


def test_colorize_palette_night_from_model_sheets(real_data, tmp_path):
    """dwanko's day and night model sheets: every frame, the keyframe too, comes out in
    the night colours: the night skin wherever the same run in day colours gives the day
    skin (and on the keyframe, wherever its ground truth is skin)."""
    d = real_data / "dwanko"
    args = ["colorize", str(d), "--keys", "first", "--engine", "classic"]
    assert main([*args, "-o", str(tmp_path / "day")]) == 0
    sheets = ["--palette", str(d / "colormodel_night.png"), "--key-palette", str(d / "colormodel_day.png")]
    assert main([*args, "-o", str(tmp_path / "night"), *sheets]) == 0
    assert len(list((tmp_path / "night").iterdir())) == 6
    day_skin, night_skin = (221, 152, 91, 255), (75, 200, 203, 255)
    for stem in ("0001", "0004"):
        img = read_rgba(tmp_path / "night" / f"{stem}.png")
        assert not (img == day_skin).all(axis=-1).any()
        gt = read_rgba(d / "gt" / f"{stem}.png")
        day = read_rgba(tmp_path / "day" / f"{stem}.png") if stem != "0001" else gt
        skin = (day == day_skin).all(axis=-1)
        assert skin.sum() > 10_000
        assert (img[skin] == night_skin).all(axis=-1).mean() > 0.9


def test_colorize_palette_gpl_matched_by_name(synth_clip, tmp_path, capsys):
    from linepaint.core.palette import Swatch, extract_from_image, to_gpl

    root, _ = synth_clip
    day = extract_from_image(read_rgba(root / "gt" / "0000.png"))
    night = [Swatch(s.name, (s.rgba[2], s.rgba[0], s.rgba[1], 255)) for s in day]
    (tmp_path / "night.gpl").write_text(to_gpl(night[::-1]))  # order does not matter: names do
    out = tmp_path / "out"
    assert (
        main(
            [
                "colorize",
                str(root),
                "-o",
                str(out),
                "--engine",
                "classic",
                "--palette",
                str(tmp_path / "night.gpl"),
            ]
        )
        == 0
    )
    img = read_rgba(out / "0000.png")
    gt = read_rgba(root / "gt" / "0000.png")
    s = day[0]
    where = (gt == s.rgba).all(axis=-1)
    assert (img[where] == (s.rgba[2], s.rgba[0], s.rgba[1], 255)).all(axis=-1).mean() > 0.9
    (tmp_path / "bad.gpl").write_text(to_gpl([Swatch("nothing", (1, 2, 3, 255))]))
    assert (
        main(["colorize", str(root), "-o", str(tmp_path / "o2"), "--palette", str(tmp_path / "bad.gpl")]) == 2
    )
    assert "bad.gpl" in capsys.readouterr().err


def test_colorize_dust_fills_the_unpainted_specks_and_keeps_the_painted_ones(tmp_path):
    """Two 4-pixel specks of paper in a blob of ink: the keyframe painted one in the
    eye's colour and left the other unpainted, and so does propagation; --dust fills
    the unpainted one with its neighbour's colour (or the line's) and keeps the other."""
    from gui.synthetic import BODY, EYE, write_clip

    clip = write_clip(tmp_path / "clip", frames=2)
    for sub, name in (("line", "f1.png"), ("line", "f2.png"), ("gt", "f1.png")):
        img = read_rgba(clip / sub / name)
        for x in (50, 60):
            cv2.rectangle(img, (x, 30), (x + 5, 35), (0, 0, 0, 255), -1)
        img[32:34, 52:54] = (255, 255, 255, 255) if sub == "line" else EYE
        img[32:34, 62:64] = (255, 255, 255, 255) if sub == "line" else (0, 0, 0, 0)
        write_png(clip / sub / name, img)
    args = ["colorize", str(clip), "-o", "OUT", "--engine", "classic", "--output", "colour"]
    assert main([a.replace("OUT", str(tmp_path / "raw")) for a in args]) == 0
    raw = read_rgba(tmp_path / "raw" / "f2.png")
    assert tuple(raw[32, 52]) == EYE and raw[32, 62, 3] == 0
    assert main([a.replace("OUT", str(tmp_path / "dust")) for a in args] + ["--dust", "6"]) == 0
    dust = read_rgba(tmp_path / "dust" / "f2.png")
    assert tuple(dust[32, 52]) == EYE and tuple(dust[32, 62]) == BODY
    assert (
        main([a.replace("OUT", str(tmp_path / "line")) for a in args] + ["--dust", "6", "--dust-to", "line"])
        == 0
    )
    line = read_rgba(tmp_path / "line" / "f2.png")
    assert tuple(line[32, 52]) == EYE and tuple(line[32, 62]) == (0, 0, 0, 255)
