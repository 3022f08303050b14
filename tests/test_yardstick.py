"""The texture yardstick of issue 12: held-out halves, two-sample test, pyramid Gram distance,
novelty, grid peak, and the table. Small images, small crops, few steps."""

from __future__ import annotations

import numpy as np
import pytest

import gandetexture  # noqa: F401  (quiet TensorFlow first)
from gandetexture import exemplars, metrics, yardstick


def _noise(shape, seed: int) -> np.ndarray:
    """Stationary texture: Gaussian noise blurred over a few pixels, ``[H, W, 3] in [0, 1]``."""
    import cv2

    x = cv2.GaussianBlur(np.random.default_rng(seed).standard_normal(shape[:2]), (0, 0), 1.5)
    x = 0.5 + 0.5 * x / (3 * x.std())
    return np.repeat(np.clip(x, 0, 1)[..., None], 3, axis=-1).astype(np.float32)


def _stripes(shape, seed: int) -> np.ndarray:
    """Horizontal stripes every 8 px with a little noise: plainly not the noise texture."""
    rows = 0.5 + 0.4 * np.sin(2 * np.pi * np.arange(shape[0]) / 8)
    x = rows[:, None] + 0.05 * np.random.default_rng(seed).standard_normal(shape[:2])
    return np.repeat(np.clip(x, 0, 1)[..., None], 3, axis=-1).astype(np.float32)


#: Small and quick, yet each half (128²) holds many different 32² crops: with halves barely
#: larger than the crops, test crops are nearly one image and the accuracy jumps about.
C2ST = {"crop": 32, "steps": 60, "batch_size": 16, "test_count": 64}


def test_halves_split_top_and_bottom_without_overlap():
    image = np.arange(5 * 4 * 3).reshape(5, 4, 3)
    top, bottom = yardstick.halves(image)
    assert top.shape == bottom.shape == (2, 4, 3)
    np.testing.assert_array_equal(top, image[:2])
    np.testing.assert_array_equal(bottom, image[3:])
    top, bottom = yardstick.halves(np.zeros((512, 512, 3)))
    assert top.shape == bottom.shape == (256, 512, 3)


def test_two_sample_test_cannot_tell_one_texture_from_itself():
    real, other = _noise((128, 256), 0), _noise((128, 256), 1)
    assert yardstick.two_sample_accuracy(real, other, **C2ST) <= 0.7


def test_two_sample_test_tells_noise_from_stripes_and_repeats_itself():
    real, stripes = _noise((128, 256), 0), _stripes((128, 256), 1)
    first = yardstick.two_sample_accuracy(real, stripes, **C2ST)
    assert first >= 0.9
    assert yardstick.two_sample_accuracy(real, stripes, **C2ST) == first


def test_two_sample_test_centres_its_crops_so_a_brighter_copy_is_not_told():
    # lighting that drifts across a photograph is not texture: each crop's mean goes
    real, brighter = _noise((128, 256), 0), np.clip(_noise((128, 256), 1) + 0.15, 0, 1)
    assert yardstick.two_sample_accuracy(real, brighter, **C2ST) <= 0.7
    assert yardstick.two_sample_accuracy(real, brighter, **C2ST, centre=False) >= 0.9


def test_judge_tests_every_row_against_the_held_out_half():
    # the floor's test is the train half's; a candidate's, its own: both against the held-out
    train, held_out = yardstick.halves(_noise((256, 256), 0))
    stripes = _stripes((128, 256), 2)
    table = yardstick.judge(train, held_out, {"stripes": stripes}, crop=32, levels=1,
                            count=4, steps=5, test_count=16, c2st_crop=32)
    c2st = {"crop": 32, "steps": 5, "test_count": 16}
    assert table["stripes"]["c2st"] == yardstick.two_sample_accuracy(held_out, stripes, **c2st)
    assert table[yardstick.FLOOR]["c2st"] == yardstick.two_sample_accuracy(held_out, train,
                                                                           **c2st)
    # one more image judged with the table's settings (a lesson's **JUDGE) scores the same
    settings = dict(crop=32, levels=1, count=4, steps=5, test_count=16, c2st_crop=32,
                    novelty_stride=64)
    assert yardstick.row_c2st(held_out, stripes, **settings) == table["stripes"]["c2st"]


def test_two_sample_test_names_an_image_too_small_for_its_crops():
    with pytest.raises(exemplars.ExemplarError, match="candidate"):
        yardstick.two_sample_accuracy(_noise((64, 128), 0), _noise((40, 40), 1), crop=32)


def test_checkerboard_deals_out_squares_that_do_not_overlap():
    from gandetexture import two_sample

    image = np.arange(130 * 200 * 3, dtype=np.float32).reshape(130, 200, 3)
    first, second = two_sample._checkerboard(image, "real", 64)
    # 2 × 3 whole squares; the 2 rows and 8 columns past them are not used
    assert first.shape == second.shape == (3, 64, 64, 3)
    np.testing.assert_array_equal(first[0], image[:64, :64])
    np.testing.assert_array_equal(second[0], image[:64, 64:128])
    np.testing.assert_array_equal(second[1], image[64:128, :64])
    with pytest.raises(exemplars.ExemplarError, match=r"real is 64×64 px.*two"):
        two_sample._checkerboard(image[:64, :64], "real", 64)


