"""The neighbour field: colours weighed against what the keyframe shows beside them."""

from __future__ import annotations

import numpy as np

from linepaint.core.lineart import line_art_from_rgba
from linepaint.core.match.base import Reference
from linepaint.core.match.neighbours import colour_affinity, neighbour_field, trace_share
from linepaint.core.render import pack_colours, palette_index
from linepaint.core.segment import segment

RED, GREEN, BLUE = (200, 40, 40, 255), (40, 160, 60, 255), (40, 60, 200, 255)


def _stripes(second_line=(0, 0, 0)):
    """Three vertical bands parted by a black line and a second line (black or a
    colour-trace line): (line art, segmentation, region ids left to right)."""
    rgba = np.full((40, 96, 4), 255, np.uint8)
    rgba[:, 30:32, :3] = 0
    rgba[:, 62:64, :3] = second_line
    line = line_art_from_rgba(rgba)
    seg = segment(line)
    ids = [seg.region_at(x, 20) for x in (10, 45, 80)]
    assert seg.n == 3 and len(set(ids)) == 3
    return line, seg, ids


def _reference(colours_left_to_right, second_line=(0, 0, 0)):
    line, seg, ids = _stripes(second_line)
    colours = np.zeros((seg.n + 1, 4), np.uint8)
    for region, rgba in zip(ids, colours_left_to_right, strict=True):
        colours[region] = rgba
    return Reference(line, seg, colours)


def _table(seg, ids, rows, palette):
    table = np.zeros((seg.n, len(palette)), np.float32)
    for region, probs in zip(ids, rows, strict=True):
        for rgba, p in probs.items():
            table[region - 1, np.searchsorted(palette, pack_colours(np.array([rgba], np.uint8))[0])] = p
    return table


def _palette(*rgba):
    return np.unique(pack_colours(np.array(rgba, np.uint8))).astype(np.uint32)


def _colour(table, palette, region):
    return int(palette[table[region - 1].argmax()])


def _code(rgba):
    return int(pack_colours(np.array([rgba], np.uint8))[0])


def test_the_trace_share_names_the_kind_of_line_between_two_regions():
    line, seg, (left, mid, right) = _stripes(second_line=(0, 0, 255))
    share = dict(zip(map(tuple, seg.adjacency.tolist()), trace_share(line, seg), strict=True))
    assert share[tuple(sorted((left, mid)))] == 0.0
    assert share[tuple(sorted((mid, right)))] == 1.0


def test_the_affinity_of_colours_follows_which_meet_across_which_line():
    ref = _reference([RED, GREEN, BLUE], second_line=(0, 0, 255))
    palette = _palette(RED, GREEN, BLUE)
    black, trace = colour_affinity([ref], palette)
    r, g, b = (int(np.searchsorted(palette, _code(c))) for c in (RED, GREEN, BLUE))
    # Red meets green across black line, green meets blue across the trace line.
    assert black[r, g] > 0 and black[g, r] > 0
    assert trace[g, b] > 0
    assert black[g, b] < 0 and trace[r, g] < 0
    assert black[r, r] < 0 and black[r, b] < 0


def test_an_unsure_region_takes_the_colour_its_neighbours_meet_in_the_keyframe():
    """The middle band leans to red, but red never meets red in the keyframe, and green
    meets red and blue there: it is green (the arm that took the vest's colour)."""
    ref = _reference([RED, GREEN, BLUE])
    line, seg, ids = _stripes()
    palette = _palette(RED, GREEN, BLUE)
    rows = [{RED: 0.9, GREEN: 0.1}, {RED: 0.55, GREEN: 0.45}, {BLUE: 0.9, GREEN: 0.1}]
    table = _table(seg, ids, rows, palette)
    out = neighbour_field(table, palette, line, seg, [ref])
    assert [_colour(out, palette, r) for r in ids] == [_code(RED), _code(GREEN), _code(BLUE)]
    assert np.allclose(out.sum(axis=1), 1.0, atol=1e-5)
    # A colour the matcher never offered is not invented.
    assert out[ids[0] - 1, np.searchsorted(palette, _code(BLUE))] == 0


def test_a_locked_neighbour_counts_as_known_and_ruled_out_colours_stay_out():
    ref = _reference([RED, GREEN, BLUE])
    line, seg, (left, mid, right) = _stripes()
    palette = _palette(RED, GREEN, BLUE)
    # The left band leans to blue; the colourist locked it red.  Green sits beside red and
    # blue in the keyframe, so the unsure middle one is green, not the blue it leans to;
    # the right band has red ruled out and keeps it out.
    rows = [{BLUE: 0.6, RED: 0.4}, {BLUE: 0.55, GREEN: 0.45}, {BLUE: 1.0, RED: -1.0}]
    table = _table(seg, [left, mid, right], rows, palette)
    out = neighbour_field(table, palette, line, seg, [ref], locked={left: RED})
    assert _colour(out, palette, left) == _code(RED)
    assert _colour(out, palette, mid) == _code(GREEN)
    assert out[right - 1, np.searchsorted(palette, _code(RED))] == -1.0


