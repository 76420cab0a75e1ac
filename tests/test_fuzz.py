"""Seeded fuzzing of every reader of user files (issue 19): mangled images, projects and
palettes may be refused, but only ever with a LinepaintError (one sentence, no crash)."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib

import cv2
import numpy as np
import pytest
from gui.synthetic import write_clip

from linepaint.core.clip import find_frames
from linepaint.core.errors import LinepaintError
from linepaint.core.image_io import image_size, read_rgba
from linepaint.core.palette import Swatch, read_palette, to_gpl, to_json
from linepaint.core.project import Project
from linepaint.core.project_file import open_project, save_project

SEED = 19


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """One of: flipped bytes, a cut, a duplicated or deleted span, random insertion,
    or a header field overwritten with an extreme value."""
    b = bytearray(data)
    kind = rng.integers(6)
    n = len(b)
    if kind == 0:
        for _ in range(int(rng.integers(1, 9))):
            b[int(rng.integers(n))] = int(rng.integers(256))
    elif kind == 1:
        b = b[: int(rng.integers(1, n))]
    elif kind == 2:
        i, j = sorted(int(v) for v in rng.integers(0, n, 2))
        b[j:j] = b[i:j]
    elif kind == 3:
        i, j = sorted(int(v) for v in rng.integers(0, n, 2))
        del b[i:j]
    elif kind == 4:
        i = int(rng.integers(n))
        b[i:i] = rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8).tobytes()
    else:
        i = int(rng.integers(min(n, 64)))
        b[i : i + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff"])
    return bytes(b)


def images() -> dict[str, bytes]:
    rng = np.random.default_rng(SEED)
    img = rng.integers(0, 256, (24, 32, 4), dtype=np.uint8)
    img[8:16] = 0
    out = {}
    for suffix, arr in (
        (".png", img),
        (".png", (img[..., 0].astype(np.uint16) * 257)),
        (".tif", img),
        (".jpg", img[..., :3]),
        (".bmp", img[..., :3]),
        (".webp", img),
    ):
        out[f"seed{len(out)}{suffix}"] = cv2.imencode(suffix, arr)[1].tobytes()
    out[f"seed{len(out)}.png"] = _split_idat_png(img[..., 0])
    return out


def _split_idat_png(grey: np.ndarray) -> bytes:
    """A grey PNG whose image data spans several IDAT chunks (as many encoders write it),
    so mutations reach the chunk headers a decoder reads mid-image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    h, w = grey.shape
    raw = zlib.compress(b"".join(b"\x00" + row.tobytes() for row in grey))
    parts = [raw[i : i + 64] for i in range(0, len(raw), 64)]
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + ihdr + b"".join(chunk(b"IDAT", p) for p in parts) + chunk(b"IEND", b"")


@pytest.mark.parametrize("case", range(300))
def test_fuzzed_images_only_raise_image_errors(case, tmp_path):
    rng = np.random.default_rng([SEED, case])
    seeds = images()
    name = list(seeds)[case % len(seeds)]
    path = tmp_path / name
    path.write_bytes(mutate(seeds[name], rng))
    for read in (image_size, read_rgba):
        try:
            out = read(path)
        except LinepaintError as exc:
            assert path.name in str(exc)
        else:
            assert out is not None


@pytest.fixture(scope="module")
def project_bytes(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzzproj")
    clip = write_clip(root / "clip", frames=3)
    lines, keys, _ = find_frames([clip])
    proj = Project()
    proj.add_frames(lines, keys)
    proj.apply(proj.fill(1, 1, (255, 0, 0, 255)))
    path = root / "shot.lpproj"
    save_project(proj, path)
    return path, path.read_bytes()


def _nasty(rng: np.random.Generator):
    return rng.choice(
        np.array(
            [None, True, "yes", -1, 0, 2**31 - 1, 10**30, 1e999, float("nan"), [], {}, [[1, 2]], "x" * 50],
            dtype=object,
        )
    )


def _poke(doc, rng: np.random.Generator):
    """Replace one value somewhere in the document with a nasty one."""
    node, path = doc, []
    while isinstance(node, dict | list) and node and rng.random() < 0.8:
        key = (
            list(node)[int(rng.integers(len(node)))]
            if isinstance(node, dict)
            else int(rng.integers(len(node)))
        )
        path.append((node, key))
        node = node[key]
    if path:
        parent, key = path[-1]
        parent[key] = _nasty(rng)
    return doc


@pytest.mark.parametrize("case", range(150))
def test_fuzzed_projects_only_raise_project_errors(case, project_bytes, tmp_path):
    src, data = project_bytes
    rng = np.random.default_rng([SEED, 1, case])
    path = tmp_path / "fuzz.lpproj"
    if case % 2:
        path.write_bytes(mutate(data, rng))
    else:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            files = {n: zf.read(n) for n in zf.namelist()}
        doc = json.loads(files["project.json"])
        for _ in range(int(rng.integers(1, 4))):
            doc = _poke(doc, rng)
        files["project.json"] = json.dumps(doc).encode()
        npz = [n for n in files if n.endswith(".npz")]
        if npz and rng.random() < 0.5:
            n = npz[int(rng.integers(len(npz)))]
            files[n] = mutate(files[n], rng)
        with zipfile.ZipFile(path, "w") as zf:
            for n, b in files.items():
                zf.writestr(n, b)
    try:
        proj = open_project(path, skip_missing=True)
    except LinepaintError as exc:
        assert path.name in str(exc)
        return
    for i in range(len(proj)):  # what display does with each frame
        try:
            seg = proj.seg(i)
        except LinepaintError:
            continue
        proj.colours(i, seg)[seg.labels]


@pytest.mark.parametrize("case", range(150))
def test_fuzzed_palettes_only_raise_palette_errors(case, tmp_path):
    rng = np.random.default_rng([SEED, 2, case])
    swatches = [Swatch(f"c{i}", (i, 2 * i, 3 * i, 255 - i)) for i in range(6)]
    text = (to_gpl(swatches) if case % 2 else to_json(swatches)).encode()
    path = tmp_path / ("fuzz.gpl" if case % 2 else "fuzz.json")
    path.write_bytes(mutate(text, rng))
    try:
        read_palette(path)
    except LinepaintError as exc:
        assert path.name in str(exc)
