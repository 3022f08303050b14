"""The one adversarial update (gandetexture.steps): used by all four GANs, its options
(WGAN-GP, extra critic steps, L1, EMA) and determinism."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

import gandetexture as gdt  # noqa: F401  (quiet TensorFlow first)
from gandetexture import losses, networks, removal, steps, texture, toy, training

PAIR = {"generator", "discriminator", "g_optimizer", "d_optimizer"}
GAN_OUT = {"d_loss", "g_loss", "d_real", "d_fake"}
SHAPE = (8, 8, 3)
TEXTURE = texture.TextureConfig(crop=16, batch_size=2, width=2, upsamplings=2,
                                local_channels=2, global_channels=1, steps=2)


def index(i: int) -> tf.Tensor:
    return tf.constant(i, tf.int64)


def article(loss="nonsaturating", d_steps=1, seed=0):
    """The article's MLP GAN on 8×8 images, and a real batch."""
    keras.utils.set_random_seed(seed)
    g = networks.build_mlp_generator(latent_dim=4, image_shape=SHAPE)
    d = networks.build_mlp_discriminator(SHAPE)
    step = steps.make_gan_step(g, d, training.adam(), training.adam(), latent_dim=4, loss=loss,
                               seed=seed, d_steps=d_steps)
    real = tf.random.stateless_uniform([4, *SHAPE], [seed, 1], -1, 1)
    return step, real


def remover(loss="nonsaturating", adversarial=True, ssim_weight=0.0):
    keras.utils.set_random_seed(0)
    g = networks.build_unet_generator(width=2, depth=2)
    d = networks.build_patchgan_discriminator(width=2, n_down=1) if adversarial else None
    step = steps.make_remover_step(g, d, training.adam(),
                                   training.adam() if adversarial else None, loss=loss,
                                   ssim_weight=ssim_weight)
    textured = tf.random.stateless_uniform([2, 16, 16, 3], [0, 2], -1, 1)
    return step, (textured, tf.clip_by_value(textured * 0.5, -1, 1))


def texture_gan(config=TEXTURE, ema=True):
    keras.utils.set_random_seed(0)
    g = networks.build_texture_generator(config)
    average = None
    if ema:
        average = networks.build_texture_generator(config)
        average.set_weights(g.get_weights())
    step = texture.make_texture_step(g, networks.build_texture_discriminator(config),
                                     training.adam(), training.adam(), config, average)
    return step, tf.random.stateless_uniform([2, 16, 16, 3], [0, 3], -1, 1)


def toy_gan(loss="nonsaturating", d_steps=1):
    keras.utils.set_random_seed(0)
    step = toy.make_toy_step(networks.build_toy_generator(), networks.build_toy_discriminator(),
                             training.adam(), training.adam(), loss, d_steps=d_steps)
    return step, tf.constant(toy.sample_ring(16))


BUILDERS = {"article": article, "remover": remover, "texture": texture_gan, "toy": toy_gan}


def test_all_four_gans_use_the_one_step(monkeypatch):
    calls = []
    real_make_step = steps.make_step

    def spy(*args, **kwargs):
        calls.append(kwargs["inputs"])
        return real_make_step(*args, **kwargs)

    monkeypatch.setattr(steps, "make_step", spy)
    built = {name: build()[0] for name, build in BUILDERS.items()}
    assert len(calls) == 4
    for name in ("article", "remover", "toy"):
        assert set(built[name].track) == PAIR, name
    assert set(built["texture"].track) == PAIR | {"ema_generator"}
    assert removal.make_remover_step is steps.make_remover_step  # the trainer's step


@pytest.mark.parametrize("name", list(BUILDERS))
def test_each_gan_step_runs_and_returns_its_losses(name):
    step, batch = BUILDERS[name]()
    out = step(batch, index(0))
    expected = {"d_loss", "g_adv", "g_l1", "d_real", "d_fake"} if name == "remover" else GAN_OUT
    assert set(out) == expected
    assert all(np.isfinite(float(v)) for v in out.values())
    assert 0.0 <= float(out["d_real"]) <= 1.0 and 0.0 <= float(out["d_fake"]) <= 1.0


def test_the_step_updates_every_tracked_network():
    step, batch = texture_gan()
    nets = [step.track[k] for k in ("generator", "discriminator", "ema_generator")]
    before = [[w.numpy().copy() for w in net.trainable_weights] for net in nets]
    step(batch, index(0))
    for net, old in zip(nets, before):
        assert any(not np.array_equal(o, w.numpy()) for o, w in zip(old, net.trainable_weights))


@pytest.mark.parametrize("name", list(BUILDERS))
def test_wgan_gp_works_for_every_gan(name):
    if name == "texture":
        step, batch = texture_gan(dataclasses.replace(TEXTURE, loss="wgan-gp"))
    else:
        step, batch = BUILDERS[name](loss="wgan-gp")
    for i in range(2):
        out = step(batch, index(i))
        assert all(np.isfinite(float(v)) for v in out.values()), (name, out)


def test_the_gradient_penalty_changes_the_critics_update():
    without = dataclasses.replace(losses.get("wgan-gp"), name="wgan",
                                  gradient_penalty_weight=0.0)
    critics, d_losses = [], []
    for loss in ("wgan-gp", without):
        step, real = article(loss)
        d_losses.append(float(step(real, index(0))["d_loss"]))
        critics.append([w.numpy() for w in step.track["discriminator"].trainable_weights])
    assert d_losses[0] > d_losses[1]  # the penalty is added to the critic's loss (≥ 0)
    assert any(not np.allclose(a, b) for a, b in zip(*critics))


