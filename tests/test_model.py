"""The learned matcher: features, a few training steps, shipped weights, engine adapter."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from linepaint.core.lineart import line_art_from_rgba  # noqa: E402
from linepaint.core.match.base import Reference  # noqa: E402
from linepaint.core.render import region_colours_from_image  # noqa: E402
from linepaint.core.segment import segment  # noqa: E402


@dataclass
class StandInClip:
    lines: list
    gt: list
    seg: list


def standin_clip(seed: int, frames: int = 4, size: tuple[int, int] = (160, 120)) -> StandInClip:
    """A few outlined cv2 shapes drifting over a transparent background; ids per shape,
    two shapes share a colour (palette reuse)."""
    rng = np.random.default_rng(seed)
    w, h = size
    k = int(rng.integers(4, 7))
    palette = rng.integers(40, 230, (k, 3))
    palette[1] = palette[0]
    centres = rng.uniform([0.2 * w, 0.2 * h], [0.8 * w, 0.8 * h], (k, 2))
    axes = rng.uniform(0.06, 0.2, (k, 2)) * min(w, h)
    angles = rng.uniform(0, 180, k)
    kinds = rng.integers(0, 2, k)
    vel = rng.uniform(-2.5, 2.5, (k, 2))
    lines, gts, segs = [], [], []
    for f in range(frames):
        ids = np.ones((h, w), np.int32)
        ink = np.zeros((h, w), np.uint8)
        gt = np.zeros((h, w, 4), np.uint8)
        for i in range(k):
            c = tuple(int(v) for v in centres[i] + vel[i] * f)
            ax = tuple(int(v) for v in axes[i])
            shape = np.zeros((h, w), np.uint8)
            if kinds[i] == 0:
                cv2.ellipse(shape, c, ax, float(angles[i] + 3 * f), 0, 360, 1, -1)
            else:
                box = cv2.boxPoints((c, (2 * ax[0], 2 * ax[1]), float(angles[i] + 3 * f))).astype(np.int32)
                cv2.fillPoly(shape, [box], 1)
            inside = shape > 0
            ids[inside] = i + 2
            gt[inside] = (*palette[i], 255)
            # Later shapes hide the outlines of earlier ones (z-order).
            ink[inside] = 0
            cv2.drawContours(
                ink, cv2.findContours(shape, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[0], -1, 255, 2
            )
        line = np.zeros((h, w, 4), np.uint8)
        line[..., 3] = ink
        ids[ink > 0] = 0
        lines.append(line)
        gts.append(gt)
        segs.append(ids)
    return StandInClip(lines, gts, segs)


def tiny_settings(**kw):
    from linepaint.model.network import MatcherConfig
    from linepaint.model.train import TrainSettings

    base = dict(
        steps=30,
        batch=2,
        lr=3e-3,
        warmup=5,
        size=(160, 120),
        frames=4,
        pairs_per_clip=3,
        val_clips=0,
        log_every=10,
        threads=1,
        device="cpu",
        model=MatcherConfig(channels=(8, 16, 16, 32), stem_width=8, dim=32, heads=2, layers=1),
    )
    base.update(kw)
    return TrainSettings(**base)


def test_timm_imports_and_builds_from_scratch():
    from linepaint.model._timm import import_timm
    from linepaint.model.network import MatcherConfig, SegmentMatcher

    assert import_timm().create_model is not None
    model = SegmentMatcher(MatcherConfig(channels=(8, 16, 16, 32), stem_width=8, dim=32, heads=2, layers=1))
    tokens = model.embed(torch.zeros((5, 6, 32, 32), dtype=torch.uint8), torch.zeros(5, 8))
    logits = model(tokens[:3], tokens[3:], torch.zeros(2, 3))
    assert logits.shape == (2, 4)


def test_features_are_fixed_size_whatever_the_frame():
    from linepaint.model.features import CHANNELS, pair_inputs

    clip = standin_clip(3, frames=2, size=(1200, 900))
    ref_line, tgt_line = (line_art_from_rgba(x) for x in clip.lines)
    ref_seg, tgt_seg = segment(ref_line), segment(tgt_line)
    colours = region_colours_from_image(ref_seg, clip.gt[0])
    inp = pair_inputs(ref_line, ref_seg, colours, tgt_line, tgt_seg, size=32)
    assert inp.ref.crops.shape == (ref_seg.n, CHANNELS, 32, 32)
    assert inp.tgt.crops.shape == (tgt_seg.n, CHANNELS, 32, 32)
    assert inp.prior.shape == (tgt_seg.n, ref_seg.n)
    assert np.all(inp.prior.sum(1) <= 1.0 + 1e-5)
    # Every region's own mask is in its crop, and the frame-sized background too.
    assert np.all(inp.ref.crops[:, 1].reshape(ref_seg.n, -1).max(1) > 0)
    # The coarse warp already puts most target regions mostly into one reference region.
    assert np.median(inp.prior.max(1)) > 0.8


def test_a_tiny_model_trains_and_its_loss_falls(tmp_path):
    from linepaint.model.data import clip_pairs
    from linepaint.model.network import SegmentMatcher
    from linepaint.model.train import evaluate, train

    s = tiny_settings()
    val = []
    for seed in (900, 901):
        val += clip_pairs(standin_clip(seed), np.random.default_rng(seed), 2, crop=32)
    torch.manual_seed(s.seed)
    before = evaluate(SegmentMatcher(s.model), val, torch.device("cpu"))["loss"]
    model, history = train(
        s, lambda seed: standin_clip(900 + seed % 2), out=tmp_path / "run", log=lambda m: None
    )
    after = evaluate(model, val, torch.device("cpu"))["loss"]
    print(before, after, [h["loss"] for h in history])
    assert after < 0.8 * before
    assert len(history) == 3
    assert (tmp_path / "run" / "last.pt").exists()


def test_train_main_exports_weights_that_the_engine_loads(tmp_path):
    pytest.importorskip("linepaint.synth")
    from linepaint.core.match.learned import LearnedMatcher
    from linepaint.model.train import train_main

    out, export = tmp_path / "run", tmp_path / "export"
    argv = [
        "--out",
        str(out),
        "--export",
        str(export),
        "--steps",
        "2",
        "--batch",
        "1",
        "--size",
        "128x96",
        "--frames",
        "3",
        "--pairs-per-clip",
        "1",
        "--val-clips",
        "1",
        "--val-every",
        "2",
        "--log-every",
        "1",
        "--dim",
        "32",
        "--layers",
        "1",
        "--heads",
        "2",
        "--threads",
        "1",
        "--device",
        "cpu",
    ]
    assert train_main(argv) == 0
    assert train_main(argv[:6] + ["--steps", "3"] + argv[8:]) == 0  # resumes at step 2
    import json

    card = json.loads((export / "matcher.json").read_text())
    assert card["steps"] == 3 and "validation" in card and card["config"]["dim"] == 32
    m = LearnedMatcher("cpu", weights=str(export / "matcher.safetensors"))
    assert m.model.config.dim == 32


def test_train_refuses_the_seed_whose_clips_are_the_validation_clips(tmp_path, capsys):
    from linepaint.model.train import SEEDS_PER_RUN, VAL_SEED_BASE, train_main, train_seed_block

    clash = VAL_SEED_BASE // SEEDS_PER_RUN
    assert train_seed_block(clash + 1) == (clash + 1) * SEEDS_PER_RUN
    with pytest.raises(ValueError, match="validation clips"):
        train_seed_block(clash)
    out = tmp_path / "run"
    assert train_main(["--out", str(out), "--steps", "1", "--seed", str(clash)]) == 2
    assert "validation clips" in capsys.readouterr().err
    assert not (out / "last.pt").exists()


def _synth_pair(seed=1_000_003, size=(256, 192), gap=2):
    synth = pytest.importorskip("linepaint.synth")
    from linepaint.model.data import label_frame

    clip = synth.generate_clip(seed, frames=gap + 1, size=size)
    a = label_frame(clip.lines[0], clip.gt[0], clip.seg[0])
    b = label_frame(clip.lines[gap], clip.gt[gap], clip.seg[gap])
    return a, b


def _shipped():
    from linepaint.core.match.learned import LearnedMatcher, weights_available

    if not weights_available():
        pytest.skip("no shipped weights in resources/models/")
    return LearnedMatcher("cpu")


def test_shipped_weights_load_and_are_deterministic():
    m = _shipped()
    a, b = _synth_pair()
    ref = Reference(a.line, a.seg, a.colours)
    r1 = m.match([ref], b.line, b.seg)
    r2 = m.match([ref], b.line, b.seg)
    assert r1.engine == "learned (cpu)"
    assert r1.colours.shape == (b.seg.n + 1, 4) and r1.confidence.dtype == np.float32
    assert np.array_equal(r1.colours, r2.colours)
    assert np.array_equal(r1.confidence, r2.confidence)
    assert np.array_equal(r1.source, r2.source)
    assert np.all((r1.confidence >= 0) & (r1.confidence <= 1.0 + 1e-5))


def test_locked_regions_are_kept_and_two_references_work():
    m = _shipped()
    a, b = _synth_pair()
    ref = Reference(a.line, a.seg, a.colours)
    locked = {1: (1, 2, 3, 255), b.seg.n: (4, 5, 6, 255)}
    r = m.match([ref, ref], b.line, b.seg, locked=locked)
    for k, c in locked.items():
        assert tuple(r.colours[k]) == c and r.confidence[k] == 1.0
    assert set(np.unique(r.ref_index[1:])) <= {-1, 0, 1}


def test_learned_colours_synth_clips_at_least_as_well_as_classic():
    m = _shipped()
    try:
        from linepaint.core.match.classic import ClassicMatcher
    except ImportError:
        pytest.skip("classic engine not there yet")
    synth = pytest.importorskip("linepaint.synth")
    from linepaint.model.evaluation import compare_engines

    clips = [synth.generate_clip(1_000_000 + i, frames=4, size=(384, 288)) for i in range(3)]
    res = compare_engines({"classic": ClassicMatcher(), "learned": m}, clips, max_gap=3)
    assert res["learned"]["seg_fg_accuracy"] >= res["classic"]["seg_fg_accuracy"]
    assert res["learned"]["fg_region_accuracy"] >= res["classic"]["fg_region_accuracy"]


def test_cuda_out_of_memory_falls_back_to_cpu(monkeypatch):
    m = _shipped()
    import linepaint.model.infer as infer

    real = infer.frame_tokens  # the first thing the engine runs on the device
    calls = []

    def flaky(*args, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")
        return real(*args, **kw)

    monkeypatch.setattr(infer, "frame_tokens", flaky)
    m.device = torch.device("cuda")  # pretend; the model itself stays on the CPU
    a, b = _synth_pair()
    with pytest.warns(RuntimeWarning, match="out of memory"):
        r = m.match([Reference(a.line, a.seg, a.colours)], b.line, b.seg)
    assert m.device.type == "cpu" and r.engine == "learned (cpu)"
    # The reference (out of memory), the reference again on the CPU, then the target.
    assert len(calls) == 3 and (r.colours[1:, 3] > 0).any()


def test_core_does_not_import_torch_and_get_matcher_finds_the_engine():
    import subprocess
    import sys

    code = (
        "import sys, linepaint.core.match.learned, linepaint.core.match.base; print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    _shipped()
    from linepaint.core.match.base import get_matcher

    assert get_matcher("learned", "cpu").name == "learned"


def test_learned_colours_the_demo_at_least_as_well_as_classic(tmp_path):
    """The shipped demo (resources/demo) coloured by each engine through the CLI, scored
    against the demo's full ground truth, regenerated from its seed."""
    _shipped()
    from linepaint.cli import main
    from linepaint.core.image_io import read_rgba
    from linepaint.core.lineart import line_art_from_rgba
    from linepaint.core.metrics import score_frame, summarise
    from linepaint.resources import resource_path
    from linepaint.synth import demo_clip

    truth = demo_clip()
    demo = resource_path("demo")
    assert np.array_equal(read_rgba(demo / "line" / "0003.png"), truth.lines[3])  # same clip
    scores = {}
    for engine in ("classic", "learned"):
        out = tmp_path / engine
        assert main(["colorize", str(demo), "-o", str(out), "--engine", engine, "--device", "cpu"]) == 0
        frames = []
        for i in range(1, len(truth.lines)):
            pred = read_rgba(out / f"{i:04d}.png")
            frames.append(score_frame(pred, truth.gt[i], line_art_from_rgba(truth.lines[i]).ink))
        scores[engine] = summarise(frames)
    assert scores["learned"]["fg_region_accuracy"] >= scores["classic"]["fg_region_accuracy"], scores
    assert scores["learned"]["fg_region_accuracy"] > 0.85, scores


