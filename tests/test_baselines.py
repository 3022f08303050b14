"""Classical baselines (tuned filters, texture baselines) and image metrics."""

from __future__ import annotations

import numpy as np
import pytest

import gandetexture as gdt  # noqa: F401
from gandetexture import baselines, exemplars, metrics


@pytest.fixture(scope="module")
def brick() -> np.ndarray:
    return exemplars.load("brick")


def noisy_pairs(n=4, size=24, seed=0):
    rng = np.random.default_rng(seed)
    structure = np.zeros((n, size, size, 3), np.float32)
    structure[:, :, size // 2:] = 0.8
    structure += 0.1
    textured = np.clip(structure + rng.normal(0, 0.15, structure.shape), 0, 1).astype(np.float32)
    return textured, structure


@pytest.mark.parametrize("name", list(baselines.FILTERS))
def test_filters_keep_shape_and_improve_noisy_images(name):
    textured, structure = noisy_pairs()
    best = baselines.tune(textured, structure, names=[name])[name]
    out = baselines.apply(name, textured, **best["params"])
    assert out.shape == textured.shape and out.dtype == np.float32
    assert best["psnr"] > metrics.image_scores(textured, structure)["psnr"]
    assert baselines.apply(name, textured[0], **best["params"]).shape == textured[0].shape


def test_unknown_filter_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown filter 'median'"):
        baselines.apply("median", np.zeros((1, 8, 8, 3)))


def test_psnr_ssim_match_definitions():
    a = np.full((2, 16, 16, 3), 0.5, np.float32)
    b = a + np.float32(0.1)
    np.testing.assert_allclose(metrics.psnr(b, a), 20.0, rtol=1e-4)  # 10 log10(1 / 0.01)
    np.testing.assert_allclose(metrics.ssim(a, a), 1.0, rtol=1e-5)
    scores = metrics.image_scores(b, a)
    assert set(scores) == {"psnr", "ssim"}
    with pytest.raises(ValueError, match="differ in shape"):
        metrics.psnr(a, a[:1])


# ----------------------------------------------------------------- texture baselines

def test_matched_noise_has_the_exemplars_colours(brick):
    noise = baselines.matched_noise(brick, 64, 8, seed=0)
    assert noise.shape == (8, 64, 64, 3) and noise.dtype == np.float32
    mean = (noise + 1) / 2
    np.testing.assert_allclose(mean.mean(axis=(0, 1, 2)), brick.mean(axis=(0, 1)), atol=0.02)


def test_phase_randomisation_keeps_the_power_spectrum(brick):
    phase = baselines.phase_randomised(brick, 64, 16, seed=0)
    real_a = exemplars.patches(brick, 64, 16, seed=1)
    real_b = exemplars.patches(brick, 64, 16, seed=2)
    floor = metrics.spectrum_distance(real_a, real_b)
    assert metrics.spectrum_distance(phase, real_b) < 1.3 * floor
    assert metrics.spectrum_distance(baselines.matched_noise(brick, 64, 16), real_b) > 2 * floor


def test_tiled_crop_repeats(brick):
    tiled = baselines.tiled_crop(brick, 64, 2, seed=0)
    np.testing.assert_array_equal(tiled[:, :32, :32], tiled[:, 32:, 32:])


def test_texture_baselines_shape_range_and_seed(brick):
    assert list(baselines.BASELINES) == ["matched noise", "phase-randomised", "tiled crop"]
    for make in baselines.BASELINES.values():
        images = make(brick, 32, 3, seed=5)
        assert images.shape == (3, 32, 32, 3) and images.dtype == np.float32
        assert -1.0 <= images.min() and images.max() <= 1.0
        assert images.tobytes() == make(brick, 32, 3, seed=5).tobytes()
