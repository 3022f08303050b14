"""gandetexture.histograms: bands that add up to the image, and matching that gives an image
the exemplar's pixel and band histograms while keeping where things are."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from gandetexture import histograms, textures


@pytest.fixture(scope="module")
def exemplar():
    return textures.render("cells", 96, seed=0, scale=6.0)


def test_bands_add_up_to_the_image(exemplar):
    parts = histograms.bands(exemplar, levels=3)
    assert len(parts) == 4 and all(p.shape == exemplar.shape for p in parts)
    np.testing.assert_allclose(np.sum(parts, axis=0), exemplar, atol=1e-5)
    grey = exemplar[..., :1]
    assert histograms.bands(grey, 2)[0].shape == grey.shape
    with pytest.raises(ValueError, match="levels must be"):
        histograms.bands(exemplar, 0)


def test_match_gives_the_exemplars_histogram_and_keeps_the_layout(exemplar):
    image = 0.3 + 0.4 * textures.render("dots", 80, seed=1, scale=5.0)  # other tones
    out = histograms.match(image, exemplar)
    assert out.shape == image.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    q = np.linspace(0.05, 0.95, 19)
    for c in range(3):
        np.testing.assert_allclose(np.quantile(out[..., c], q), np.quantile(exemplar[..., c], q),
                                   atol=0.02)
    # where things are stays the image's: the two are strongly correlated
    assert np.corrcoef(out.ravel(), image.ravel())[0, 1] > 0.8
    np.testing.assert_array_equal(out, histograms.match(image, exemplar))  # deterministic
    np.testing.assert_allclose(histograms.match(exemplar, exemplar), exemplar, atol=0.02)


def test_match_restores_the_contrast_of_fine_detail(exemplar):
    blurred = cv2.GaussianBlur(exemplar, (0, 0), 1.5)
    fine = [histograms.bands(x, 3)[0].std() for x in
            (exemplar, blurred, histograms.match(blurred, exemplar))]
    assert fine[1] < 0.7 * fine[0]  # blurring took fine detail away
    assert abs(fine[2] - fine[0]) < 0.5 * abs(fine[1] - fine[0])  # matching brings it back


def test_match_errors(exemplar):
    with pytest.raises(ValueError, match="same C"):
        histograms.match(exemplar[..., :1], exemplar)
    with pytest.raises(ValueError, match="same C"):
        histograms.match(exemplar[0], exemplar)


def test_match_spectrum_gives_the_exemplars_power_and_keeps_the_layout(exemplar):
    blurred = cv2.GaussianBlur(exemplar, (0, 0), 0.7)  # fine detail down by up to 3x
    out = histograms.match_spectrum(blurred, exemplar)
    assert out.shape == blurred.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    rings, wanted = histograms.radial_power(exemplar)
    power = {name: histograms.radial_power(x)[1] for name, x in
             (("blurred", blurred), ("matched", out))}
    high = (rings > 0.15) & (rings < 0.35)  # fine detail the 4x cap lets come back
    error = {name: np.abs(np.log10(p[high] / wanted[high])).mean() for name, p in power.items()}
    assert error["matched"] < 0.3 * error["blurred"]  # the blur's lost detail comes back
    assert np.corrcoef(out.ravel(), blurred.ravel())[0, 1] > 0.8  # where things are stays
    # a flat image stays flat (nothing to amplify) and an image keeps its own spectrum
    flat = np.full((80, 80, 3), 0.4, np.float32)
    np.testing.assert_allclose(histograms.match_spectrum(flat, exemplar), flat, atol=1e-5)
    np.testing.assert_allclose(histograms.match_spectrum(exemplar, exemplar), exemplar,
                               atol=1e-4)
    assert histograms.match(blurred, exemplar, spectrum=True).shape == blurred.shape


def test_match_spectrum_errors(exemplar):
    with pytest.raises(ValueError, match="smaller than one 64-px window"):
        histograms.match_spectrum(exemplar[:40, :40], exemplar)
    with pytest.raises(ValueError, match=r"\[H, W, C\]"):
        histograms.match_spectrum(exemplar[..., 0], exemplar)