def test_cli_trains_a_network_that_takes_the_classical_posterior(tmp_path):
    """``linepaint train --out ...`` through the real CLI (its options start with --),
    with ``--classic-prior``; the exported network is used by the engine."""
    pytest.importorskip("linepaint.synth")
    from linepaint.cli import main
    from linepaint.core.match.learned import LearnedMatcher

    out, export = tmp_path / "run", tmp_path / "export"
    argv = ["train", "--out", str(out), "--export", str(export), "--steps", "2", "--batch", "1"]
    argv += ["--size", "128x96", "--frames", "3", "--pairs-per-clip", "1", "--val-clips", "1"]
    argv += ["--val-every", "2", "--dim", "32", "--layers", "1", "--heads", "2", "--threads", "1"]
    argv += ["--device", "cpu", "--classic-prior"]
    assert main(argv) == 0
    m = LearnedMatcher("cpu", weights=str(export / "matcher.safetensors"), classic_weight=0.0)
    assert m.model.config.classic_prior and hasattr(m.model, "classic_weight")
    a, b = _synth_pair()
    r = m.match([Reference(a.line, a.seg, a.colours)], b.line, b.seg)
    assert (r.colours[1:, 3] > 0).sum() > b.seg.n // 2


def test_classic_prior_spreads_a_colour_over_its_reference_regions():
    from linepaint.core.match.base import ColourPosterior
    from linepaint.core.render import pack_colours
    from linepaint.model.features import classic_prior

    red, blue, clear = (255, 0, 0, 255), (0, 0, 255, 255), (0, 0, 0, 0)
    ref_colours = np.array([clear, red, blue, red, clear], np.uint8)  # regions 1..4
    codes = pack_colours(np.array([red, blue, clear], np.uint8)).astype(np.uint32)
    posterior = ColourPosterior(
        regions=np.array([1, 1, 2, 2]),
        colours=np.array([codes[0], codes[1], codes[0], codes[2]]),
        probs=np.array([0.7, 0.3, 1.0, -1.0]),  # -1: ruled out
    )
    p = classic_prior(posterior, ref_colours, n_tgt=3)
    assert p.shape == (3, 4)
    np.testing.assert_allclose(p[0], [0.7, 0.3, 0.7, 0.0])
    np.testing.assert_allclose(p[1], [1.0, 0.0, 1.0, 0.0])  # transparent ruled out
    np.testing.assert_allclose(p[2], 0.0)  # no posterior for region 3