def test_r1_changes_only_the_critics_loss_at_the_first_step():
    out, critics = [], []
    for r1 in (0.0, 10.0):
        step, real = texture_gan(dataclasses.replace(TEXTURE, r1=r1))
        out.append({k: float(v) for k, v in step(real, index(0)).items()})
        critics.append([w.numpy() for w in step.track["discriminator"].trainable_weights])
    assert out[1]["d_loss"] > out[0]["d_loss"]  # the penalty is added (≥ 0)
    assert out[1]["g_loss"] == out[0]["g_loss"]  # the same networks, the same generator loss
    assert any(not np.allclose(a, b) for a, b in zip(*critics))


def test_reruns_are_identical_and_extra_critic_steps_change_the_run():
    runs = {}
    for d_steps in (1, 1, 2):
        step, real = article("wgan-gp", d_steps=d_steps)
        history = [step(real, index(i)) for i in range(2)]
        weights = [w.numpy() for w in step.track["generator"].trainable_weights]
        runs.setdefault(d_steps, []).append(
            ([{k: float(v) for k, v in out.items()} for out in history], weights))
    (h1, w1), (h1b, w1b) = runs[1]
    assert h1 == h1b
    for a, b in zip(w1, w1b):
        np.testing.assert_array_equal(a, b)
    h2, w2 = runs[2][0]
    assert h2[0]["d_loss"] != h1[0]["d_loss"]  # the critic moved before the shared update
    assert any(not np.array_equal(a, b) for a, b in zip(w1, w2))


def test_an_l1_only_step_needs_an_l1_weight():
    g = networks.build_unet_generator(width=2, depth=2)
    with pytest.raises(ValueError, match="l1_weight above 0"):
        steps.make_remover_step(g, None, training.adam(), None, l1_weight=0.0, ssim_weight=1.0)


def test_l1_only_step_has_no_discriminator():
    step, batch = remover(adversarial=False)
    assert set(step.track) == {"generator", "g_optimizer"}
    first = step(batch, index(0))
    assert set(first) == {"g_l1"}
    later = [float(step(batch, index(i))["g_l1"]) for i in range(1, 4)]
    assert later[-1] < float(first["g_l1"])  # L1 alone fits the target


@pytest.mark.parametrize("adversarial", [True, False])
def test_an_ssim_term_is_reported_and_changes_the_update(adversarial):
    plain_step, batch = remover(adversarial=adversarial)
    plain = plain_step(batch, index(0))
    step, _ = remover(adversarial=adversarial, ssim_weight=20.0)
    # the generator before its first update, as the step sees it (batch statistics)
    expected = float(losses.ssim_loss(step.track["generator"](batch[0], training=True),
                                      batch[1]))
    first = step(batch, index(0))
    assert set(first) == set(plain) | {"g_ssim"}
    assert float(first["g_ssim"]) == pytest.approx(expected, rel=1e-5) and expected > 0
    assert float(first["g_l1"]) == pytest.approx(float(plain["g_l1"]), rel=1e-5)  # same start
    moved = [w.numpy() for w in step.track["generator"].trainable_weights]
    kept = [w.numpy() for w in plain_step.track["generator"].trainable_weights]
    assert any(not np.allclose(a, b) for a, b in zip(moved, kept))


def test_a_discriminator_needs_its_optimizer():
    g = networks.build_toy_generator()
    with pytest.raises(ValueError, match="d_optimizer"):
        steps.make_step(g, networks.build_toy_discriminator(), training.adam(), None,
                        inputs=steps.noise_inputs(8))


def test_noise_is_stateless_per_step_index():
    inputs = steps.noise_inputs(3)
    real = tf.zeros([5, 2])
    a, r, condition = inputs(real, tf.constant([0, 7], tf.int64))
    b, _, _ = inputs(real, tf.constant([0, 7], tf.int64))
    c, _, _ = inputs(real, tf.constant([0, 8], tf.int64))
    assert a.shape == (5, 3) and condition is None and r is real
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    textured, structure = tf.ones([1, 4, 4, 3]), tf.zeros([1, 4, 4, 3])
    g_in, target, cond = steps.paired_inputs((textured, structure), None)
    assert g_in is textured and target is structure and cond is textured


def _dense(value: float) -> keras.Model:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    model.set_weights([np.full_like(w, value) for w in model.get_weights()])
    return model


@pytest.mark.parametrize("t, decay, expected_d", [
    (0, 0.995, 0.1),  # (1 + 0) / (10 + 0): a short memory at the start
    (10, 0.995, 11 / 20),
    (10**6, 0.995, 0.995),  # capped by the decay later on
    (10**6, 0.5, 0.5),
])
def test_ema_update_moves_the_average_towards_the_weights(t, decay, expected_d):
    average, model = _dense(1.0), _dense(3.0)
    steps.ema_update(average, model, decay, tf.constant(t, tf.int64))
    expected = expected_d * 1.0 + (1 - expected_d) * 3.0
    for w in average.get_weights():
        np.testing.assert_allclose(w, expected, rtol=1e-6)
    for w in model.get_weights():  # the trained weights are left alone
        np.testing.assert_array_equal(w, 3.0)


def test_ema_update_averages_batch_norm_statistics_too():
    def net(value):
        model = keras.Sequential([keras.Input((2,)), keras.layers.BatchNormalization()])
        model.set_weights([np.full_like(w, value) for w in model.get_weights()])
        return model

    average, model = net(0.0), net(1.0)
    steps.ema_update(average, model, 0.995, tf.constant(0, tf.int64))
    assert len(average.weights) == 4  # gamma, beta, moving mean and variance
    for w in average.get_weights():
        np.testing.assert_allclose(w, 0.9, rtol=1e-6)
