"""gandetexture.datasets: pairs, splits and tf.data pipelines."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import gandetexture as gdt
from gandetexture import datasets, exemplars, structures


def _digests(textured, structure):
    return {hashlib.sha1(t.tobytes() + s.tobytes()).hexdigest()
            for t, s in zip(textured, structure)}


def test_make_pairs_shape_range_and_byte_identical():
    textured, structure = datasets.make_pairs(6, 32, seed=1)
    for array in (textured, structure):
        assert array.shape == (6, 32, 32, 3) and array.dtype == np.float32
        assert 0.0 <= array.min() and array.max() <= 1.0
    again = datasets.make_pairs(6, 32, seed=1)
    assert again[0].tobytes() == textured.tobytes() and again[1].tobytes() == structure.tobytes()
    other = datasets.make_pairs(6, 32, seed=2)
    assert not np.array_equal(other[0], textured)
    assert not np.array_equal(textured, structure)


def test_pairs_are_a_stream():
    """Pair i does not depend on n; ``start`` continues the stream."""
    textured, _ = datasets.make_pairs(5, 24, seed=0)
    head, _ = datasets.make_pairs(2, 24, seed=0)
    tail, _ = datasets.make_pairs(3, 24, seed=0, start=2)
    assert np.array_equal(np.concatenate([head, tail]), textured)


def test_options_and_info():
    textured, structure, info = datasets.make_pairs(
        4, 24, seed=0, blend="additive", amplitude=(0.2, 0.2), families=["dots"],
        return_info=True)
    assert {i["name"] for i in info} == {"dots"} and {i["blend"] for i in info} == {"additive"}
    assert all(i["amplitude"] == pytest.approx(0.2) for i in info)
    with pytest.raises(ValueError, match="unknown blend mode 'screen'"):
        datasets.make_pairs(1, 24, seed=0, blend="screen")
    with pytest.raises(ValueError, match="unknown split"):
        datasets.make_pairs(1, 24, seed=0, split="holdout")


def test_centred_textures_keep_the_structure_colour():
    t = np.random.default_rng(0).uniform(0.0, 0.4, (2, 8, 8, 3)).astype(np.float32)
    centred = datasets.centre_texture(t)
    np.testing.assert_allclose(centred.mean(axis=(1, 2)), 0.5, atol=1e-6)
    np.testing.assert_allclose(centred - centred.mean(axis=(1, 2), keepdims=True),
                               t - t.mean(axis=(1, 2), keepdims=True), atol=1e-6)
    # additive pairs: the average colour of an image is its structure's (up to clipping)
    textured, structure = datasets.make_pairs(16, 32, 0, blend="additive")
    shift = np.abs(textured.mean(axis=(1, 2)) - structure.mean(axis=(1, 2)))
    assert np.median(shift) < 0.02


def test_compose_formulas():
    s = np.full((2, 2, 3), 0.5, np.float32)
    big_t = np.full((2, 2, 3), 0.75, np.float32)  # t = 2 T - 1 = 0.5
    np.testing.assert_allclose(datasets.compose(s, big_t, "multiplicative", 0.4), 0.5 * 1.2)
    np.testing.assert_allclose(datasets.compose(s, big_t, "additive", 0.4), 0.5 + 0.2)
    np.testing.assert_allclose(datasets.compose(s, big_t, "mix", 0.4), 0.6 * 0.5 + 0.4 * 0.75)
    assert datasets.compose(s, big_t, "additive", 5.0).max() == 1.0  # clipped
    with pytest.raises(ValueError, match="unknown blend mode"):
        datasets.compose(s, big_t, "overlay")


def test_splits_never_share_a_pair_and_are_deterministic():
    splits = datasets.pair_splits(gdt.PROFILES["smoke"], 20, 8, 8, seed=0)
    assert set(splits) == {"train", "val", "test"}
    assert splits["train"][0].shape == (20, 32, 32, 3)
    digests = [_digests(*splits[k]) for k in ("train", "val", "test")]
    assert sum(len(d) for d in digests) == 36
    assert len(set.union(*digests)) == 36
    structures = [{hashlib.sha1(s.tobytes()).hexdigest() for s in splits[k][1]}
                  for k in ("train", "val", "test")]
    assert len(set.union(*structures)) == 36
    again = datasets.pair_splits(32, 20, 8, 8, seed=0)
    assert all(np.array_equal(again[k][0], splits[k][0]) for k in splits)
    bigger = datasets.pair_splits(32, 30, 8, 8, seed=0)
    assert np.array_equal(bigger["val"][0], splits["val"][0])  # val is stable


def test_training_pairs_never_use_the_real_photographs(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("procedural pairs must not touch scikit-image's photographs")

    monkeypatch.setattr(exemplars, "_skimage_image", forbidden)
    monkeypatch.setattr(exemplars, "load", forbidden)
    datasets.pair_splits(24, 4, 2, 2, seed=0)
    next(iter(datasets.pair_stream(24, 4, seed=0, bank_size=4)))


def test_pair_dataset_range_shape_and_determinism():
    textured, structure = datasets.make_pairs(10, 16, seed=0)
    ds = datasets.pair_dataset(textured, structure, batch_size=4, seed=3, augment=True)
    batches = [tuple(x.numpy() for x in b) for b in ds.take(6)]
    again = [tuple(x.numpy() for x in b) for b in
             datasets.pair_dataset(textured, structure, 4, seed=3, augment=True).take(6)]
    for (t, s), (t2, s2) in zip(batches, again):
        assert t.shape == (4, 16, 16, 3) and t.dtype == np.float32
        assert -1.0 <= t.min() and t.max() <= 1.0 and -1.0 <= s.min() and s.max() <= 1.0
        assert t.tobytes() == t2.tobytes() and s.tobytes() == s2.tobytes()
    other = [b[0].numpy() for b in datasets.pair_dataset(textured, structure, 4, seed=4).take(6)]
    assert any(not np.array_equal(a[0], b) for a, b in zip(batches, other))


def test_pair_dataset_one_pass_in_order():
    textured, structure = datasets.make_pairs(10, 8, seed=0)
    ds = datasets.pair_dataset(textured, structure, 4, shuffle=False, repeat=False)
    t = np.concatenate([b[0].numpy() for b in ds])
    np.testing.assert_allclose(t, textured * 2 - 1, atol=1e-6)


def test_pair_dataset_shuffle_is_a_permutation_and_augment_keeps_pairs_together():
    textured, structure = datasets.make_pairs(8, 8, seed=0)
    ds = datasets.pair_dataset(textured, structure, 8, seed=0, repeat=False)
    t, s = (x.numpy() for x in next(iter(ds)))
    order = [int(np.argmin(np.abs(textured * 2 - 1 - t[k]).sum(axis=(1, 2, 3))))
             for k in range(8)]
    assert sorted(order) == list(range(8))
    np.testing.assert_allclose(s, structure[order] * 2 - 1, atol=1e-6)
    # with augment, each output pair is one input pair under one flip/rotation
    aug = datasets.pair_dataset(textured, structure, 8, seed=1, augment=True)
    t, s = (x.numpy() for x in next(iter(aug)))
    for k in range(8):
        matches = [i for i in range(8) for f in _dihedral_all(structure[i] * 2 - 1)
                   if np.allclose(f, s[k])]
        assert matches, "structure is not a transform of an input"
        i = matches[0]
        pairs = [(a, b) for a, b in zip(_dihedral_all(textured[i] * 2 - 1),
                                        _dihedral_all(structure[i] * 2 - 1))]
        assert any(np.allclose(a, t[k]) and np.allclose(b, s[k]) for a, b in pairs)


def _dihedral_all(image):
    out = []
    for k in range(4):
        rotated = np.rot90(image, k)
        out += [rotated, rotated[:, ::-1]]
    return out


def test_pair_dataset_rejects_bad_input():
    with pytest.raises(ValueError, match="too few"):
        datasets.pair_dataset(np.zeros((2, 8, 8, 3)), np.zeros((2, 8, 8, 3)), 4)
    with pytest.raises(ValueError, match="must both be"):
        datasets.pair_dataset(np.zeros((4, 8, 8, 3)), np.zeros((4, 8, 9, 3)), 2)


def test_pair_stream_deterministic_and_in_range():
    first = [tuple(x.numpy() for x in b) for b in datasets.pair_stream(16, 4, seed=0,
                                                                       bank_size=8).take(3)]
    again = [tuple(x.numpy() for x in b) for b in datasets.pair_stream(16, 4, seed=0,
                                                                       bank_size=8).take(3)]
    for (t, s), (t2, s2) in zip(first, again):
        assert t.shape == s.shape == (4, 16, 16, 3)
        assert -1.0 <= t.min() and t.max() <= 1.0
        assert t.tobytes() == t2.tobytes() and s.tobytes() == s2.tobytes()
    val = next(iter(datasets.pair_stream(16, 4, seed=0, split="val", bank_size=8)))
    assert not np.array_equal(val[1].numpy(), first[0][1])


def test_muted_fills_are_greyer_and_leave_the_default_unchanged():
    plain = structures.make_structures(64, 32, 3)
    muted = structures.make_structures(64, 32, 3, muted=1.0)
    spread = [float((im.max(-1) - im.min(-1)).mean()) for im in (plain, muted)]
    assert spread[1] < 0.5 * spread[0]  # every fill keeps at most 40% of its chroma
    # muted=0 draws nothing more: the evaluation splits' structures stay as they were
    assert structures.make_structures(4, 32, 3, muted=0.0).tobytes() == plain[:4].tobytes()
    with pytest.raises(ValueError, match="shapes"):
        datasets.pair_stream(16, 2, bank_size=2, structures="natural", muted=0.5)


def test_real_texture_pairs():
    textured, structure = datasets.real_texture_pairs(3, 32, seed=0)
    assert textured.shape == structure.shape == (3, 32, 32, 3)
    assert 0.0 <= textured.min() and textured.max() <= 1.0
    assert np.array_equal(datasets.real_texture_pairs(3, 32, seed=0)[0], textured)
    train = datasets.make_pairs(3, 32, seed=0)[1]
    assert not _digests(structure, structure) & _digests(train, train)


def test_image_batches():
    patches = exemplars.patches(exemplars.TEXTURES, size=32, count=6, seed=0)
    batch = next(iter(datasets.image_batches(patches, 2, seed=0)))
    assert batch.shape == (2, 32, 32, 3)
    again = next(iter(datasets.image_batches(patches, 2, seed=0)))
    assert batch.numpy().tobytes() == again.numpy().tobytes()


def test_pair_stream_xla_matches_plain():
    plain = next(iter(datasets.pair_stream(16, 4, seed=1, bank_size=4)))
    compiled = next(iter(datasets.pair_stream(16, 4, seed=1, bank_size=4, jit=True)))
    for a, b in zip(plain, compiled):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)