def test_a_region_the_network_cannot_place_follows_the_warp_and_stays_in_doubt():
    from linepaint.core.match.learned import fuse_with_classic, region_confidence
    from linepaint.core.project import DOUBT_THRESHOLD

    # Palette (red, blue, clear).  Region 1: the network is sure of red.  Region 2: it
    # says "no match" (0.9) and leans to red with what is left; the warp says blue.
    # Region 3: like 2, but the warp rules blue out and says clear is impossible too.
    total = np.array([[0.99, 0.01, 0.0], [0.08, 0.02, 0.0], [0.08, 0.02, 0.0]], np.float32)
    no_match = np.array([0.0, 0.9, 0.9], np.float32)
    prior = np.array([[0.2, 0.8, 0.0], [0.1, 0.9, 0.0], [0.6, -1.0, -1.0]], np.float32)
    fused = fuse_with_classic(total, no_match, prior, classic_weight=0.0)
    assert fused.argmax(1).tolist() == [0, 1, 0]
    np.testing.assert_allclose(fused[0], total[0])  # a placed region is the network's
    np.testing.assert_allclose(fused[1].sum(), 1.0, atol=1e-6)  # still a distribution
    assert fused[2, 1] == -1.0 and fused[2, 2] == -1.0
    # The engine's confidence: the margin, scaled by how much the network placed it.
    conf = region_confidence(fused, fused.argmax(1), no_match)
    assert conf[0] >= DOUBT_THRESHOLD > conf[1]


