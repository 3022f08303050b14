"""The real-photograph benchmark: deterministic, disjoint splits, piecewise-smooth structures,
controlled texture scales. Small and fast (a few pairs at 128², two at 512²)."""

from __future__ import annotations

import numpy as np
import pytest

from gandetexture import benchmark, exemplars, textures

INFO_FIELDS = {"index", "split", "photo", "kind", "source", "scale", "scale_bin", "amplitude",
               "blend", "regions", "ramps", "edge_sigma", "texture_params"}


def _total_variation(image: np.ndarray) -> float:
    """Mean absolute difference of neighbouring pixels, ``image [H, W, 3]``."""
    return float(np.abs(np.diff(image, axis=0)).mean() + np.abs(np.diff(image, axis=1)).mean())


@pytest.fixture(scope="module")
def test_pairs():
    return benchmark.photo_pairs("test", 10, 128, seed=0)


@pytest.fixture(scope="module")
def val_pairs():
    return benchmark.photo_pairs("val", 10, 128, seed=0)


def test_shapes_ranges_and_infos(test_pairs):
    textured, structure, infos = test_pairs
    for array in (textured, structure):
        assert array.shape == (10, 128, 128, 3) and array.dtype == np.float32
        assert array.min() >= 0.0 and array.max() <= 1.0
    assert len(infos) == 10
    for i, info in enumerate(infos):
        assert INFO_FIELDS <= set(info), INFO_FIELDS - set(info)
        assert info["index"] == i and info["split"] == "test"
        assert info["blend"] in ("multiplicative", "additive", "mix")
        assert benchmark.AMPLITUDE[0] <= info["amplitude"] <= benchmark.AMPLITUDE[1]
    # the texture is there: every textured image differs from its structure
    assert np.all(np.abs(textured - structure).mean(axis=(1, 2, 3)) > 0.003)


def test_deterministic_and_stable_when_n_grows(test_pairs):
    textured, structure, infos = test_pairs
    benchmark._pairs.cache_clear()
    again = benchmark.photo_pairs("test", 4, 128, seed=0)  # recomputed, fewer pairs
    np.testing.assert_array_equal(again[0], textured[:4])
    np.testing.assert_array_equal(again[1], structure[:4])
    assert again[2] == infos[:4]
    other = benchmark.photo_pairs("test", 4, 128, seed=1)
    assert not np.array_equal(other[1], structure[:4])


def test_results_are_copies_of_the_cache():
    textured, _, infos = benchmark.photo_pairs("test", 2, 128)
    textured[:] = 0.0
    infos[0]["kind"] = "changed"
    fresh, _, fresh_infos = benchmark.photo_pairs("test", 2, 128)
    assert fresh.max() > 0.0 and fresh_infos[0]["kind"] != "changed"


def test_texture_scales_cover_2_to_24_and_both_sources(test_pairs):
    _, _, infos = test_pairs
    assert [info["scale_bin"] for info in infos] == list(benchmark.SCALES) * 2
    scales = [info["scale"] for info in infos]
    assert min(scales) < 2.9 and max(scales) > 19.5
    assert all(2.0 <= s <= 24.0 for s in scales)
    assert all(benchmark.scale_bin(info["scale"]) == info["scale_bin"] for info in infos)
    assert {info["source"] for info in infos} == {"real", "procedural"}
    for info in infos:
        if info["source"] == "procedural":
            assert info["kind"] in benchmark.FAMILIES
            assert info["texture_params"]["scale"] == info["scale"]
        else:
            assert info["kind"] in benchmark.TEXTURES["test"]


def test_splits_use_disjoint_sources(val_pairs):
    photos, reals = benchmark.PHOTOS, benchmark.TEXTURES
    assert set(photos) == set(reals) == set(benchmark.SPLIT_KEYS) == {"test", "val"}
    assert not set(photos["test"]) & set(photos["val"])
    assert not set(reals["test"]) & set(reals["val"])
    used = [*photos["test"], *photos["val"], *reals["test"], *reals["val"]]
    assert len(used) == len(set(used)), "each bundled image has one role"
    assert set(used) <= set(exemplars.BUNDLED)
    assert set(reals["test"]) == set(exemplars.TEXTURES)
    assert not set(exemplars.TEXTURES) & (set(reals["val"]) | set(photos["val"]))
    _, _, infos = val_pairs
    assert {info["photo"] for info in infos} <= set(photos["val"])
    assert not {info["kind"] for info in infos} & set(exemplars.TEXTURES)
    assert {info["kind"] for info in infos if info["source"] == "real"} <= set(reals["val"])


def test_splits_differ(test_pairs, val_pairs):
    assert not np.array_equal(test_pairs[1], val_pairs[1])
    with pytest.raises(ValueError, match="split"):
        benchmark.photo_pairs("train", 1, 128)


