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
    with pytest.raises(ValueError, match="unknown filter 'wiener'"):
        baselines.apply("wiener", np.zeros((1, 8, 8, 3)))


def test_filter_registry_names_the_classics_with_small_grids():
    assert set(baselines.FILTERS) == {"tv", "gaussian", "bilateral", "median", "l0", "rtv",
                                      "rolling", "bilateral_texture", "pyramid"}
    for name, (fn, grid) in baselines.FILTERS.items():
        assert callable(fn) and 1 <= len(grid) <= 12, name
        assert len({tuple(sorted(p.items())) for p in grid}) == len(grid), name


@pytest.mark.parametrize("name", ["median", "bilateral_texture"])
def test_opencv_wrappers_shape_range_and_determinism(name):
    images = np.random.default_rng(3).random((2, 20, 28, 3), dtype=np.float32)
    out = baselines.apply(name, images)
    assert out.shape == images.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert out.tobytes() == baselines.apply(name, images).tobytes()
    assert baselines.apply(name, images[0]).shape == images[0].shape
    assert baselines.apply(name, images[..., :1]).shape == (2, 20, 28, 1)


def test_median_removes_specks_and_keeps_edges():
    image = np.full((16, 16, 3), 0.2, np.float32)
    image[:, 8:] = 0.8
    specked = image.copy()
    specked[4, 3] = specked[10, 12] = 1.0
    np.testing.assert_allclose(baselines.median(specked, size=3), image, atol=1 / 255)


def test_timing_is_milliseconds_per_image():
    images = np.random.default_rng(4).random((3, 16, 16, 3), dtype=np.float32)
    ms = baselines.timing("gaussian", images, {"sigma": 1.0}, repeats=2)
    assert 0.0 < ms < 1000.0
    with pytest.raises(ValueError, match="unknown filter"):
        baselines.timing("wiener", images)


@pytest.mark.parametrize("warm_up, calls", [(True, [1, 3, 3]), (False, [3, 3])])
def test_timing_warms_up_on_one_image_unless_told_not_to(monkeypatch, warm_up, calls):
    images = np.random.default_rng(4).random((3, 16, 16, 3), dtype=np.float32)
    seen, apply = [], baselines.apply

    def counted(name, batch, **params):
        seen.append(len(batch))
        return apply(name, batch, **params)

    monkeypatch.setattr(baselines, "apply", counted)
    baselines.timing("gaussian", images, repeats=2, warm_up=warm_up)
    assert seen == calls


def test_tune_without_names_tunes_every_filter():
    textured, structure = noisy_pairs(n=2, size=16)
    tuned = baselines.tune(textured, structure)
    assert list(tuned) == list(baselines.FILTERS)
    for name, row in tuned.items():
        assert row["params"] in baselines.FILTERS[name][1]


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
    assert list(baselines.BASELINES) == ["matched noise", "phase-randomised", "tiled crop",
                                         "image quilting"]
    for make in baselines.BASELINES.values():
        images = make(brick, 32, 3, seed=5)
        assert images.shape == (3, 32, 32, 3) and images.dtype == np.float32
        assert -1.0 <= images.min() and images.max() <= 1.0
        assert images.tobytes() == make(brick, 32, 3, seed=5).tobytes()


def test_apply_in_threads_gives_the_same_images_as_one_call():
    images = np.random.default_rng(5).uniform(0, 1, (5, 24, 24, 3)).astype(np.float32)
    for name, (fn, grid) in baselines.FILTERS.items():
        np.testing.assert_array_equal(baselines.apply(name, images, **grid[0]),
                                      fn(images, **grid[0]), err_msg=name)
