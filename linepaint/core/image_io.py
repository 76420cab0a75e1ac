"""Read any line art or coloured frame into uint8 RGBA, and write PNGs atomically.

Everything that enters linepaint goes through :func:`read_rgba`, so every odd file
(16-bit, grey, palette, corrupt, huge) is handled once, with one clear error type.
"""

from __future__ import annotations

import glob
import os
import socket
import stat
import tempfile
import time
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import ImageReadError

#: Largest frame accepted, in pixels (6K 16:9, 5K and DCI 4K fit; 8K does not).  The
#: app colouring a frame holds a reference and a target with their maps, flows and
#: display images, about 155 bytes a pixel (measured: 3.3 GB at 17 megapixels; the CLI
#: 2.3 GB), so this keeps linepaint inside a 4 GB budget.  Bigger files are refused from
#: their header, before decoding, so a stray scan or a decompression bomb (a small file
#: declaring a huge size) cannot exhaust memory.
MAX_PIXELS = 20_000_000
#: Largest image file read, in bytes: far above any frame of ``MAX_PIXELS`` (a 16-bit
#: RGBA one compresses to less), so only a file that is not a frame is refused.
MAX_FILE_BYTES = 512 * 1024 * 1024

# Our own limit replaces Pillow's bomb warning, which fires below it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# A damaged file gets one sentence from us; the decoders' own chatter (OpenCV's "[ WARN ]"
# lines here, Pillow's EXIF warnings in :func:`_probe`) would only stand beside it.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

IMAGE_SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".webp", ".bmp")


