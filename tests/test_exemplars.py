"""gandetexture.exemplars: bundled names only, loading, labels, size checks and crops."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import gandetexture as gdt
from gandetexture import exemplars, textures


def test_bundled_images_load_without_a_network(monkeypatch):
    """With no downloader (pooch) a file that is not in the package cannot be fetched."""
    import skimage.data._fetchers as fetchers

    monkeypatch.setattr(fetchers, "_image_fetcher", None)
    exemplars._skimage_image.cache_clear()
    try:
        for name in exemplars.BUNDLED:
            image = exemplars.load(name)
            assert image.ndim == 3 and image.shape[-1] == 3 and image.dtype == np.float32, name
            assert 0.0 <= image.min() and image.max() <= 1.0, name
    finally:
        exemplars._skimage_image.cache_clear()
    assert set(exemplars.TEXTURES) <= set(exemplars.BUNDLED)


@pytest.mark.parametrize("name", ["lily", "skin", "cells3d", "eagle", "download_all"])
def test_skimage_images_that_download_are_refused(name):
    with pytest.raises(exemplars.ExemplarError) as info:
        exemplars.load(name)
    message = str(info.value)
    assert f"unknown exemplar {name!r}" in message
    assert "brick, " in message and "gravel" in message and "stripes" in message


def test_names_paths_arrays_and_families(tmp_path):
    brick = exemplars.load("brick")
    assert brick.shape == (512, 512, 3) and brick.dtype == np.float32
    brick[0, 0] = 0.0  # a copy: the cached image is not touched (brick's darkest is 63/255)
    assert exemplars.load("brick")[0, 0, 0] > 0.0
    Image.fromarray((brick * 255).astype(np.uint8)).save(tmp_path / "wall.png")
    np.testing.assert_allclose(exemplars.load(tmp_path / "wall.png"), brick, atol=1 / 255)
    np.testing.assert_array_equal(exemplars.load(brick[..., 0]), brick)
    np.testing.assert_array_equal(exemplars.load("bricks"), textures.render("bricks", 512, 0))
    with pytest.raises(exemplars.ExemplarError, match=r"must be \[H, W, 3\]"):
        exemplars.load(np.zeros((8, 8, 4)))


def test_errors_name_the_exemplar(tmp_path):
    with pytest.raises(ValueError, match="nowhere.png"):
        exemplars.load(str(tmp_path / "nowhere.png"))
    with pytest.raises(exemplars.ExemplarError, match="unknown exemplar 'brickz'"):
        exemplars.load("brickz")
    with pytest.raises(exemplars.ExemplarError, match="'tiny' is 20×40 pixels, smaller than the "
                                                      "32×32"):
        exemplars.check_size(np.zeros((20, 40, 3), np.float32), 32, "tiny")
    Image.fromarray(np.zeros((10, 12, 3), np.uint8)).save(tmp_path / "tiny.png")
    with pytest.raises(exemplars.ExemplarError, match="tiny.png' is 10×12 pixels, smaller"):
        exemplars.patches([tmp_path / "tiny.png"], size=32, count=2)
    with pytest.raises(gdt.ImageLoadError, match="no such file"):
        exemplars.sampler(tmp_path / "gone.jpg", 16, 2)
    with pytest.raises(exemplars.ExemplarError, match="'brick' is 512×512 pixels"):
        exemplars.sampler("brick", 600, 2)


def test_labels_and_grey():
    assert exemplars.label("brick") == "brick"
    assert exemplars.label("photos/wall.jpg") == "wall" and exemplars.label("a.png") == "a"
    assert exemplars.label(np.zeros((4, 4, 3))) == "array"
    assert exemplars.is_gray(exemplars.load("gravel"))
    assert not exemplars.is_gray(exemplars.load("astronaut"))


def test_random_crops_draw_rows_then_columns():
    image = np.arange(20 * 30 * 2, dtype=np.float64).reshape(20, 30, 2)
    crops = exemplars.random_crops(image, 8, 5, np.random.default_rng(4))
    assert crops.shape == (5, 8, 8, 2) and crops.dtype == image.dtype
    rng = np.random.default_rng(4)
    ys, xs = rng.integers(0, 13, 5), rng.integers(0, 23, 5)
    for crop, y, x in zip(crops, ys, xs):
        np.testing.assert_array_equal(crop, image[y:y + 8, x:x + 8])
    np.testing.assert_array_equal(exemplars.random_crops(image, 8, 5, 4), crops)  # int seed
    assert exemplars.random_crops(image, 8, 0, 0).shape == (0, 8, 8, 2)
    with pytest.raises(exemplars.ExemplarError, match="smaller than the 32×32"):
        exemplars.random_crops(image, 32, 1, 0)


def test_patches_from_names_paths_and_arrays(tmp_path):
    brick = exemplars.load("brick")
    Image.fromarray((brick * 255).astype(np.uint8)).save(tmp_path / "wall.png")
    names = [str(tmp_path / "wall.png"), "grass"]
    patches = exemplars.patches(names, size=16, count=5, seed=0)
    assert patches.shape == (5, 16, 16, 3) and -1 <= patches.min() and patches.max() <= 1
    assert np.array_equal(patches, exemplars.patches(names, size=16, count=5, seed=0))
    assert exemplars.patches(brick[:40, :40], size=16, count=2).shape == (2, 16, 16, 3)
    default = exemplars.patches(size=32, count=6, seed=0)
    assert default.shape == (6, 32, 32, 3) and default.dtype == np.float32


def test_patches_of_one_array_are_its_random_crops():
    """What the texture report's real crops are (old ``metrics.real_crops``)."""
    brick = exemplars.load("brick")
    crops = exemplars.random_crops(brick, 48, 4, np.random.default_rng(9))
    np.testing.assert_array_equal(exemplars.patches(brick, 48, 4, seed=9), crops * 2.0 - 1.0)


def test_sampler_is_deterministic_and_crops_the_image():
    first = [b.numpy() for b in exemplars.sampler("gravel", size=24, batch_size=3).take(3)]
    again = [b.numpy() for b in exemplars.sampler("gravel", 24, 3, seed=0).take(3)]
    assert first[0].shape == (3, 24, 24, 3) and -1 <= first[0].min() and first[0].max() <= 1
    assert all(a.tobytes() == b.tobytes() for a, b in zip(first, again))
    assert not np.array_equal(first[0], first[1])
    resumed = [b.numpy() for b in exemplars.sampler("gravel", 24, 3, start=1).take(2)]
    assert all(a.tobytes() == b.tobytes() for a, b in zip(first[1:], resumed))
    image = exemplars.load("gravel") * 2 - 1
    crop = first[0][0]
    found = np.argwhere(np.isclose(image[:, :, 0], crop[0, 0, 0]))
    assert any(np.allclose(image[y:y + 24, x:x + 24], crop) for y, x in found
               if y + 24 <= 512 and x + 24 <= 512)
