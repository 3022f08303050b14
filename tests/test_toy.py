"""Tests of gandetexture.toy: the ring of Gaussians, mode counting, the toy train step."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import gandetexture  # noqa: F401  (quiet TensorFlow start-up)
from gandetexture import cli, losses, networks, plots, toy


def test_ring_centers_lie_on_the_circle():
    centers = toy.ring_centers(8, 2.0)
    assert centers.shape == (8, 2) and centers.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0, rtol=1e-6)
    np.testing.assert_allclose(centers[0], [2.0, 0.0], atol=1e-6)


def test_sample_ring_is_seeded_and_near_the_centres():
    a, b = toy.sample_ring(500, seed=3), toy.sample_ring(500, seed=3)
    assert a.shape == (500, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, toy.sample_ring(500, seed=4))
    batches = toy.ring_batches(64, seed=0)
    first, second = next(batches), next(batches)
    assert first.shape == (64, 2) and not np.array_equal(first, second)


def test_real_samples_cover_all_modes():
    count = toy.count_modes(toy.sample_ring(4000, seed=0))
    assert count.covered == 8 and count.modes == 8
    assert count.high_quality > 0.98  # 3 std in 2-D holds ~98.9 %
    assert count.per_mode.sum() == pytest.approx(4000 * count.high_quality)


def test_collapsed_and_off_ring_samples():
    centers = toy.ring_centers()
    collapsed = centers[[2]] + 0.01 * np.random.default_rng(0).normal(size=(1000, 2))
    assert toy.count_modes(collapsed).covered == 1
    assert toy.count_modes(np.zeros((100, 2))).covered == 0  # the centre of the ring
    assert toy.count_modes(np.zeros((100, 2))).high_quality == 0.0
    two = np.concatenate([collapsed, np.repeat(centers[[5]], 5, axis=0)])
    assert toy.count_modes(two, min_fraction=0.01).covered == 1  # 5 of 1005 is under 1 %
    assert toy.count_modes(two, min_fraction=0.001).covered == 2
    assert [toy.count_modes(two, min_fraction=f).reached for f in (0.01, 0.001)] == [1, 2]
    angles = 2 * np.pi * np.arange(4) / 8 + 0.3  # 0.6 away from 4 centres, 12 std: misplaced
    off = np.repeat(2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1), 100, axis=0)
    assert (toy.count_modes(off).covered, toy.count_modes(off).reached) == (0, 4)


def test_networks_shapes():
    generator = networks.build_toy_generator(toy.LATENT_DIM, toy.HIDDEN)
    discriminator = networks.build_toy_discriminator(toy.HIDDEN)
    z = tf.zeros([3, toy.LATENT_DIM])
    assert generator(z).shape == (3, 2)
    assert discriminator(tf.zeros([3, 2])).shape == (3, 1)


@pytest.mark.parametrize("name", losses.NAMES)
def test_toy_step_runs_for_every_loss(name):
    run = toy.train_toy(name, steps=3, seed=1, batch_size=32)
    for key in ("d_loss", "g_loss"):
        assert len(run.history[key]) == 3
        assert np.all(np.isfinite(run.history[key]))
    assert run.sample(50, seed=0).shape == (50, 2)


def test_toy_step_updates_both_networks():
    generator = networks.build_toy_generator(toy.LATENT_DIM, toy.HIDDEN)
    discriminator = networks.build_toy_discriminator(toy.HIDDEN)
    before = [w.numpy().copy() for w in generator.weights + discriminator.weights]
    step = toy.make_toy_step(generator, discriminator, toy._adam(), toy._adam(),
                              "nonsaturating")
    out = step(toy.sample_ring(16), tf.constant(0, tf.int64))
    assert set(out) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert set(step.track) == {"generator", "discriminator", "g_optimizer", "d_optimizer"}
    after = [w.numpy() for w in generator.weights + discriminator.weights]
    assert all(not np.array_equal(b, a) for b, a in zip(before, after))


def test_reruns_are_identical_and_extra_critic_steps_change_the_run():
    """WGAN-GP: the path with the most randomness (noise, penalty weights, critic steps)."""
    one = [toy.train_toy("wgan-gp", steps=2, seed=0, batch_size=16) for _ in range(2)]
    two = [toy.train_toy("wgan-gp", steps=2, seed=0, batch_size=16, d_steps=2)
           for _ in range(2)]
    for a, b in (one, two):
        assert a.history["d_loss"] == b.history["d_loss"]
        assert a.history["g_loss"] == b.history["g_loss"]
        np.testing.assert_array_equal(a.sample(50, seed=0), b.sample(50, seed=0))
    assert two[0].history["g_loss"][1] != one[0].history["g_loss"][1]


def test_scatter_panels_draw_one_panel_per_run():
    import matplotlib.pyplot as plt

    real = toy.sample_ring(100, seed=0)
    fig = plots.scatter_panels({"a": real, "b": real[:10]}, real=real, titles={"a": "A"})
    axes = fig.get_axes()
    assert len(axes) == 2 and axes[0].get_title() == "A" and axes[1].get_title() == "b"
    plt.close(fig)


def test_the_command_line_trains_the_lessons_runs(tmp_path, capsys):
    """``train-toy`` and the lesson's ``toy.train_all`` (a loop over ``toy.train_toy``) are one
    code path: the same seed gives the same weights and histories, saved and loaded whole."""
    out = tmp_path / "run"
    assert cli.main(["train-toy", "--profile", "smoke", "--steps", "2", "--out", str(out),
                     "--quiet"]) == 0
    assert "wgan-gp" in capsys.readouterr().out
    saved = toy.load_runs(out)
    assert list(saved) == list(losses.NAMES)
    for name in ["wgan-gp"]:  # the most random path; the others are the same loop
        lesson = toy.train_toy(name, 2, seed=0)
        mine = saved[name]
        for a, b in zip(mine.generator.get_weights() + mine.discriminator.get_weights(),
                        lesson.generator.get_weights() + lesson.discriminator.get_weights()):
            np.testing.assert_array_equal(a, b)
        assert {k: v for k, v in mine.history.items() if k != "time"} == \
            {k: v for k, v in lesson.history.items() if k != "time"}
        assert mine.seconds == mine.history["time"][-1]
        assert toy.scores({name: mine}) == toy.scores({name: lesson})
    assert cli.main(["train-toy", "--profile", "smoke", "--out", str(out)]) == 2  # kept
    with pytest.raises(ValueError, match="train-toy --out"):
        toy.load_runs(tmp_path / "nothing")
