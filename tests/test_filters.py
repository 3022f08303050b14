"""Classical baselines and image metrics."""

from __future__ import annotations

import numpy as np
import pytest

import gandetexture as gdt  # noqa: F401
from gandetexture import filters, metrics


def noisy_pairs(n=4, size=24, seed=0):
    rng = np.random.default_rng(seed)
    structure = np.zeros((n, size, size, 3), np.float32)
    structure[:, :, size // 2:] = 0.8
    structure += 0.1
    textured = np.clip(structure + rng.normal(0, 0.15, structure.shape), 0, 1).astype(np.float32)
    return textured, structure


@pytest.mark.parametrize("name", list(filters.FILTERS))
def test_filters_keep_shape_and_improve_noisy_images(name):
    textured, structure = noisy_pairs()
    best = filters.tune(textured, structure, names=[name])[name]
    out = filters.apply(name, textured, **best["params"])
    assert out.shape == textured.shape and out.dtype == np.float32
    assert best["psnr"] > metrics.image_scores(textured, structure)["psnr"]
    assert filters.apply(name, textured[0], **best["params"]).shape == textured[0].shape


def test_unknown_filter_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown filter 'median'"):
        filters.apply("median", np.zeros((1, 8, 8, 3)))


def test_psnr_ssim_match_definitions():
    a = np.full((2, 16, 16, 3), 0.5, np.float32)
    b = a + np.float32(0.1)
    np.testing.assert_allclose(metrics.psnr(b, a), 20.0, rtol=1e-4)  # 10 log10(1 / 0.01)
    np.testing.assert_allclose(metrics.ssim(a, a), 1.0, rtol=1e-5)
    scores = metrics.image_scores(b, a)
    assert set(scores) == {"psnr", "ssim"}
    with pytest.raises(ValueError, match="differ in shape"):
        metrics.psnr(a, a[:1])