def test_colour_image_is_the_colour_table_looked_up_per_pixel():
    from linepaint.model.features import colour_image

    rng = np.random.default_rng(0)
    colours = rng.integers(0, 256, (9, 4)).astype(np.uint8)
    labels = rng.integers(0, 9, (37, 53)).astype(np.int32)
    assert np.array_equal(colour_image(colours, labels), colours[labels])


def test_a_recoloured_reference_is_not_served_from_the_cache():
    """The engine keeps a reference's crops and tokens between targets; a bucket fix on
    the keyframe (its colours edited in place) must reach the next match."""
    m = _shipped()
    a, b = _synth_pair()
    colours = a.colours.copy()
    ref = Reference(a.line, a.seg, colours)
    before = m.match([ref], b.line, b.seg)
    again = m.match([ref], b.line, b.seg)  # served from the cache: same answer
    assert np.array_equal(before.colours, again.colours)
    big = int(np.argmax(a.seg.area[1:] * (colours[1:, 3] > 0))) + 1
    old = tuple(colours[big])
    colours[big] = (1, 2, 3, 255)
    after = m.match([ref], b.line, b.seg)
    moved = (before.colours[1:] == old).all(1) & (after.colours[1:] == (1, 2, 3, 255)).all(1)
    assert moved.any()