def _to_uint8(img: np.ndarray) -> np.ndarray:
    """8-bit from any depth.  Integers wider than 16 bits and floats say nothing reliable
    about their white point, so it is read from the data: floats up to 1.0 are 0..1,
    anything up to 255 is 8-bit and up to 65535 is 16-bit (what compositing exports
    hold), wider only beyond that."""
    if img.dtype == np.uint8:
        return img
    if img.dtype == np.uint16:
        return ((img.astype(np.uint32) + 128) // 257).astype(np.uint8)
    data = np.nan_to_num(img.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    top = float(data.max()) if data.size else 0.0
    white = next((w for w in (1.0, 255.0, 65535.0) if top <= w), top)
    if white == 1.0 and not np.issubdtype(img.dtype, np.floating):
        white = 255.0  # an integer image of only 0 and 1 is not a 0..1 float one
    return np.clip(data * (255.0 / white) + 0.5, 0, 255).astype(np.uint8)


def _as_rgba(img: np.ndarray) -> np.ndarray:
    """OpenCV's BGR/BGRA/grey in any depth -> uint8 RGBA [H, W, 4]."""
    img = _to_uint8(img)
    if img.ndim == 2:
        img = img[:, :, None]
    channels = img.shape[2]
    if channels == 1:
        rgb = np.repeat(img, 3, axis=2)
        alpha = np.full(img.shape[:2] + (1,), 255, np.uint8)
        return np.concatenate([rgb, alpha], axis=2)
    if channels == 2:  # grey + alpha
        rgb = np.repeat(img[:, :, :1], 3, axis=2)
        return np.concatenate([rgb, img[:, :, 1:2]], axis=2)
    if channels == 3:
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGBA)
    return cv2.cvtColor(img[:, :, :4], cv2.COLOR_BGRA2RGBA)


def _png_header_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR, read directly: Pillow refuses absurd headers
    (zero or gigantic sizes) with a vague message, and the user deserves the real one."""
    with open(path, "rb") as fh:
        head = fh.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _check_size(name: str, width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageReadError(f"{name}: the image has zero size ({width}x{height}).")
    if width * height > MAX_PIXELS:
        raise ImageReadError(
            f"{name}: {width}x{height} is too large (limit {MAX_PIXELS // 1_000_000} megapixels)."
        )


def _check_file(path: Path) -> None:
    """Refuse what is not an image file before any decoder sees it."""
    name = path.name
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ImageReadError(f"{name}: file not found ({path}).") from None
    except OSError as exc:
        raise ImageReadError(f"{name}: cannot be opened ({exc.strerror or exc}).") from None
    if stat.S_ISDIR(st.st_mode):
        raise ImageReadError(f"{name}: is a folder, not an image.")
    if not stat.S_ISREG(st.st_mode):  # /dev/zero, a pipe: reading would never end
        raise ImageReadError(f"{name}: is not a regular file, so not an image.")
    if st.st_size == 0:
        raise ImageReadError(f"{name}: the file is empty (0 bytes).")
    if st.st_size > MAX_FILE_BYTES:
        raise ImageReadError(
            f"{name}: the file is too large for an image ({st.st_size // 2**20} MB, "
            f"limit {MAX_FILE_BYTES // 2**20} MB)."
        )
    try:
        png_size = _png_header_size(path)
    except OSError as exc:
        raise ImageReadError(f"{name}: cannot be opened ({exc.strerror or exc}).") from None
    if png_size is not None:
        _check_size(name, *png_size)


def _probe(path: Path, verify: bool = False) -> tuple[tuple[int, int], str] | None:
    """((width, height), mode) from the header via Pillow; None when Pillow does not know
    the format.  A damaged header of any kind is an :class:`ImageReadError`; ``verify``
    (before decoding) checks a PNG's chunks too."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as probe:
                size, mode = probe.size, probe.mode
                if verify and probe.format == "PNG":
                    # Chunk CRCs and truncation, checked without decoding: a damaged PNG
                    # gets our sentence instead of libpng's own line on stderr.
                    probe.verify()
    except UnidentifiedImageError:
        return None
    except MemoryError:
        raise ImageReadError(f"{path.name}: not enough memory to read the image header.") from None
    except Exception as exc:  # Pillow raises SyntaxError, struct.error, EOFError... on bad headers
        raise ImageReadError(f"{path.name}: the image is damaged ({_why(exc)}).") from None
    _check_size(path.name, *size)
    return size, mode


def _why(exc: BaseException) -> str:
    return str(exc).strip().rstrip(".") or type(exc).__name__


def read_rgba(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as uint8 RGBA [H, W, 4] (RGB order, alpha 255 where opaque).

    Accepts PNG/TIFF/JPEG/WebP/BMP in grey, grey+alpha, RGB, RGBA and palette modes,
    8-, 16- or 32-bit and float.  Raises :class:`ImageReadError` naming the file for anything else.
    """
    path = Path(path)
    name = path.name
    _check_file(path)
    probed = _probe(path, verify=True)
    if probed is None:
        # Pillow knows no float RGB TIFF, which OpenCV reads (and caps at 2^30 pixels).
        return _decode_with_opencv_only(path)
    (width, height), mode = probed
    try:
        if mode in ("P", "PA"):
            # Palette images: let Pillow expand the palette and its transparency.
            with Image.open(path) as im:
                img = np.asarray(im.convert("RGBA")).copy()
        else:
            data = np.fromfile(path, dtype=np.uint8)  # fromfile: unicode paths work on Windows too
            img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
            if img is None:
                with Image.open(path) as im:
                    img = np.asarray(im.convert("RGBA")).copy()
            else:
                img = _as_rgba(img)
    except MemoryError:
        raise ImageReadError(f"{name}: not enough memory to decode {width}x{height}.") from None
    except Exception as exc:  # any decoder failure on a file is a damaged file
        raise ImageReadError(f"{name}: the image data is corrupt or truncated ({_why(exc)}).") from None
    if img.shape[:2] != (height, width):
        raise ImageReadError(f"{name}: the image data does not match its {width}x{height} header.")
    return img


def _decode_with_opencv_only(path: Path) -> np.ndarray:
    name = path.name
    img = None
    if path.suffix.lower() in (".tif", ".tiff"):
        try:
            img = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
        except MemoryError:
            raise ImageReadError(f"{name}: not enough memory to decode the image.") from None
        except Exception:
            img = None
    if img is None:
        raise ImageReadError(f"{name}: not an image file linepaint can read.")
    _check_size(name, img.shape[1], img.shape[0])
    return _as_rgba(img)


def image_size(path: str | os.PathLike, verify: bool = False) -> tuple[int, int]:
    """(width, height) from the header (a TIFF only OpenCV reads, float RGB, is decoded);
    raises :class:`ImageReadError`.  ``verify``: a PNG's chunks are checked too (the whole
    file is read, not decoded), so a truncated one is refused now, not half-way through
    colouring."""
    path = Path(path)
    _check_file(path)
    probed = _probe(path, verify)
    if probed is None:
        # No header reader knows it (float RGB TIFF): decode it, as reading it will.
        h, w = _decode_with_opencv_only(path).shape[:2]
        return w, h
    return probed[0]


_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary sibling and a rename, so a kill
    mid-write leaves either the old file or the new one, never half of one.  A symlink
    is written through (its target gets the data; the link stays a link)."""
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f"{_temp_prefix(path)}{os.getpid()}.", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        # The hidden temporary's name would mean nothing to the user: name the folder.
        raise OSError(exc.errno, exc.strerror, str(path.parent)) from None
    try:
        # mkstemp makes the file private; the result should have the mode a plain write
        # would give it (the old file's, else what the umask allows).
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_UMASK
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _remove_stale_temps(path)


#: A temporary sibling older than this is left over from a write that was killed, even
#: when its writer's process id is taken again (or belongs to another machine).
STALE_TEMP_S = 3600


def _temp_prefix(path: Path) -> str:
    """Temporaries of ``path`` are ``.name.<host>.<pid>.<random>.tmp``: the host and
    process say whether their writer can still be running."""
    host = "".join(c for c in socket.gethostname() if c.isalnum() or c in "-_") or "host"
    return f".{path.name}.{host}."


def _writer_gone(pid_text: str) -> bool:
    """Has the process that wrote a temporary on this machine ended?"""
    if os.name != "posix" or not pid_text.isdigit():
        return False  # (os.kill would terminate the process on Windows)
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, as another user's process
    return False


def _remove_stale_temps(path: Path) -> None:
    """Delete what killed writes of ``path`` left behind (hidden ``.name.*.tmp`` files):
    those whose writer on this machine has ended, and any older than an hour; one that
    may belong to a write still in progress stays."""
    now = time.time()
    mine = _temp_prefix(path)
    for p in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            local = p.name.startswith(mine)
            pid = p.name[len(mine) :].split(".", 1)[0] if local else ""
            if (local and _writer_gone(pid)) or now - p.stat().st_mtime > STALE_TEMP_S:
                p.unlink()
        except OSError:
            pass


def encode_png(img: np.ndarray) -> bytes:
    """uint8 RGBA [H, W, 4], RGB [H, W, 3] or grey [H, W] -> PNG bytes."""
    if img.ndim == 3 and img.shape[2] == 4:
        bgr = cv2.cvtColor(img, cv2.COLOR_RGBA2BGRA)
    elif img.ndim == 3 and img.shape[2] == 3:
        bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    else:
        bgr = img
    ok, buf = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise ImageReadError("could not encode PNG")
    return buf.tobytes()


def write_png(path: str | os.PathLike, img: np.ndarray) -> None:
    """Write an RGBA/RGB/grey uint8 image as PNG, atomically."""
    atomic_write_bytes(path, encode_png(img))


def is_image_file(path: str | os.PathLike) -> bool:
    """True when the name has an image suffix linepaint imports (not a content check)."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES
