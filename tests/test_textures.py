"""gandetexture.textures and gandetexture.structures: shapes, ranges, determinism, knobs."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pytest

from gandetexture import structures, textures

#: The twelve families before issue 11 and digests of their renders, computed from the code
#: before the new families were added: their images must stay byte-identical.
OLD_DIGESTS = {
    "stripes": "acfb43f1fc906ac1", "checker": "98979852d558b770", "dots": "c74ed56b4b1500fd",
    "noise": "fbabc26ba9b5e2da", "cells": "9f993cdcbd01f047", "weave": "d80b8deec6be6940",
    "bricks": "317736aaa8f2b316", "wood": "0ab2254b7a6c26b1", "tiles": "ae463cfea072bcb0",
    "cracks": "ded514805b45acf4", "scratches": "9467ad8faf72ca2d", "ripples": "6a98aa68b5180e15",
}
DIGEST_CASES = (
    {"size": 48, "seed": 3, "scale": 6.0, "orientation": 30.0, "contrast": 0.8,
     "color": ((0.1, 0.05, 0.0), (0.9, 0.7, 0.5))},
    {"size": (33, 40), "seed": 11, "scale": 2.5},
    {"size": 64, "seed": 123456789, "scale": 24.0, "orientation": 137.0, "color": (0.3, 0.6, 0.9)},
)
#: The families added for issue 11 (closer to photographed textures).
NEW = ("stones", "blades", "fibres", "halftone", "speckle")


def test_at_least_ten_families():
    assert len(textures.FAMILIES) >= 10


@pytest.mark.parametrize("name", list(textures.FAMILIES))
def test_family_shape_range_and_determinism(name):
    image = textures.render(name, 48, seed=3, scale=6, orientation=30)
    assert image.shape == (48, 48, 3) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    assert image.std() > 0.02, "a texture should not be flat"
    again = textures.render(name, 48, seed=3, scale=6, orientation=30)
    assert again.tobytes() == image.tobytes()


@pytest.mark.parametrize("name", list(textures.FAMILIES))
def test_every_knob_changes_the_image(name):
    base = textures.render(name, 32, seed=0)
    for change in ({"seed": 1}, {"scale": 13.0}, {"orientation": 45.0}, {"contrast": 0.3},
                   {"color": (0.9, 0.4, 0.1)}):
        assert not np.array_equal(base, textures.render(name, 32, **{"seed": 0, **change})), \
            f"{name}: {change} had no effect"


def test_contrast_and_colour():
    flat = textures.render("stripes", 32, contrast=0.0)
    np.testing.assert_allclose(flat, 0.5, atol=1e-6)
    dark, light = (0.1, 0.0, 0.0), (0.9, 0.2, 0.1)
    coloured = textures.render("checker", 32, color=(dark, light))
    assert coloured[..., 0].max() <= 0.9 + 1e-6 and coloured[..., 2].max() <= 0.1 + 1e-6
    with pytest.raises(ValueError, match="color"):
        textures.render("checker", 32, color=(1, 2))


def test_rectangular_size():
    assert textures.render("wood", (16, 40)).shape == (16, 40, 3)


def test_bad_names_and_scale():
    with pytest.raises(ValueError, match="unknown texture family 'plaid'"):
        textures.render("plaid", 16)
    with pytest.raises(ValueError, match="scale"):
        textures.render("dots", 16, scale=0)
    with pytest.raises(ValueError, match="unknown texture family"):
        textures.random_texture(16, 0, families=["stripes", "plaid"])


def test_random_texture_reproducible_from_its_params():
    image, params = textures.random_texture(40, seed=5)
    assert params["name"] in textures.FAMILIES
    assert np.array_equal(image, textures.render(size=40, **params))
    names = {textures.random_texture(8, seed=s)[1]["name"] for s in range(60)}
    assert names == set(textures.DRAWN)  # every default family gets drawn, and only those
    every = {textures.random_texture(8, seed=s, families=list(textures.FAMILIES))[1]["name"]
             for s in range(120)}
    assert every == set(textures.FAMILIES)


def test_structure_images():
    image = structures.structure(64, seed=2)
    assert image.shape == (64, 64, 3) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    assert structures.structure(64, seed=2).tobytes() == image.tobytes()
    assert not np.array_equal(image, structures.structure(64, seed=3))
    batch = structures.make_structures(5, 32, seed=0)
    assert batch.shape == (5, 32, 32, 3)
    assert structures.make_structures(0, 32, seed=0).shape == (0, 32, 32, 3)


def test_structure_is_piecewise_smooth():
    """Structure images are smooth almost everywhere: small gradients on most pixels."""
    image = structures.structure(128, seed=0, soft=0.0)
    gy, gx = np.gradient(image.mean(axis=-1))
    magnitude = np.hypot(gx, gy)
    assert np.mean(magnitude < 0.02) > 0.85
    texture = textures.render("noise", 128, scale=4)
    gy, gx = np.gradient(texture.mean(axis=-1))
    assert np.mean(np.hypot(gx, gy) < 0.02) < 0.5


@pytest.mark.parametrize("name", list(OLD_DIGESTS))
def test_old_families_are_byte_identical(name):
    digest = hashlib.sha256()
    for case in DIGEST_CASES:
        digest.update(textures.render(name, **case).tobytes())
    assert digest.hexdigest()[:16] == OLD_DIGESTS[name]


def test_random_params_draws_the_same_for_an_explicit_family_list():
    draws = [textures.random_params(seed, list(OLD_DIGESTS)) for seed in range(40)]
    assert hashlib.sha256(repr(draws).encode()).hexdigest()[:16] == "c72465fbee63e132"
    assert list(textures.FAMILIES)[:12] == list(OLD_DIGESTS)  # new families come last


@pytest.mark.parametrize("name", NEW)
def test_new_family_range_determinism_and_seeds(name):
    image = textures.render_gray(name, (40, 56), seed=7, scale=5.0, orientation=12.0)
    assert image.shape == (40, 56) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0 and image.std() > 0.05
    assert textures.render_gray(name, (40, 56), seed=7, scale=5.0, orientation=12.0).tobytes() \
        == image.tobytes()
    other = textures.render_gray(name, (40, 56), seed=8, scale=5.0, orientation=12.0)
    assert np.abs(other - image).mean() > 0.05


def _wavelengths(image: np.ndarray) -> tuple[float, float]:
    """Power-weighted geometric mean wavelength of an image's spectrum and the wavelength of
    its strongest band (30 log-spaced annuli), in pixels."""
    power = np.abs(np.fft.rfft2(image - image.mean())) ** 2
    radius = np.hypot(np.fft.fftfreq(image.shape[0])[:, None],
                      np.fft.rfftfreq(image.shape[1])[None, :])
    keep = radius > 0
    mean = np.exp(-(power[keep] * np.log(radius[keep])).sum() / power[keep].sum())
    edges = np.geomspace(2.0 / image.shape[0], 0.5, 31)
    bands = np.bincount(np.digitize(radius, edges).ravel(), power.ravel(), len(edges) + 1)
    strongest = int(np.argmax(bands[1:-1]))
    return float(mean), float(1.0 / np.sqrt(edges[strongest] * edges[strongest + 1]))


@pytest.mark.parametrize("name", NEW)
def test_new_family_has_its_energy_near_its_scale(name):
    """The spectrum's mean wavelength is near the scale and grows with it; stones, blades and
    halftone have a spectral peak near it (fibres and speckle have 1/f-like spectra, no peak)."""
    found = {scale: np.mean([_wavelengths(textures.render_gray(name, 128, seed, scale))
                             for seed in (0, 1)], axis=0) for scale in (4.0, 16.0)}
    for scale, (mean, peak) in found.items():
        assert 0.5 * scale < mean < 3.0 * scale, (scale, mean)
        if name in ("stones", "blades", "halftone"):
            assert 0.45 * scale < peak < 1.5 * scale, (scale, peak)
    if name in ("fibres", "speckle"):
        assert found[16.0][0] > 2.0 * found[4.0][0]


@pytest.mark.parametrize("name", NEW)
def test_new_family_is_textured_from_2_to_24_pixels(name):
    for scale in (2.0, 24.0):
        image = textures.render_gray(name, 64, seed=4, scale=scale, orientation=20.0)
        assert image.std() > 0.05, scale


@pytest.mark.parametrize("name", NEW)
def test_new_family_is_fast(name):
    textures.render(name, 64, seed=0, scale=8.0)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        textures.render(name, 64, seed=0, scale=8.0)
        times.append(time.perf_counter() - start)
    assert min(times) < 0.05  # a few milliseconds on one core; generous for a loaded machine