def test_training_embeds_a_batch_one_crop_over_the_chunk_size():
    """Crops go through the CNN in chunks; a chunk of one crop breaks BatchNorm in
    training (it crashed two long CPU runs)."""
    from linepaint.model.network import MatcherConfig, SegmentMatcher

    m = SegmentMatcher(MatcherConfig(dim=16, heads=2, layers=1, channels=(8, 8, 8, 8), stem_width=8)).train()
    crops = torch.randint(0, 255, (9, 6, 32, 32), dtype=torch.uint8)
    tokens = m.embed(crops, torch.zeros(9, 8), chunk=8)
    assert tokens.shape == (9, 16) and torch.isfinite(tokens).all()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_damaged_weights_name_the_file_and_auto_falls_back_to_classic(tmp_path, monkeypatch, damage):
    from linepaint.core.errors import WeightsError
    from linepaint.core.match import base, learned
    from linepaint.core.match.learned import LearnedMatcher
    from linepaint.model.weights import shipped_paths

    real = shipped_paths()[0]
    if not real.is_file():
        pytest.skip("no shipped weights")
    bad = tmp_path / "matcher.safetensors"
    data = {"truncated": real.read_bytes()[:5000], "garbage": b"\x00not weights" * 100, "empty": b""}
    bad.write_bytes(data[damage])
    with pytest.raises(WeightsError, match="matcher.safetensors"):
        LearnedMatcher("cpu", weights=str(bad))
    # The app's default engine: a warning that names the file, then the classical engine.
    monkeypatch.setattr(learned, "weights_available", lambda: True)
    monkeypatch.setattr(learned, "LearnedMatcher", lambda device: LearnedMatcher(device, weights=str(bad)))
    with pytest.warns(UserWarning, match="matcher.safetensors"):
        m = base.get_matcher("auto", "cpu")
    assert m.name == "classic"


def test_a_frame_with_too_many_regions_for_the_network_goes_to_the_classical_engine(monkeypatch):
    from linepaint.core.match import learned
    from linepaint.core.match.classic import ClassicMatcher
    from linepaint.synth import generate_clip

    if not learned.weights_available():
        pytest.skip("no shipped weights")
    clip = generate_clip(5, frames=2, size=(256, 192), difficulty=0.3)
    lines = [line_art_from_rgba(x) for x in clip.lines]
    segs = [segment(x) for x in lines]
    ref = Reference(lines[0], segs[0], region_colours_from_image(segs[0], clip.gt[0]))
    m = learned.LearnedMatcher("cpu")
    assert m.match([ref], lines[1], segs[1]).engine.startswith("learned")
    monkeypatch.setattr(learned, "MAX_PAIRS", segs[1].n * segs[0].n - 1)
    with pytest.warns(RuntimeWarning, match="classical engine"):
        res = m.match([ref], lines[1], segs[1], locked={1: (1, 2, 3, 255)})
    assert res.engine.startswith("classic")
    plain = ClassicMatcher().match([ref], lines[1], segs[1], locked={1: (1, 2, 3, 255)})
    assert np.array_equal(res.colours, plain.colours) and tuple(res.colours[1]) == (1, 2, 3, 255)


