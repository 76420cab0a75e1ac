"""Damaged and hostile project files (issue 19): each is refused with one ProjectError
naming the file, or opened with what is wrong repaired and said; none crashes later."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from gui.synthetic import write_clip

from linepaint.core.clip import find_frames
from linepaint.core.errors import ProjectError
from linepaint.core.image_io import write_png
from linepaint.core.project import Project
from linepaint.core.project_file import open_project, save_project

RED = (255, 0, 0, 255)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A saved project of four frames: a keyframe painted by hand, one coloured frame
    with a lock and a gap line."""
    root = tmp_path_factory.mktemp("proj")
    clip = write_clip(root / "clip", frames=4)
    lines, keys, _ = find_frames([clip])
    proj = Project()
    proj.add_frames(lines, keys)
    proj.apply(proj.fill(1, 1, RED))
    path = root / "shot.lpproj"
    save_project(proj, path)
    return path


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rewrite(saved, tmp_path, name="bad.lpproj", doc=None, files=None, compress=zipfile.ZIP_STORED):
    """A copy of ``saved`` with its document changed by ``doc(d)`` and members replaced."""
    out = tmp_path / name
    data = members(saved)
    d = json.loads(data["project.json"])
    if doc is not None:
        d = doc(d) or d
    data["project.json"] = d if isinstance(d, bytes) else json.dumps(d).encode()
    data.update(files or {})
    with zipfile.ZipFile(out, "w", compress) as zf:
        for n, b in data.items():
            zf.writestr(n, b)
    return out


def coloured_member(saved) -> str:
    d = json.loads(members(saved)["project.json"])
    return next(r["data"] for r in d["frames"] if r["data"] and r["locks"])


def npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def refused(path, *words):
    with pytest.raises(ProjectError) as err:
        open_project(path)
    text = str(err.value)
    assert path.name in text and "\n" not in text
    for w in words:
        assert w in text, text
    return text


# -- refused ---------------------------------------------------------------------------------


def test_a_project_description_that_unpacks_to_gigabytes_is_refused(saved, tmp_path):
    bomb = rewrite(
        saved,
        tmp_path,
        doc=lambda d: json.dumps(d).encode() + b" " * (70 << 20),
        compress=zipfile.ZIP_DEFLATED,
    )
    assert bomb.stat().st_size < 1 << 20
    refused(bomb, "project.json", "limit")


def test_an_array_header_declaring_terabytes_is_refused_before_loading(saved, tmp_path):
    member = coloured_member(saved)
    raw = io.BytesIO()
    np.lib.format.write_array_header_1_0(raw, {"descr": "|u1", "fortran_order": False, "shape": (10**12, 4)})
    raw.write(b"\0" * 64)
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("colours.npy", raw.getvalue())
    bad = rewrite(saved, tmp_path, files={member: fake.getvalue()})
    refused(bad, member)


def _patch_method(path, name: str, method: int | None = None, flags: int | None = None) -> None:
    """Set the compression method or flag bits of member ``name`` in both zip headers."""
    data = bytearray(path.read_bytes())
    enc = name.encode()
    for sig, off_flags, off_name in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        at = 0
        while (at := data.find(sig, at)) >= 0:
            if data[at + off_name : at + off_name + len(enc)] == enc:
                if flags is not None:
                    data[at + off_flags : at + off_flags + 2] = flags.to_bytes(2, "little")
                if method is not None:
                    data[at + off_flags + 2 : at + off_flags + 4] = method.to_bytes(2, "little")
            at += 4
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["encrypted", "unknown compression"])
def test_members_python_cannot_unpack_are_refused(saved, tmp_path, kind):
    bad = rewrite(saved, tmp_path)
    if kind == "encrypted":
        _patch_method(bad, "project.json", flags=1)
    else:
        _patch_method(bad, "project.json", method=97)
    refused(bad, "project.json")


@pytest.mark.parametrize(
    "doc",
    [
        lambda d: b"[" * 200_000 + b"]" * 200_000,
        lambda d: {**d, "version": 1e999},
        lambda d: json.dumps({**d, "version": 1}).replace('"version": 1', '"version": 1e999').encode(),
        lambda d: {**d, "version": "two"},
        lambda d: {**d, "frames": "all of them"},
        lambda d: {**d, "frames": [{**d["frames"][0], "line": 7}]},
    ],
    ids=["deep json", "version inf", "version 1e999", "version text", "frames text", "line number"],
)
def test_damaged_descriptions_are_project_errors(saved, tmp_path, doc):
    refused(rewrite(saved, tmp_path, doc=doc))


def test_running_out_of_memory_while_opening_is_a_project_error(saved, monkeypatch):
    import linepaint.core.project_file as pf

    def no_memory(*a, **k):
        raise MemoryError

    monkeypatch.setattr(pf.json, "loads", no_memory)
    refused(saved, "memory")


@pytest.mark.parametrize(
    "colours",
    [
        np.zeros(5, np.uint8),
        np.zeros((5, 4, 2), np.uint8),
        np.zeros((5, 7), np.uint8),
        np.zeros((0, 4), np.uint8),
    ],
    ids=["rank 1", "rank 3", "7 channels", "empty"],
)
def test_colour_tables_of_the_wrong_shape_are_refused(saved, tmp_path, colours):
    member = coloured_member(saved)
    refused(rewrite(saved, tmp_path, files={member: npz(colours=colours)}), member)


# -- repaired --------------------------------------------------------------------------------