def test_a_region_with_no_colour_and_a_frame_with_one_colour_are_left_as_they_are():
    ref = _reference([RED, RED, RED])
    line, seg, ids = _stripes()
    palette = _palette(RED)
    table = _table(seg, ids, [{RED: 1.0}, {}, {RED: 1.0}], palette)
    assert np.array_equal(neighbour_field(table, palette, line, seg, [ref]), table)
    palette = _palette(RED, GREEN)
    table = _table(seg, ids, [{RED: 0.7, GREEN: 0.3}, {}, {GREEN: 1.0}], palette)
    out = neighbour_field(table, palette, line, seg, [ref])
    assert np.array_equal(out[ids[1] - 1], table[ids[1] - 1])


def test_a_table_too_big_for_the_field_is_left_as_it_is(monkeypatch):
    import linepaint.core.match.neighbours as neighbours

    ref = _reference([RED, GREEN, BLUE])
    line, seg, ids = _stripes()
    palette = _palette(RED, GREEN, BLUE)
    rows = [{RED: 0.9, GREEN: 0.1}, {RED: 0.55, GREEN: 0.45}, {BLUE: 0.9, GREEN: 0.1}]
    table = _table(seg, ids, rows, palette)
    monkeypatch.setattr(neighbours, "FIELD_MAX_CELLS", table.size - 1)
    assert np.array_equal(neighbour_field(table, palette, line, seg, [ref]), table)


def test_on_a_real_run_cycle_the_field_undoes_the_swaps_of_the_warp(real_data, monkeypatch):
    """dwanko, each drawing from the one before and the one after: where an arm swings
    across the vest the warp swaps their colours; weighing each colour against the
    neighbours' gives more regions of the ground truth their colour (the classical
    engine by itself, 0.82 -> 0.84 when this was written)."""
    import linepaint.core.match.neighbours as neighbours
    from linepaint.core.clip import ClipFrames, open_clip
    from linepaint.core.image_io import read_rgba
    from linepaint.core.match.classic import ClassicMatcher
    from linepaint.core.metrics import score_frame, summarise
    from linepaint.core.render import colour_layer

    clip = open_clip(real_data / "dwanko")
    frames = ClipFrames(clip, cache=len(clip.stems))
    truth = [read_rgba(clip.keyframes[s]) for s in clip.stems]
    n = len(clip.stems)

    def right():
        scores = []
        for i in range(n):
            ref = Reference(frames.line(i), frames.seg(i), frames.known_colours(i))
            for j in range(n):
                if abs(j - i) == 1:
                    res = ClassicMatcher().match([ref], frames.line(j), frames.seg(j))
                    layer = colour_layer(frames.seg(j), res.colours)
                    scores.append(score_frame(layer, truth[j], frames.line(j).ink))
        return summarise(scores)["fg_region_accuracy"]

    with_field = right()
    monkeypatch.setattr(neighbours, "W_FIELD", 0.0)
    without = right()
    assert with_field >= without + 0.01


def test_palette_index_finds_each_colour_or_says_it_is_absent():
    """The one lookup of packed colours in a sorted palette that the colour tables, the
    neighbour field and the trainer's fused loss share."""
    rgba = np.array([[200, 10, 10, 255], [10, 200, 10, 255], [10, 10, 200, 255], [9, 9, 9, 0]], np.uint8)
    codes = pack_colours(rgba)
    palette = np.unique(codes[:2])
    index = palette_index(palette, codes)
    assert index.dtype == np.int64
    assert [palette[i] for i in index[:2]] == list(codes[:2])
    assert index[2:].tolist() == [-1, -1]
    assert palette_index(np.zeros(0, np.uint32), codes).tolist() == [-1, -1, -1, -1]
    assert palette_index(palette, codes.reshape(2, 2)).shape == (2, 2)


def test_each_engine_is_settled_among_its_neighbours_before_the_two_are_blended():
    """A green vest between two blue sleeves in the keyframe.  The network places the vest
    (green 0.6, red 0.4) and the sleeves; the warp laid a red part over the vest
    (classical: red 0.9) and leaves the left sleeve anyone's.  Blended first, the vest is
    near even and the field sides with the warp's colours around it; each engine settled
    among its own neighbours first, the vest stays green."""
    from linepaint.core.match.learned import blend_engines, fuse_with_classic

    ref = _reference([BLUE, GREEN, BLUE])
    line, seg, ids = _stripes()
    palette = _palette(RED, GREEN, BLUE)
    network_rows = [{BLUE: 0.6, GREEN: 0.4}, {GREEN: 0.6, RED: 0.4}, {BLUE: 0.7, RED: 0.3}]
    classic_rows = [{RED: 0.4, GREEN: 0.2, BLUE: 0.4}, {RED: 0.9, GREEN: 0.1}, {BLUE: 0.6, GREEN: 0.4}]
    network = _table(seg, ids, network_rows, palette)
    classic = _table(seg, ids, classic_rows, palette)
    no_match = np.zeros(seg.n, np.float32)

    def field(table):
        return neighbour_field(table, palette, line, seg, [ref])

    out = blend_engines(network, no_match, classic, 0.3, field)
    assert [_colour(out, palette, r) for r in ids] == [_code(BLUE), _code(GREEN), _code(BLUE)]
    # The field over the blend would have painted the vest red.
    blended_first = field(fuse_with_classic(network, no_match, classic, 0.3))
    assert _colour(blended_first, palette, ids[1]) == _code(RED)
    # Without a classical posterior the network's table is settled alone.
    assert np.allclose(blend_engines(network, no_match, None, 0.3, field), field(network))
