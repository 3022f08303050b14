"""Texture statistics of lesson 06: random-CNN Gram distance, power spectrum, seams, report."""

from __future__ import annotations

import numpy as np
import pytest

import gandetexture  # noqa: F401  (quiet TensorFlow first)
from gandetexture import exemplars, metrics


@pytest.fixture(scope="module")
def brick() -> np.ndarray:
    return exemplars.load("brick")


def test_random_cnn_is_fixed_by_its_seed():
    a, b, c = (metrics.random_cnn_filters(s) for s in (0, 0, 1))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])
    assert [k.shape[-1] for k in a] == [f for _, f in metrics.RANDOM_CNN_LAYERS]


def test_gram_matrices_shapes_and_symmetry(brick):
    crops = exemplars.patches(brick, 64, 3)
    grams = metrics.gram_matrices(crops)
    assert [tuple(g.shape) for g in grams] == [(3, c, c) for _, c in metrics.RANDOM_CNN_LAYERS]
    for g in grams:
        np.testing.assert_allclose(g.numpy(), np.transpose(g.numpy(), (0, 2, 1)), rtol=1e-5)


def test_gram_distance_is_zero_for_identical_images_and_symmetric(brick):
    a = exemplars.patches(brick, 48, 4, seed=0)
    b = exemplars.patches(brick, 48, 5, seed=1)
    assert metrics.gram_distance(a[:1], a[:1]) == pytest.approx(0.0, abs=1e-6)
    assert metrics.gram_distance(a, b) == pytest.approx(metrics.gram_distance(b, a), rel=1e-5)
    assert metrics.gram_distance(a, b) > 0


def test_gram_distance_accepts_different_sizes(brick):
    small, large = exemplars.patches(brick, 48, 2), exemplars.patches(brick, 96, 2, seed=1)
    assert np.isfinite(metrics.gram_distance(small, large))


@pytest.mark.parametrize("name", exemplars.TEXTURES)
def test_floor_is_far_below_matched_noise(name):
    exemplar = exemplars.load(name)
    report = metrics.texture_report(exemplar, count=8)
    floor = report["floor (real vs real)"]
    noise = report["matched noise"]
    assert noise["gram"] > 1.5 * floor["gram"]
    assert noise["spectrum"] > 1.5 * floor["spectrum"]


def test_radial_spectrum_of_white_noise_is_flat_and_of_smooth_images_falls():
    rng = np.random.default_rng(0)
    white = rng.standard_normal((4, 64, 64, 3))
    spectrum = metrics.radial_power_spectrum(white).mean(axis=0)
    assert spectrum.shape == (31,)
    assert np.ptp(spectrum[4:]) < 0.3  # within a factor 2 across frequencies
    y, x = np.mgrid[:64, :64] / 64.0
    smooth = np.sin(2 * np.pi * (x + y))[None, ..., None].repeat(3, axis=-1)
    falling = metrics.radial_power_spectrum(smooth)[0]
    assert falling[0] > falling[10] + 3  # power concentrated at the lowest frequencies


def test_spectrum_distance_needs_one_size(brick):
    with pytest.raises(ValueError, match="one size"):
        metrics.spectrum_distance(exemplars.patches(brick, 32, 2),
                                  exemplars.patches(brick, 64, 2))


def test_seam_measure_sees_a_seam_and_not_a_periodic_image():
    y, x = np.mgrid[:64, :64] / 64.0
    periodic = np.sin(2 * np.pi * 3 * x) * np.cos(2 * np.pi * 2 * y)
    ramp = x + y  # jumps by 2 across the wrap boundary
    assert metrics.seam_measure(periodic[None, ..., None])["ratio"] == pytest.approx(1.0, abs=0.05)
    assert metrics.seam_measure(ramp[None, ..., None])["ratio"] > 20


def test_report_rows_and_table(brick):
    generated = exemplars.patches(brick, 48, 4, seed=9)
    report = metrics.texture_report(brick, generated, count=4)
    assert list(report) == ["floor (real vs real)", "matched noise", "phase-randomised",
                            "tiled crop", "image quilting", "generated"]
    table = metrics.format_report({"brick": report})
    assert "generated" in table and table.count("\n") == 6
    flat = {row: {"gram": 0.0 if row.startswith("floor") else 1.0, "spectrum": 1.0}
            for row in report}  # crops as large as the exemplar: every real crop the same
    assert "n/a" in metrics.format_report({"brick": flat})


def test_report_is_reproducible(brick):
    a = metrics.texture_report(brick, count=4, seed=3)
    b = metrics.texture_report(brick, count=4, seed=3)
    assert a == b


def test_detail_scores_see_texture_left_and_blurred_edges():
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(0)
    truth = np.zeros((2, 48, 48, 3), np.float32)
    truth[:, :, 24:] = 0.8  # one vertical edge, flat elsewhere
    textured = np.clip(truth * (1 + 0.3 * rng.standard_normal(truth.shape[:3])[..., None])
                       + 0.05 * rng.standard_normal(truth.shape[:3])[..., None], 0, 1)
    perfect = metrics.detail_scores(textured, truth, truth)
    assert perfect["texture_left"] == 0 and perfect["edge_sharpness"] == pytest.approx(1)
    assert metrics.detail_scores(textured, textured, truth)["texture_left"] == pytest.approx(1)
    blurred = gaussian_filter(truth, sigma=(0, 2, 2, 0))
    assert metrics.detail_scores(textured, blurred, truth)["edge_sharpness"] < 0.7
    each = metrics.detail_scores(textured, textured, truth, per_image=True)
    assert each["texture_left"].shape == (2,) and np.allclose(each["texture_left"], 1)


def test_seed_comparison_names_a_winner_only_beyond_the_spread():
    clear = metrics.seed_comparison([30.0, 30.2, 30.1], [28.0, 28.1, 27.9])
    assert clear["winner"] == "a" and clear["mean_a"] == pytest.approx(30.1)
    assert metrics.seed_comparison([30.0, 31.0], [30.4, 30.6])["winner"] is None
    assert metrics.seed_comparison([0.2, 0.21], [0.4, 0.41], better="lower")["winner"] == "a"
    assert metrics.seed_comparison([0.7, 0.71], [0.95, 0.96], better="one")["winner"] == "b"