def test_structures_are_piecewise_smooth():
    ratios = []
    for k, name in enumerate(benchmark.PHOTOS["test"]):
        structure, photo, info = benchmark.photo_structure(name, 128, np.random.default_rng(k))
        ratios.append(_total_variation(structure) / _total_variation(photo))
        assert ratios[-1] < 0.6, name  # the edges of tens of regions stay
        assert 5 <= info["regions"] <= 200, (name, info["regions"])
        # the mean colour of the flattened image is the photograph's
        assert np.abs(structure.mean(axis=(0, 1)) - photo.mean(axis=(0, 1))).max() < 0.02
    assert np.mean(ratios) < 0.45


def test_flatten_fills_regions_with_constants_or_linear_ramps():
    photo = benchmark.photo_crop("astronaut", 128, np.random.default_rng(3))
    flat, labels, info = benchmark.flatten(photo, np.random.default_rng(4), edge_sigma=0.0)
    assert labels.shape == (128, 128) and info["regions"] == labels.max() + 1
    assert 10 <= info["regions"] <= 150 and 0 < info["ramps"] < info["regions"]
    # inside a region, colour is linear: second differences vanish (but where clipped)
    same = (labels[:, :-2] == labels[:, 1:-1]) & (labels[:, 1:-1] == labels[:, 2:])
    second = np.abs(flat[:, :-2] - 2 * flat[:, 1:-1] + flat[:, 2:]).max(axis=-1)[same]
    assert np.quantile(second, 0.99) < 1e-4
    # regions filled with their mean colour hold one colour each
    colours = [len(np.unique(flat[labels == r], axis=0)) for r in range(info["regions"])]
    assert sum(c == 1 for c in colours) >= info["regions"] - info["ramps"]


def test_512_pairs_have_more_regions():
    textured, structure, infos = benchmark.photo_pairs("test", 2, 512)
    assert textured.shape == structure.shape == (2, 512, 512, 3)
    assert textured.dtype == np.float32 and 0.0 <= textured.min() <= textured.max() <= 1.0
    assert infos[0]["source"] == "real"  # pair 0 is a real texture at 2 px: quilted
    small = benchmark.photo_pairs("test", 2, 128)[2]
    assert sum(i["regions"] for i in infos) > 1.5 * sum(i["regions"] for i in small)


def test_feature_size_measures_scale():
    y, x = np.mgrid[0:256, 0:256]
    assert benchmark.feature_size(np.sin(2 * np.pi * (x + 0.3 * y) / 10.0)) == \
        pytest.approx(10.0, rel=0.05)
    sizes = [benchmark.feature_size(textures.render_gray(f, 256, seed=1, scale=8.0))
             for f in benchmark.FAMILIES]
    assert np.median(sizes) == pytest.approx(8.0, rel=0.1)


def test_native_sizes_are_measured():
    for name, size in benchmark.NATIVE_SIZE.items():
        measured = benchmark.feature_size(exemplars.load(name))
        assert measured == pytest.approx(size, abs=0.06), name


@pytest.mark.parametrize("name", benchmark.TEXTURES["test"])
def test_real_textures_take_the_drawn_scale(name):
    for scale in (8.0, 16.0, 24.0):
        texture = benchmark.real_texture(name, 128, scale, np.random.default_rng(0))
        assert texture.shape == (128, 128, 1) and texture.dtype == np.float32
        assert abs(float(texture.mean()) - 0.5) < 5e-3  # centred, then clipped
        assert 0.8 < benchmark.feature_size(texture) / scale < 1.35, scale
    with pytest.raises(ValueError, match="feature size"):
        benchmark.real_texture("astronaut", 64, 4.0, np.random.default_rng(0))


def test_quilting_covers_large_images_without_losing_contrast():
    rng = np.random.default_rng(0)
    texture = rng.normal(size=(40, 40))
    out = benchmark._quilt(texture, 300, rng)
    assert out.shape == (300, 300)
    rows = out.std(axis=1)  # seams are as strong as the patches
    assert rows.min() > 0.8 * rows.mean()


def test_breakdown_groups_scores():
    infos = [{"kind": "brick", "scale_bin": 2}, {"kind": "grass", "scale_bin": 24},
             {"kind": "brick", "scale_bin": 24}]
    scores = np.array([1.0, 2.0, 4.0])
    assert benchmark.breakdown(scores, infos, "kind") == {"brick": 2.5, "grass": 2.0}
    by_scale = benchmark.breakdown(scores, infos, "scale")
    assert list(by_scale) == ["2", "24"] and by_scale["24"] == 3.0
    with pytest.raises(ValueError):
        benchmark.breakdown(scores[:2], infos)


def test_breakdown_of_benchmark_pairs(test_pairs):
    textured, structure, infos = test_pairs
    scores = np.abs(textured - structure).mean(axis=(1, 2, 3))
    by_scale = benchmark.breakdown(scores, infos, "scale")
    assert list(by_scale) == [str(s) for s in benchmark.SCALES]
    assert set(benchmark.breakdown(scores, infos, "source")) == {"real", "procedural"}
