"""Command line: ``linepaint`` opens the app; subcommands colour, score, segment and
generate clips headless, over the same core the app uses."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from . import __version__
from .core.errors import LinepaintError
from .core.export import KINDS

SUBCOMMANDS = ("colorize", "batch", "evaluate", "segment", "synth", "train")


#: Largest procedural frame, and most pixels of one procedural clip (frames x width x
#: height): a clip is built in memory, about 12 bytes a pixel for each frame plus 55 for
#: the one being drawn (measured), so these keep ``synth`` well inside 4 GB.
SYNTH_MAX_PIXELS = 4096 * 4096
SYNTH_CLIP_PIXELS = 200_000_000


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 640x480, not {text!r}") from None
    if w < 16 or h < 16 or w * h > SYNTH_MAX_PIXELS:
        raise argparse.ArgumentTypeError(
            f"size {w}x{h} is out of range "
            f"(at least 16x16, at most {SYNTH_MAX_PIXELS // 1_000_000} megapixels)"
        )
    return w, h


def _int_in(lo: int, hi: int):
    """An argparse type: an integer from ``lo`` to ``hi``, refused in words otherwise."""
    return _number_in(int, "a whole number", lo, hi)


def _float_in(lo: float, hi: float):
    """An argparse type: a number from ``lo`` to ``hi``, refused in words otherwise."""
    return _number_in(float, "a number", lo, hi)


def _number_in(kind, what: str, lo, hi):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not lo <= value <= hi:  # NaN is refused too
            raise argparse.ArgumentTypeError(f"{value} is out of range ({lo} to {hi})")
        return value

    return parse


#: The gap option's outer bound; :func:`linepaint.core.segment.max_gap` bounds it per frame.
_gap = _int_in(0, 1000)


def _progress(done: int, total: int, label: str, extra: str = "") -> None:
    """A progress bar on a terminal (one line redrawn), a plain line per step elsewhere."""
    width = 24
    fill = width * done // max(total, 1)
    text = f"[{'#' * fill}{'.' * (width - fill)}] {done}/{total} {label}{extra}"
    if sys.stderr.isatty():
        print(f"\r{text}", end="" if done < total else "\n", file=sys.stderr, flush=True)
    else:
        print(text, file=sys.stderr, flush=True)


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def _device(asked: str) -> str:
    """``--device`` as it can be honoured: cuda without a GPU says so and runs on the CPU."""
    if asked == "cuda" and not _cuda_available():
        print(
            "linepaint: warning: --device cuda: no CUDA GPU is available here; colouring on the CPU.",
            file=sys.stderr,
        )
        return "cpu"
    return asked


def cmd_colorize(args: argparse.Namespace) -> int:
    from .core.batch import clip_inputs, colour_clip, to_colour
    from .core.clip import choose_keyframes, open_clip
    from .core.export import prepare_output
    from .core.match import get_matcher

    clip = open_clip(args.clip)
    if args.keys:
        clip = choose_keyframes(clip, args.keys)
    out = prepare_output(args.out, clip_inputs(clip))
    stems = to_colour(clip, out, resume=args.resume)
    restyle = None
    if args.palette:
        from .core.swatches import clip_restyle

        restyle = clip_restyle(args.palette, args.key_palette, clip.keyframes.values())
    device = _device(args.device)
    matcher = get_matcher(args.engine, device)
    if device == "cuda" and matcher.name == "classic":
        print(
            "linepaint: note: the classic engine runs on the CPU; --device cuda has no effect on it.",
            file=sys.stderr,
        )
    todo = len(stems)
    print(
        f"colouring {todo} frames of {clip.root.name} from {len(clip.keyframes)} keyframe(s) "
        f"with the {matcher.name} engine ({args.mode})",
        file=sys.stderr,
    )
    engine = matcher.name
    from .core.check import Dust

    dust = Dust(args.dust, args.dust_to) if args.dust else None
    frames = colour_clip(
        clip, out, matcher, args.mode, args.output, args.gap, stems=stems, restyle=restyle, dust=dust
    )
    for done, frame in enumerate(frames, start=1):
        engine = frame.engine
        _progress(done, todo, "frames")
    print(f"wrote {todo} frames to {out} (engine: {engine})")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .core.batch import Settings, run_batch

    settings = Settings(args.engine, _device(args.device), args.mode, args.output, args.gap, args.keys)

    def progress(done: int, total: int, shots_done: int, shots: int, failed: int) -> None:
        shots_text = f", {shots_done}/{shots} shots" + (f", {failed} failed" if failed else "")
        _progress(done, total, "frames", shots_text)

    summary = run_batch(
        args.inputs,
        args.out,
        settings,
        backend=args.backend,
        address=args.address,
        workers=args.workers,
        resume=args.resume,
        progress=progress,
        notice=lambda text: print(text, file=sys.stderr, flush=True),
    )
    data = summary.as_dict()
    for shot in summary.failed:
        print(f"linepaint: {shot.shot}: {shot.status}: {'; '.join(shot.errors)}", file=sys.stderr)
    print(
        f"coloured {data['coloured']} frames of {len(summary.shots)} shots"
        + (f" ({data['skipped']} already done)" if data["skipped"] else "")
        + f" in {data['seconds']:.0f} s on {summary.backend}; "
        f"{data['shots_done']} done, {data['shots_failed']} failed; summary: {Path(args.out) / 'batch.csv'}"
    )
    return 1 if summary.failed else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .core.clip import open_clip
    from .core.image_io import read_rgba
    from .core.lineart import read_line_art
    from .core.metrics import score_frame, summarise
    from .core.segment import segment

    clip = open_clip(args.clip)
    pred_dir = Path(args.pred)
    scores = []
    for i, stem in enumerate(clip.stems):
        gt_path, pred_path = clip.keyframes.get(stem), pred_dir / f"{stem}.png"
        if gt_path is None or not pred_path.exists():
            continue
        line = read_line_art(clip.lines[i])
        pred, gt = read_rgba(pred_path), read_rgba(gt_path)
        if pred.shape != gt.shape:
            raise LinepaintError(
                f"{pred_path.name}: prediction is {pred.shape[1]}x{pred.shape[0]}, "
                f"ground truth {gt.shape[1]}x{gt.shape[0]}."
            )
        scores.append(score_frame(pred, gt, line.ink, segment(line, args.gap)))
    if not scores:
        raise LinepaintError(
            f"nothing to score: no frame of {pred_dir} has a ground truth in {clip.root / 'gt'}."
        )
    print(json.dumps(summarise(scores), indent=2))
    return 0


def cmd_segment(args: argparse.Namespace) -> int:

    from .core.image_io import write_png
    from .core.lineart import read_line_art
    from .core.render import false_colours
    from .core.segment import segment

    if Path(args.out).suffix.lower() != ".png":
        raise LinepaintError(f"{Path(args.out).name}: segment writes a PNG; give the output a .png name.")
    line = read_line_art(args.line)
    seg = segment(line, args.gap)
    write_png(args.out, false_colours(seg.n)[seg.labels])
    print(f"{seg.n} regions -> {args.out}")
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from .synth import write_clips

    w, h = args.size
    if args.frames * w * h > SYNTH_CLIP_PIXELS:
        raise LinepaintError(
            f"{args.frames} frames of {w}x{h} are too many for one clip (frames x width x height "
            f"at most {SYNTH_CLIP_PIXELS // 1_000_000} megapixels); use fewer frames or a smaller size."
        )
    paths = write_clips(
        Path(args.out),
        clips=args.clips,
        frames=args.frames,
        seed=args.seed,
        size=args.size,
        motion=args.motion,
        redraw=args.redraw,
    )
    print(f"wrote {len(paths)} clips to {args.out}")
    return 0


def _colour_options(p: argparse.ArgumentParser) -> None:
    """The options of colouring a clip, shared by colorize and batch."""
    p.add_argument(
        "--mode",
        choices=("nearest", "forward"),
        default="nearest",
        help="nearest: from the nearest keyframes; forward: frame to frame (from the two frames "
        "before), and from the nearest keyframes (default nearest)",
    )
    p.add_argument(
        "--keys",
        default=None,
        metavar="STEMS",
        help="use only these coloured frames as keyframes: first, last or stems separated by "
        "commas (default: every gt/ frame); the others are coloured, for evaluate to score",
    )
    p.add_argument("--engine", choices=("auto", "classic", "learned"), default="auto")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument(
        "--gap", type=_gap, default=None, help="widest stroke gap to close, px (default: by frame size)"
    )
    p.add_argument(
        "--output",
        choices=KINDS,
        default="flat",
        help="flat: colours + hard black lines (default); colour: colour layer only; "
        "composite: anti-aliased lines over colours; line: the lines alone",
    )
    p.add_argument(
        "--resume", action="store_true", help="skip frames whose output file is already there (a stopped run)"
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="linepaint",
        description="Painting assistant for animation colourists.  Without a subcommand, "
        "opens the app (on the built-in demo, or on PATH...: frames, a folder or a project).",
    )
    p.add_argument("--version", action="version", version=f"linepaint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser(
        "colorize",
        help="colour a clip from its keyframes",
        description="Colour every frame of CLIP (CLIP/line/*.png) that has no keyframe "
        "(CLIP/gt/<stem>.png) and write OUT/<stem>.png.",
    )
    c.add_argument("clip")
    c.add_argument("-o", "--out", required=True, help="output folder (never the input folders)")
    _colour_options(c)
    c.add_argument(
        "--palette",
        metavar="STYLE",
        help="write every frame (keyframes too) in this palette style: a .gpl/.json palette "
        "whose swatch names match the keyframes' palette, or a colour model sheet image",
    )
    c.add_argument(
        "--key-palette",
        metavar="BASE",
        help="the palette the keyframes are painted in (.gpl/.json, or the model sheet in the "
        "layout of --palette's); default: the keyframes' own colours, named by their code",
    )
    c.add_argument(
        "--dust",
        type=_int_in(0, 10_000),
        default=0,
        metavar="PX",
        help="unpainted specks of fewer than PX pixels take their largest painted neighbour's "
        "colour (or the line's, --dust-to line); specks with a colour keep it; default 0: none",
    )
    c.add_argument("--dust-to", choices=("neighbour", "line"), default="neighbour")
    c.set_defaults(func=cmd_colorize)

    b = sub.add_parser(
        "batch",
        help="colour many clips at once (local processes, or a Ray cluster)",
        description="Colour every clip of INPUT... (clips, or folders searched for clips) into "
        "OUT/<shot>/<stem>.png, one task per clip or keyframe span, and write OUT/batch.json and "
        "OUT/batch.csv (per shot: frames, engine, doubtful regions, failures).  Exit code 1 when "
        "a shot failed (the others are still coloured).",
    )
    b.add_argument("inputs", nargs="+", metavar="INPUT")
    b.add_argument("-o", "--out", required=True, help="output folder, one sub-folder per shot")
    b.add_argument(
        "--backend",
        choices=("auto", "ray", "local"),
        default="auto",
        help="ray: a Ray cluster; local: processes on this machine; auto (default): Ray when installed",
    )
    b.add_argument(
        "--address", default=None, help="join the Ray cluster at ADDRESS (default: start a local one)"
    )
    b.add_argument(
        "--workers",
        type=_int_in(1, 1024),
        default=None,
        help="processes (or local Ray CPUs) to use (default: all cores)",
    )
    _colour_options(b)
    b.set_defaults(func=cmd_batch)

    e = sub.add_parser(
        "evaluate",
        help="score coloured frames against CLIP/gt, print JSON",
        description="Score PRED/<stem>.png against CLIP/gt/<stem>.png for every frame that has both.",
    )
    e.add_argument("pred")
    e.add_argument("clip")
    e.add_argument("--gap", type=_gap, default=None)
    e.set_defaults(func=cmd_evaluate)

    s = sub.add_parser(
        "segment",
        help="segment one line frame, write a false-colour label PNG",
        description="Segment LINE into regions; write a false-colour PNG and print the region count.",
    )
    s.add_argument("line")
    s.add_argument("-o", "--out", required=True)
    s.add_argument("--gap", type=_gap, default=None)
    s.set_defaults(func=cmd_segment)

    y = sub.add_parser(
        "synth",
        help="generate procedural clips with ground truth",
        description="Write N procedural clips (line/, gt/, seg/) to OUT.",
    )
    y.add_argument("out")
    y.add_argument("--clips", type=_int_in(1, 100_000), default=4)
    y.add_argument("--frames", type=_int_in(1, 10_000), default=8)
    y.add_argument("--seed", type=_int_in(0, 2**63 - 1), default=0)
    y.add_argument("--size", type=_size, default=(512, 512), help="WxH (default 512x512)")
    y.add_argument(
        "--motion",
        choices=("default", "real"),  # linepaint.synth.MOTIONS, not imported before it is needed
        default="default",
        help="default: small smooth moves; real: drawn animation (run cycles, key poses, limbs "
        "swinging far, parts crossing, appearing and disappearing)",
    )
    y.add_argument(
        "--redraw",
        type=_float_in(0.0, 0.2),
        default=0.0,
        metavar="AMOUNT",
        help="draw each part a little differently in every drawing, as by hand: outlines move by "
        "up to AMOUNT times the part's size (0..0.2; default 0)",
    )
    y.set_defaults(func=cmd_synth)

    t = sub.add_parser("train", help="train the learned matcher (see linepaint train --help)", add_help=False)
    t.add_argument("rest", nargs=argparse.REMAINDER)
    t.set_defaults(func=lambda a: _train(a.rest))
    return p


def _train(rest: list[str]) -> int:
    from .model.train import train_main

    return train_main(rest)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--smoke"]:  # installed-build check: offscreen demo, propagate, screenshot
        from .smoke import run_smoke

        return run_smoke(argv[1:])
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        from .gui.app import main as gui_main

        return gui_main(argv)
    if argv[0] == "train":  # its own parser; argparse.REMAINDER drops a leading --option
        return _train(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    warnings.showwarning = _one_line_warning
    from .core.heap import limit_heap_growth

    limit_heap_growth()
    try:
        return args.func(args)
    except LinepaintError as exc:
        print(f"linepaint: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only output folder, a file where a folder should be
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"linepaint: error: {exc.strerror or exc}{where}.", file=sys.stderr)
        return 2
    except MemoryError:
        print("linepaint: error: not enough memory for this input.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("linepaint: interrupted", file=sys.stderr)
        return 130


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings reach the user as one line of words, not a source location."""
    print(f"linepaint: warning: {message}", file=sys.stderr if file is None else file)


if __name__ == "__main__":
    sys.exit(main())
