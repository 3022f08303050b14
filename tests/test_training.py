"""The shared training loop: exact resume, NaN guard, budget, summaries."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf

import gandetexture as gdt  # noqa: F401  (quiet TensorFlow first)
from gandetexture import models, training

SIZE, BATCH = 16, 4


def pairs_dataset(seed: int = 0) -> tf.data.Dataset:
    rng = np.random.default_rng(seed)
    structure = rng.uniform(-1, 1, (32, SIZE, SIZE, 3)).astype(np.float32)
    textured = np.clip(structure + rng.normal(0, 0.3, structure.shape), -1, 1).astype(np.float32)
    textured, structure = tf.constant(textured), tf.constant(structure)
    ids = tf.data.Dataset.range(32).shuffle(32, seed=seed).repeat().batch(BATCH)
    return ids.map(lambda i: (tf.gather(textured, i), tf.gather(structure, i)))


def build(seed: int = 0, adversarial: bool = True):
    gdt.set_seed(seed)
    g = models.build_unet_generator(width=4, depth=2)
    d = models.build_patchgan_discriminator(width=4, n_down=1) if adversarial else None
    g_opt, d_opt = training.adam(), training.adam()
    step = training.make_remover_step(g, d, g_opt, d_opt if adversarial else None)
    track = {"generator": g, "g_optimizer": g_opt}
    if adversarial:
        track.update(discriminator=d, d_optimizer=d_opt)
    return step, track


def test_resume_matches_uninterrupted_run(tmp_path):
    k = 4
    step, track = build()
    whole = training.fit(step, pairs_dataset(), 2 * k, track=track, directory=tmp_path / "a",
                         progress=False)
    step, track = build()
    first = training.fit(step, pairs_dataset(), k, track=track, directory=tmp_path / "b",
                         progress=False)
    assert first["step"] == list(range(k))
    # A new session: fresh networks and optimizers (other initial weights), fresh dataset.
    step, track = build(seed=1)
    resumed = training.fit(step, pairs_dataset(), 2 * k, track=track,
                           directory=tmp_path / "b", progress=False)
    assert resumed["step"] == list(range(2 * k))
    for key in ("d_loss", "g_adv", "g_l1"):
        np.testing.assert_allclose(resumed[key], whole[key], rtol=1e-5, atol=1e-6)
    for a, b in zip(track["generator"].weights, build()[1]["generator"].weights):
        assert a.shape == b.shape
    assert (tmp_path / "b" / "checkpoints" / "checkpoint").exists()


def test_resume_false_starts_over(tmp_path):
    step, track = build(adversarial=False)
    training.fit(step, pairs_dataset(), 3, track=track, directory=tmp_path, progress=False)
    step, track = build(adversarial=False)
    again = training.fit(step, pairs_dataset(), 3, track=track, directory=tmp_path,
                         resume=False, progress=False)
    assert again["step"] == [0, 1, 2]


def test_nan_guard_keeps_last_good_checkpoint(tmp_path):
    weight = tf.Variable(1.0)
    optimizer = training.adam()

    @tf.function
    def step(batch, step_index):
        weight.assign_add(1.0)
        loss = tf.where(step_index >= 3, tf.constant(np.nan, tf.float32), weight)
        return {"loss": loss}

    data = tf.data.Dataset.range(100)
    with pytest.raises(training.TrainingDiverged, match="step 3: loss became nan") as caught:
        training.fit(step, data, 10, track={"w": weight, "opt": optimizer},
                     directory=tmp_path, checkpoint_every=1, progress=False)
    assert caught.value.history["step"] == [0, 1, 2, 3]
    assert "ckpt-3" in str(caught.value)
    latest = tf.train.latest_checkpoint(tmp_path / "checkpoints")
    assert latest.endswith("ckpt-3")
    restored = tf.Variable(0.0)
    tf.train.Checkpoint(w=restored).restore(latest).expect_partial()
    assert float(restored) == 4.0  # the state after step 2, not the NaN step's
    assert json.loads((tmp_path / "history.json").read_text())["step"] == [0, 1, 2]


def test_budget_stops_and_saves(tmp_path):
    step, track = build(adversarial=False)
    history = training.fit(step, pairs_dataset(), 1000, track=track, directory=tmp_path,
                           budget_s=0.0, progress=False)
    assert history["step"] == [0]
    assert tf.train.latest_checkpoint(tmp_path / "checkpoints").endswith("ckpt-1")


def test_summaries_and_callback(tmp_path):
    step, track = build(adversarial=False)
    called = []

    def on_summary(index):
        called.append(index)
        training.summary_scalar("val_psnr", 1.0)
        training.summary_images("samples", tf.zeros([2, 8, 8, 3]))

    training.fit(step, pairs_dataset(), 4, track=track, directory=tmp_path, summary_every=2,
                 on_summary=on_summary, progress=False)
    assert called == [1, 3]
    assert list((tmp_path / "logs").glob("events.out.tfevents.*"))


def test_plain_call_without_directory():
    step, _ = build(adversarial=False)
    previews = []
    history = training.fit(step, iter(pairs_dataset()), 5, preview=previews.append,
                           preview_every=2, progress=False)
    assert history["step"] == list(range(5))
    assert previews == [1, 3, 4]
    assert set(history) == {"step", "time", "g_l1"}


def test_checkpoint_of_other_networks_is_a_clear_error(tmp_path):
    step, track = build(adversarial=False)
    training.fit(step, pairs_dataset(), 2, track=track, directory=tmp_path, progress=False)
    gdt.set_seed(0)
    other = models.build_unet_generator(width=8, depth=2)
    g_opt = training.adam()
    step = training.make_remover_step(other, None, g_opt)
    with pytest.raises(ValueError, match="ckpt-2: this checkpoint does not fit"):
        training.fit(step, pairs_dataset(), 4, track={"generator": other, "g_optimizer": g_opt},
                     directory=tmp_path, progress=False)
    assert tf.train.latest_checkpoint(tmp_path / "checkpoints").endswith("ckpt-2")