def test_checkerboard_tells_a_candidate_missing_half_the_texture_where_halves_cannot():
    # real: stripes on the left, noise on the right; the candidate: noise everywhere. Cut in
    # halves, the classifier learns "stripes are real" on the left and meets only noise on
    # the right: it cannot tell. Dealt out in squares, both parts hold both textures.
    real = np.concatenate([_stripes((128, 128), 0), _noise((128, 128), 1)], axis=1)
    candidate = _noise((128, 256), 2)
    halves = yardstick.two_sample_accuracy(real, candidate, **C2ST, split="halves")
    squares = yardstick.two_sample_accuracy(real, candidate, **C2ST, per_class=True)
    # measured: 0.45 and 0.67 (0.75 at most: noise crops of the real image look fake)
    assert halves <= 0.55 and squares["accuracy"] >= 0.6
    assert squares["accuracy"] == pytest.approx((squares["real"] + squares["candidate"]) / 2)
    assert yardstick.two_sample_accuracy(real, candidate, **C2ST) == squares["accuracy"]
    with pytest.raises(ValueError, match="split"):
        yardstick.two_sample_accuracy(real, candidate, **C2ST, split="thirds")


def test_pyramid_gram_distance_has_one_level_each_and_zero_for_identical_sets():
    a = exemplars.patches(_noise((128, 128), 0), 64, 1, seed=0)
    b = exemplars.patches(_noise((128, 128), 1), 64, 3, seed=1)
    assert yardstick.pyramid_gram_distance(a, a, levels=2) == pytest.approx([0, 0], abs=1e-6)
    distances = yardstick.pyramid_gram_distance(a, b, levels=2)
    assert len(distances) == 2 and all(d > 0 for d in distances)
    assert distances[0] == pytest.approx(metrics.gram_distance(a, b), rel=1e-6)
    with pytest.raises(ValueError, match="32"):
        yardstick.pyramid_gram_distance(a, b, levels=3)  # 64 px / 4 = 16 px at level 2


def test_novelty_is_zero_for_a_copy_and_large_for_new_noise():
    source = _noise((64, 96), 0)
    copy = exemplars.random_crops(source, 48, 1, np.random.default_rng(3))[0]
    assert yardstick.novelty(copy, source, patch=16, stride=16) == pytest.approx(0, abs=1e-3)
    fresh = yardstick.novelty(_noise((48, 48), 1), source, patch=16, stride=16)
    assert fresh > 0.05


def test_grid_peak_is_about_one_for_noise_and_large_for_a_grid():
    rng = np.random.default_rng(0)
    noise = rng.uniform(0, 1, (2, 128, 128, 3)).astype(np.float32)
    assert 0.5 < yardstick.grid_peak(noise) < 2
    assert 0.5 < yardstick.grid_peak(noise[0]) < 2  # one image [H, W, 3] too
    lines = np.zeros((128, 128), np.float32)
    lines[::16] = lines[:, ::16] = 1.0
    grid = 0.8 * noise + 0.2 * lines[None, ..., None]
    assert yardstick.grid_peak(grid) > 5
    with pytest.raises(ValueError, match="too small"):
        yardstick.grid_peak(noise[:, :32, :32])


def test_judge_has_a_row_for_every_candidate_the_floor_and_the_reference():
    train, held_out = yardstick.halves(_noise((128, 128), 0))
    candidates = {"noise": _noise((64, 128), 1), "stripes": _stripes((64, 128), 2)}
    table = yardstick.judge(train, held_out, candidates, crop=32, levels=1, steps=5, count=4)
    assert list(table) == [yardstick.FLOOR, "noise", "stripes", yardstick.REFERENCE]
    for name in (yardstick.FLOOR, "noise", "stripes"):
        assert set(table[name]) == {"c2st", "gram", "novelty", "grid"}
        assert 0 <= table[name]["c2st"] <= 1 and len(table[name]["gram"]) == 1
    assert table[yardstick.FLOOR]["novelty"] > 0  # held-out half against the train half
    assert set(table[yardstick.REFERENCE]) == {"grid"}
    text = yardstick.format_judgement(table)
    assert len(text.splitlines()) == 5 and "stripes" in text and "novelty" in text


def test_halves_split_left_and_right_with_axis_1():
    image = np.arange(6 * 9 * 3, dtype=np.float32).reshape(6, 9, 3)
    left, right = yardstick.halves(image, axis=1)
    assert left.shape == right.shape == (6, 4, 3) and yardstick.split_axis("brick") == 1
    np.testing.assert_array_equal(left, image[:, :4])
    np.testing.assert_array_equal(right, image[:, 5:])