def _open_and_use(path):
    """Open, then do what display and propagation do with every frame."""
    proj = open_project(path)
    for i in range(len(proj)):
        seg = proj.seg(i)
        table = proj.colours(i, seg)
        assert table.shape == (seg.n + 1, 4)
        table[seg.labels]  # the display's lookup
        if proj.state(i).keyframe:
            assert proj.key_colours(i, seg).shape == (seg.n + 1, 4)
    seq = proj.sequence()
    for i in range(len(seq)):
        c = seq.colours(i)
        assert c is None or len(c) == seq.seg(i).n + 1
    return proj


def test_an_rgb_colour_table_gets_alpha_and_a_short_one_colours_nothing(saved, tmp_path):
    member = coloured_member(saved)
    good = np.load(io.BytesIO(members(saved)[member]))
    rgb = rewrite(
        saved,
        tmp_path,
        "rgb.lpproj",
        files={member: npz(colours=good["colours"][:, :3], labels=good["labels"])},
    )
    proj = _open_and_use(rgb)
    assert (proj.state(1).colours[:, 3] == 255).all()
    short = rewrite(saved, tmp_path, "short.lpproj", files={member: npz(colours=good["colours"][:3])})
    proj = _open_and_use(short)
    assert not proj.colours(1, proj.seg(1)).any()  # a table for no segmentation of it


@pytest.mark.parametrize("top", [None, 2**31 - 1], ids=["beyond the table", "2^31-1"])
def test_labels_beyond_the_table_are_not_used(saved, tmp_path, top):
    member = coloured_member(saved)
    good = np.load(io.BytesIO(members(saved)[member]))
    labels = good["labels"].astype(np.int32)
    labels[0, 0] = len(good["colours"]) + 5 if top is None else top
    bad = rewrite(saved, tmp_path, files={member: npz(colours=good["colours"], labels=labels)})
    proj = _open_and_use(bad)
    assert proj.seg(1).n < len(good["colours"]) + 5


def test_bad_locks_strokes_keyframe_flags_and_gap_are_repaired_and_said(saved, tmp_path):
    def damage(d):
        frames = d["frames"]
        f = next(r for r in frames if r["locks"])
        f["locks"] = {
            **f["locks"],
            "abc": [1, 2, 3, 255],
            "99999": [1, 2, 3, 255],
            "2": [300, 0, 0, 0],
            "3": "red",
        }
        f["strokes"] = [
            {"points": [[1, 1], [20, 20]], "width": float("nan")},
            {"points": [[1, 1], [20, 20]], "width": 1e9},
            {"points": [[1, 1], [20, 20]], "width": 2.0},
        ]
        frames[-1]["keyframe"] = "false"
        d["gap"] = 100000
        return d

    bad = rewrite(saved, tmp_path, doc=damage)
    proj = _open_and_use(bad)
    text = " ".join(proj.notes)
    assert all(n.startswith("bad.lpproj: ") for n in proj.notes)
    assert "4 painted-region lock" in text and "2 gap line" in text and "'false'" in text and "100000" in text
    st = proj.state(1)
    assert list(st.locks) == [1] and [s.width for s in st.strokes] == [2.0]
    assert not proj.state(len(proj) - 1).keyframe and proj.gap is None


def test_a_keyframe_image_of_another_size_is_left_out(saved, tmp_path):
    retake = tmp_path / "retake.png"
    write_png(retake, np.full((50, 70, 4), 200, np.uint8))

    def damage(d):
        k = d["frames"][0]
        k["keyframe"], k["data"], k["locks"] = True, None, {}
        k["key_image"] = {"abs": str(retake), "rel": None}

    proj = _open_and_use(rewrite(saved, tmp_path, doc=damage))
    assert proj.state(0).key_image is None and "retake.png" in " ".join(proj.notes)


# -- the app and --screenshot ----------------------------------------------------------------


@pytest.mark.parametrize("what", ["deep", "zero"])
def test_screenshot_of_a_file_that_cannot_be_opened_exits_2_at_once(saved, tmp_path, what):
    if what == "deep":
        target = rewrite(saved, tmp_path, doc=lambda d: b"[" * 200_000 + b"]" * 200_000)
        name = target.name
    else:
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero here")
        target, name = "/dev/zero", "zero"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "-m", "linepaint", "--screenshot", str(tmp_path / "shot.png"), str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 2, run.stderr
    assert name in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "shot.png").exists()


def test_a_label_map_declaring_a_huge_frame_is_refused_from_its_header(saved, tmp_path):
    member = coloured_member(saved)
    good = np.load(io.BytesIO(members(saved)[member]))
    raw = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        raw, {"descr": "<i4", "fortran_order": False, "shape": (100_000, 100_000)}
    )
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("colours.npy", _npy(good["colours"]))
        zf.writestr("labels.npy", raw.getvalue() + b"\0" * 1024)
    refused(rewrite(saved, tmp_path, files={member: fake.getvalue()}), member, "label map")


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a)
    return buf.getvalue()


def test_the_frame_cache_holds_a_byte_budget_not_only_a_count():
    from linepaint.core.lineart import line_art_from_rgba
    from linepaint.core.project import SegCache

    cache = SegCache(capacity=12, max_bytes=3 * 400 * 300 * 10, keep=2)
    for k in range(6):
        cache.put(k, line_art_from_rgba(np.zeros((300, 400, 4), np.uint8)))  # 10 bytes a pixel
    assert [k for k in range(6) if cache.get(k) is not None] == [3, 4, 5]
    tiny = SegCache(capacity=12, max_bytes=1, keep=2)
    for k in range(4):
        tiny.put(k, line_art_from_rgba(np.zeros((30, 40, 4), np.uint8)))
    assert [k for k in range(4) if tiny.get(k) is not None] == [2, 3]  # a reference and a target stay
