"""gandetexture.quilting: image quilting (Efros & Freeman 2001) and its texture baseline."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import gandetexture as gdt  # noqa: F401
from gandetexture import baselines, exemplars, quilting


def noise(h: int, w: int, c: int = 3, seed: int = 0) -> np.ndarray:
    """Uniform noise: every block of it is unique, so a copied block can be found."""
    return np.random.default_rng(seed).random((h, w, c), dtype=np.float32)


def periodic(h: int, w: int, period: int = 8, seed: int = 0) -> np.ndarray:
    """A random ``period × period`` tile repeated: periodic with that period both ways."""
    tile = noise(period, period, 3, seed)
    return np.tile(tile, (-(-h // period), -(-w // period), 1))[:h, :w]


def ramps(h: int, w: int) -> np.ndarray:
    """Smooth ramps up and down: triangle waves of period 48 along x plus 40 along y, so every
    step between neighbours is small (0.4 / 24 and 0.4 / 20) and a misplaced block jumps."""
    y, x = np.mgrid[:h, :w].astype(np.float32)

    def triangle(t, period):
        return np.abs((t / period) % 1.0 * 2.0 - 1.0)

    grey = 0.1 + 0.4 * triangle(x, 48) + 0.4 * triangle(y, 40)
    return np.repeat(grey[..., None], 3, axis=-1).astype(np.float32)


def where_in(exemplar: np.ndarray, patch: np.ndarray) -> list[tuple[int, int]]:
    """Every ``(y, x)`` where ``patch`` occurs exactly in ``exemplar``."""
    windows = np.lib.stride_tricks.sliding_window_view(exemplar, patch.shape, axis=(0, 1, 2))
    return [tuple(p[:2]) for p in np.argwhere(np.all(windows == patch, axis=(-3, -2, -1)))]


def lag_correlation(image: np.ndarray, lag: int, axis: int) -> float:
    """Correlation of an image with itself shifted by ``lag`` pixels along ``axis``."""
    n = image.shape[axis]
    a = np.take(image, range(n - lag), axis=axis).ravel()
    b = np.take(image, range(lag, n), axis=axis).ravel()
    return float(np.corrcoef(a, b)[0, 1])


def seam_ratio(image: np.ndarray, block: int, overlap: int) -> float:
    """Mean |horizontal difference| across the columns where vertical seams can lie (each
    left overlap and the step into it), over the mean of the other columns."""
    diffs = np.abs(np.diff(image, axis=1)).mean(axis=(0, 2))  # diffs[c]: column c -> c + 1
    step = block - overlap
    seam = np.zeros(diffs.size, bool)
    for x0 in range(step, image.shape[1], step):
        seam[x0 - 1:x0 + overlap] = True
    return float(diffs[seam].mean() / diffs[~seam].mean())


# ------------------------------------------------------------------ shapes, sizes, seeds


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", [(100, 77), (40, 40), (5, 3)])
def test_shape_dtype_and_range(channels, size):
    exemplar = noise(48, 52, channels, seed=1)
    out = quilting.quilt(exemplar, *size, block=12, overlap=3)
    assert out.shape == (*size, channels) and out.dtype == np.float32
    assert exemplar.min() <= out.min() and out.max() <= exemplar.max()


def test_defaults_block_and_overlap():
    assert quilting.default_block(512, 512) == 96  # brick
    assert quilting.default_block(100, 300) == 25
    assert quilting.default_block(40, 40) == 16
    assert [quilting.default_overlap(b) for b in (96, 25, 16, 6)] == [16, 4, 2, 2]
    assert quilting.quilt(noise(40, 40), 50).shape == (50, 50, 3)  # width = height


def test_same_seed_same_bytes_other_seed_other_image():
    exemplar = noise(40, 44, seed=2)
    a = quilting.quilt(exemplar, 60, 50, block=12, overlap=3, seed=4)
    b = quilting.quilt(exemplar, 60, 50, block=12, overlap=3, seed=4)
    c = quilting.quilt(exemplar, 60, 50, block=12, overlap=3, seed=5)
    assert a.tobytes() == b.tobytes()
    assert not np.array_equal(a, c)


def test_grey_as_rgb_is_quilted_like_the_grey_image():
    grey = noise(40, 40, 1, seed=3)
    rgb = np.repeat(grey, 3, axis=-1)
    out_grey = quilting.quilt(grey, 50, 45, block=12, overlap=3, seed=1)
    out_rgb = quilting.quilt(rgb, 50, 45, block=12, overlap=3, seed=1)
    np.testing.assert_array_equal(out_rgb, np.repeat(out_grey, 3, axis=-1))


# ------------------------------------------------------------------ quilting copies blocks


def test_blocks_away_from_seams_are_exact_copies():
    exemplar = noise(36, 40, seed=5)
    block, overlap = 12, 3
    step = block - overlap
    out = quilting.quilt(exemplar, 45, 45, block=block, overlap=overlap, seed=0)
    assert len(where_in(exemplar, out[:step, :step])) == 1  # the first block, untouched
    for y0, x0 in itertools.product(range(0, 45 - block, step), repeat=2):
        # what no neighbour's cut reaches: inside the block, past its own overlaps
        inner = out[y0 + overlap:y0 + step, x0 + overlap:x0 + step]
        assert len(where_in(exemplar, inner)) == 1, (y0, x0)


# ------------------------------------------------------------------ the boundary cut


def test_min_cut_is_the_cheapest_connected_path():
    rng = np.random.default_rng(0)
    for _ in range(5):
        cost = rng.random((5, 4))
        path = quilting.min_cut(cost)
        assert np.all(np.abs(np.diff(path)) <= 1) and path.min() >= 0 and path.max() < 4
        best = min(sum(cost[i, j] for i, j in enumerate(p))
                   for p in itertools.product(range(4), repeat=5)
                   if all(abs(a - b) <= 1 for a, b in zip(p, p[1:])))
        assert cost[np.arange(5), path].sum() == pytest.approx(best)


def test_min_cut_follows_a_cheap_valley():
    cost = np.ones((10, 6))
    valley = np.array([1, 2, 3, 3, 4, 5, 4, 3, 2, 2])
    cost[np.arange(10), valley] = 0.0
    np.testing.assert_array_equal(quilting.min_cut(cost), valley)


def test_ramps_stay_continuous_across_seams():
    exemplar = ramps(80, 80)  # holds a block at every phase of both ramps
    out = quilting.quilt(exemplar, 100, 90, block=16, overlap=4, seed=0)
    # vertical seams (horizontal differences), then horizontal ones (the image transposed)
    assert seam_ratio(out, 16, 4) <= 1.5
    assert seam_ratio(out.transpose(1, 0, 2), 16, 4) <= 1.5
    # the measure sees seams: random blocks (any error accepted) leave jumps at them (2-3x)
    anything = quilting.quilt(exemplar, 100, 90, block=16, overlap=4, tolerance=1e9, seed=0)
    assert seam_ratio(anything, 16, 4) > 1.5
    assert seam_ratio(anything.transpose(1, 0, 2), 16, 4) > 1.5


def test_a_periodic_exemplar_gives_a_periodic_texture():
    exemplar = periodic(48, 48, period=8, seed=6)
    out = quilting.quilt(exemplar, 100, 77, block=16, overlap=4, seed=3)  # step 12, not 8
    for axis in (0, 1):
        assert lag_correlation(out, 8, axis) > 0.99
    anything = quilting.quilt(exemplar, 100, 77, block=16, overlap=4, tolerance=1e9, seed=3)
    assert lag_correlation(anything, 8, 1) < 0.9  # random blocks break the period


# ------------------------------------------------------------------ errors


def test_too_small_an_exemplar_names_the_sizes():
    with pytest.raises(exemplars.ExemplarError, match="20×40 pixels, too small for 24×24 "
                                                      "blocks.*smaller block"):
        quilting.quilt(noise(20, 40), 32, block=24)
    with pytest.raises(ValueError, match="16×16 pixels.*at least 17×17"):
        quilting.quilt(noise(16, 16), 32)  # the default block is 16 here


@pytest.mark.parametrize("exemplar, kwargs, message", [
    (noise(40, 40), {"block": 8, "overlap": 8}, r"block \(8 px\) must be larger than overlap"),
    (noise(40, 40)[..., 0], {}, r"must be \[H, W, 1\] or \[H, W, 3\]; got shape \(40, 40\)"),
    (noise(40, 40, 4), {}, r"got shape \(40, 40, 4\)"),
    (np.full((40, 40, 3), np.nan, np.float32), {}, "non-finite"),
])
def test_bad_arguments_are_clear_errors(exemplar, kwargs, message):
    with pytest.raises(ValueError, match=message):
        quilting.quilt(exemplar, 32, **kwargs)


# ------------------------------------------------------------------ the baseline


def test_quilted_baseline_shape_range_and_registry():
    assert baselines.BASELINES["image quilting"] is baselines.quilted
    brick = exemplars.load("brick")
    images = baselines.quilted(brick, 200, 2, seed=1)  # 3×3 blocks of 96 px
    assert images.shape == (2, 200, 200, 3) and images.dtype == np.float32
    assert -1.0 <= images.min() and images.max() <= 1.0
    assert not np.array_equal(images[0], images[1])  # seeds 1 and 2
    np.testing.assert_array_equal(images[1], quilting.quilt(brick, 200, seed=2) * 2 - 1)
    assert baselines.quilted(brick, 32, 0).shape == (0, 32, 32, 3)