def test_the_prior_gate_starts_where_the_network_without_it_was_and_weighs_each_region():
    from linepaint.model.network import MatcherConfig, SegmentMatcher

    torch.manual_seed(0)
    small = dict(channels=(8, 8, 8, 8), stem_width=8, dim=16, heads=2, layers=1)
    plain = SegmentMatcher(MatcherConfig(**small, extra={"classic_prior": True})).eval()
    gated = SegmentMatcher(MatcherConfig(**small, extra={"classic_prior": True, "prior_gate": True})).eval()
    missing, unexpected = gated.load_state_dict(plain.state_dict(), strict=False)
    assert sorted(missing) == ["gate.bias", "gate.weight"] and not unexpected
    ref, tgt = torch.randn(5, 16), torch.randn(3, 16)
    prior = torch.rand(3, 5)
    classic = torch.rand(3, 5)
    with torch.no_grad():
        torch.testing.assert_close(gated(ref, tgt, prior, classic), plain(ref, tgt, prior, classic))
        # A gate that shuts both priors for one region leaves the others as they were.
        r, t = gated.mix(ref, tgt)
        gated.gate.bias.fill_(-30.0)
        gated.gate.weight.zero_()
        shut = gated.scores(r, t, prior, classic)
        open_ = plain.scores(r, t, prior, classic)
        bare = plain.scores(r, t, torch.zeros_like(prior), torch.ones_like(classic))
    # With both priors shut, the scores are the tokens' alone (a uniform classical
    # posterior adds the same log to every column, so compare differences across columns).
    d_shut = shut[:, :-1] - shut[:, :1]
    d_bare = bare[:, :-1] - bare[:, :1]
    torch.testing.assert_close(d_shut, d_bare, atol=1e-4, rtol=1e-4)
    assert not torch.allclose(d_shut, open_[:, :-1] - open_[:, :1])


def test_the_fused_loss_scores_the_colours_the_engine_chooses_from():
    """fused_colour_loss: the network's colours with a share of each region, and all of
    its "no match", following the classical posterior, as fuse_with_classic blends them."""
    from linepaint.core.match.learned import fuse_with_classic
    from linepaint.model.network import fused_colour_loss

    # Three reference regions, the first two of colour 0, the third of colour 1.
    onehot = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    # Region 0: sure of reference region 2 (colour 1); region 1: all "no match".
    logits = torch.tensor([[-30.0, -30.0, 30.0, -30.0], [-30.0, -30.0, -30.0, 30.0]])
    # The classical posterior per reference region: each region of a colour carries it.
    classic = torch.tensor([[0.8, 0.8, 0.2], [0.1, 0.1, 0.9]])
    w = 0.3
    target = torch.tensor([1, 1])
    loss = fused_colour_loss(logits, classic, onehot, target, w)
    # Region 0: 0.7 * 1 + 0.3 * 0.2; region 1: the classical 0.9 alone.
    expected = -(np.log(0.7 + 0.3 * 0.2) + np.log(0.9)) / 2
    assert float(loss) == pytest.approx(expected, abs=1e-4)
    # The same blend as the engine's (colour tables over the same palette).
    net = torch.softmax(logits, 1)
    fused = fuse_with_classic(
        (net[:, :-1] @ onehot).numpy(), net[:, -1].numpy(), np.array([[0.8, 0.2], [0.1, 0.9]]), w
    )
    assert -np.log(fused[[0, 1], [1, 1]]).mean() == pytest.approx(float(loss), abs=1e-4)
    # A colour the reference lacks is left out; none left: no loss, and still a graph.
    assert float(fused_colour_loss(logits, classic, onehot, torch.tensor([-1, 1]), w)) == pytest.approx(
        -np.log(0.9), abs=1e-4
    )
    none = fused_colour_loss(logits.requires_grad_(), classic, onehot, torch.tensor([-1, -1]), w)
    assert none.detach().item() == 0.0 and none.requires_grad


def test_training_with_the_fused_loss_adds_it_to_the_match_loss():
    pytest.importorskip("linepaint.synth")
    from linepaint.model.data import clip_pairs
    from linepaint.model.network import MatcherConfig, SegmentMatcher
    from linepaint.model.train import batch_loss
    from linepaint.synth import generate_clip

    torch.manual_seed(0)
    small = dict(channels=(8, 8, 8, 8), stem_width=8, dim=16, heads=2, layers=1)
    model = SegmentMatcher(MatcherConfig(**small, extra={"classic_prior": True})).eval()
    clip = generate_clip(3, frames=3, size=(160, 120), difficulty=0.3)
    batch = clip_pairs(clip, np.random.default_rng(0), 2, max_gap=2, classic=True)
    assert batch
    device = torch.device("cpu")
    plain = batch_loss(model, batch, device)
    both = batch_loss(model, batch, device, fused=1.0)
    assert torch.isfinite(both) and both.item() > plain.item() > 0
    # The trainer blends the classical posterior in as the engine does.
    from linepaint.core.match.learned import PRIOR_NETWORK_CLASSIC_WEIGHT
    from linepaint.model.train import TrainSettings

    assert TrainSettings().fused_share == PRIOR_NETWORK_CLASSIC_WEIGHT
    both.backward()
    assert model.dustbin[0].weight.grad is not None
