"""Segmentation and colouring on broken, faint and pencil copies of real line art.

Each drawing of ../shared/data/real (a0242, and the six dwanko frames) is damaged in known,
seeded ways (:mod:`linepaint.core.deform`): discs erased along its strokes (few and many
gaps, 2-5 px, and wider ones), stretches of stroke drawn faint, the whole drawing as a
pencil scan, and broken lines as a grey JPEG scan.  The ground truth stays the unbroken
drawing's.  Per set it prints

- segment recall: regions of the unbroken drawing (a0242/seg for a0242; for dwanko the
  unbroken drawing's own line-enclosed regions of at least MIN_AREA px) recovered by a
  segment at IoU >= 0.5;
- ceiling: foreground region accuracy when every segment gets its true majority colour
  (what no matcher can beat: a leak merges two colours into one segment); in brackets
  the same scored on the unbroken drawing's regions only (its ink left out too): the
  rest of the drop is slivers of erased stroke that the ground truth paints in the
  colour of one side, new one-to-ten-pixel regions of the damaged copy;
- colouring: foreground region accuracy of each engine colouring the damaged copy from
  the unbroken keyframe (``--motion``: dwanko frame i+1 damaged, coloured from frame i
  unbroken, the real-motion protocol), in brackets on the unbroken drawing's regions
  (as the ceiling's); ``+split``: the same after the leaks the aligned
  keyframe sees are closed with gap lines, as propagation does
  (:func:`linepaint.core.leak.leak_cuts`), with how many regions were split.

    .venv/bin/python benchmarks/broken_lines.py [--quick] [--gap PX] [--sets NAME ...]
        [--engines classic auto] [--motion] [--no-split]

``--picture OUT.png`` instead writes one leaking frame before and after: dwanko drawing 3
with the "many gaps" damage, its regions in the app's gap-check colours, segmented
without gap closing (left) and as the app does (right), each erased disc circled.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import REAL, score_cases  # noqa: E402

from linepaint.core.deform import as_pencil, as_scan, break_strokes, fade_strokes  # noqa: E402
from linepaint.core.image_io import read_rgba  # noqa: E402
from linepaint.core.leak import leak_cuts  # noqa: E402
from linepaint.core.lineart import line_art_from_rgba  # noqa: E402
from linepaint.core.match import get_matcher  # noqa: E402
from linepaint.core.match.base import Reference  # noqa: E402
from linepaint.core.metrics import score_frame, segment_recall, summarise  # noqa: E402
from linepaint.core.render import colour_layer, region_colours_from_image  # noqa: E402
from linepaint.core.segment import segment  # noqa: E402
from linepaint.core.strokes import with_strokes  # noqa: E402

#: Smallest region of an unbroken dwanko drawing that counts as a segment to recover, px.
MIN_AREA = 16

#: name -> damage(rgba, seed) -> rgba.  "many gaps" is the issue's done-when set.
SETS = {
    "unbroken": lambda rgba, seed: rgba,
    "few gaps (15, 2-5 px)": lambda rgba, seed: break_strokes(rgba, 15, (2, 5), seed)[0],
    "many gaps (40, 2-5 px)": lambda rgba, seed: break_strokes(rgba, 40, (2, 5), seed)[0],
    "wide gaps (40, 5-6 px)": lambda rgba, seed: break_strokes(rgba, 40, (5, 6), seed)[0],
    "faint strokes (12)": lambda rgba, seed: fade_strokes(rgba, 12, seed=seed)[0],
    "pencil": lambda rgba, seed: as_pencil(rgba, seed),
    "many gaps as scan": lambda rgba, seed: as_scan(break_strokes(rgba, 40, (2, 5), seed)[0]),
}


def drawings(quick: bool):
    """(name, line rgba, gt rgba, truth labels or None) for each real drawing."""
    a = REAL / "a0242"
    ref = read_rgba(a / "seg/0242.png").astype(np.int64)
    ids = ref[..., 0] * 65536 + ref[..., 1] * 256 + ref[..., 2]
    yield "a0242", read_rgba(a / "line/0242.png"), read_rgba(a / "gt/0242.png"), ids
    d = REAL / "dwanko"
    stems = sorted(p.stem for p in (d / "line").glob("*.png"))
    for stem in stems[: 2 if quick else None]:
        yield f"dwanko {stem}", read_rgba(d / f"line/{stem}.png"), read_rgba(d / f"gt/{stem}.png"), None


def reference(rgba: np.ndarray, gt: np.ndarray, gap: int | None) -> Reference:
    line = line_art_from_rgba(rgba)
    seg = segment(line, gap)
    return Reference(line, seg, region_colours_from_image(seg, gt))


def split_all(cases: list, gap: int | None) -> tuple[list, int]:
    """The cases as propagation colours them: each target's leaks that its reference shows
    closed with gap lines (:func:`linepaint.core.leak.leak_cuts`) and the target
    segmented again with them; and how many target regions were split."""
    out, count = [], 0
    for ref, line, seg, gt, *rest in cases:
        cuts, split = leak_cuts(line, seg, ref.seg, ref.colours)
        count += len(split)
        if cuts:
            line = with_strokes(line, cuts)
            seg = segment(line, gap)
        out.append((ref, line, seg, gt, *rest))
    return out, count


def picture(out: str) -> None:
    """Write the before/after picture of ``--picture`` to ``out``."""
    import cv2

    from linepaint.core.image_io import write_png
    from linepaint.core.render import false_colours

    stems = sorted(p.stem for p in (REAL / "dwanko/line").glob("*.png"))
    k = 3  # dwanko drawing 3; its index in drawings(), as the benchmark seeds it
    broken, holes = break_strokes(read_rgba(REAL / f"dwanko/line/{stems[k - 1]}.png"), 40, (2, 5), 1000 + k)
    line = line_art_from_rgba(broken)
    panels = []
    for gap in (0, None):
        seg = segment(line, gap)
        rgb = false_colours(seg.n)[seg.labels][..., :3].copy()
        rgb[seg.ink] = 0
        for x, y, _ in holes.tolist():
            cv2.circle(rgb, (x, y), 9, (0, 0, 255), 1, cv2.LINE_AA)
        panels.append(rgb)
        print(f"gap {'app default' if gap is None else gap}: {seg.n} regions")
    h = panels[0].shape[0]
    rgb = np.hstack([panels[0], np.full((h, 8, 3), 255, np.uint8), panels[1]])
    write_png(out, np.dstack([rgb, np.full((h, rgb.shape[1]), 255, np.uint8)]))
    print(f"wrote {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a0242 and two dwanko frames")
    ap.add_argument("--gap", type=int, default=None, help="gap size to segment with (default: the app's)")
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS), metavar="NAME")
    ap.add_argument("--engines", nargs="+", default=["classic", "auto"], help="engines to colour with")
    ap.add_argument("--no-colour", action="store_true", help="segmentation figures only")
    ap.add_argument("--no-split", action="store_true", help="skip the colouring after leak splitting")
    ap.add_argument("--motion", action="store_true", help="dwanko: colour frame i+1 from frame i")
    ap.add_argument("--picture", metavar="OUT.png", help="write a leaking frame before and after, and stop")
    args = ap.parse_args()
    if not REAL.is_dir():
        raise SystemExit(f"{REAL} is not present")
    if args.picture:
        picture(args.picture)
        return
    matchers = {} if args.no_colour else {e: get_matcher(e) for e in args.engines}
    names = {e: getattr(m, "name", e) for e, m in matchers.items()}
    frames = list(drawings(args.quick))
    for set_name in args.sets:
        damage = SETS[set_name]
        rec = {"a0242": [0, 0], "dwanko": [0, 0]}
        ceiling = {"a0242": [], "dwanko": []}
        ceiling_truth = {"a0242": [], "dwanko": []}
        cases = {"a0242": [], "dwanko": []}
        seconds = 0.0
        for k, (name, rgba, gt, truth) in enumerate(frames):
            group = name.split()[0]
            line = line_art_from_rgba(damage(rgba, 1000 + k))
            t = time.perf_counter()
            seg = segment(line, args.gap)
            seconds += time.perf_counter() - t
            if truth is None:
                truth = segment(line_art_from_rgba(rgba), 0).labels
                min_area = MIN_AREA
            else:
                min_area = 1
            r, n = segment_recall(truth, seg.labels, min_area)
            rec[group][0] += r
            rec[group][1] += n
            oracle = colour_layer(seg, region_colours_from_image(seg, gt))
            ceiling[group].append(score_frame(oracle, gt, line.ink, seg))
            unbroken_ink = line_art_from_rgba(rgba).ink
            ceiling_truth[group].append(score_frame(oracle, gt, line.ink | unbroken_ink, seg))
            if args.motion and group == "dwanko":
                if k + 1 < len(frames):
                    _, nrgba, ngt, _ = frames[k + 1]
                    nline = line_art_from_rgba(damage(nrgba, 2000 + k))
                    case = (reference(rgba, gt, args.gap), nline, segment(nline, args.gap), ngt)
                    cases[group].append(case + ({"line_in_truth": line_art_from_rgba(nrgba).ink},))
            else:
                cases[group].append(
                    (reference(rgba, gt, args.gap), line, seg, gt, {"line_in_truth": unbroken_ink})
                )
        for group in ("a0242", "dwanko"):
            r, n = rec[group]
            line = (
                f"{set_name:26s} {group:6s} segments {r}/{n} = {r / max(n, 1):.4f}  "
                f"ceiling {summarise(ceiling[group])['fg_region_accuracy']:.4f} "
                f"({summarise(ceiling_truth[group])['fg_region_accuracy']:.4f} on the unbroken regions)"
            )
            if matchers and cases[group]:
                scores = score_cases(matchers, cases[group])
                for e in matchers:
                    truth = scores[e]["truth regions"]["fg_region_accuracy"]
                    line += f"  {names[e]} {scores[e]['fg_region_accuracy']:.4f} ({truth:.4f})"
                if not args.no_split:
                    split_cases, n_split = split_all(cases[group], args.gap)
                    scores = score_cases(matchers, split_cases)
                    for e in matchers:
                        truth = scores[e]["truth regions"]["fg_region_accuracy"]
                        line += f"  {names[e]}+split {scores[e]['fg_region_accuracy']:.4f} ({truth:.4f})"
                    line += f" ({n_split} regions split)"
            print(line, flush=True)
        print(f"{set_name:26s} segmentation {seconds / len(frames) * 1000:.0f} ms/frame", flush=True)


if __name__ == "__main__":
    main()
