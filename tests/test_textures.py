"""gandetexture.textures and gandetexture.structures: shapes, ranges, determinism, knobs."""

from __future__ import annotations

import numpy as np
import pytest

from gandetexture import structures, textures


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
    assert len(names) == len(textures.FAMILIES)  # every family gets drawn


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
