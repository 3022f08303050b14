"""Tests of gandetexture.losses: known values, gradient signs, stability, the optimizers."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

import gandetexture  # noqa: F401  (quiet TensorFlow start-up)
from gandetexture import losses

LOG2 = math.log(2.0)


def _t(values) -> tf.Tensor:
    return tf.constant(np.asarray(values, dtype=np.float32).reshape(-1, 1))


# --- the interface ---------------------------------------------------------------------------

def test_every_name_resolves_and_round_trips():
    assert losses.NAMES == ("minimax", "nonsaturating", "lsgan", "hinge", "wgan-gp")
    for name in losses.NAMES:
        loss = losses.get(name)
        assert loss.name == name
        assert losses.get(loss) is loss
    assert losses.get("non-saturating").name == "nonsaturating"
    assert losses.get("WGAN_GP").name == "wgan-gp"
    assert losses.get("least_squares").name == "lsgan"


def test_unknown_name_is_a_clear_value_error():
    with pytest.raises(ValueError, match="unknown adversarial loss 'wgan-lp'.*minimax"):
        losses.get("wgan-lp")


def test_only_wgan_gp_asks_for_a_gradient_penalty():
    weights = {name: losses.get(name).gradient_penalty_weight for name in losses.NAMES}
    assert weights == {"minimax": 0.0, "nonsaturating": 0.0, "lsgan": 0.0, "hinge": 0.0,
                       "wgan-gp": 10.0}


# --- known values ----------------------------------------------------------------------------

def test_d_half_everywhere_gives_two_log_two():
    zeros = tf.zeros([16, 1])  # logit 0 <=> D = 0.5
    assert float(losses.get("minimax").discriminator(zeros, zeros)) == pytest.approx(2 * LOG2)
    assert float(losses.gan_value(zeros, zeros)) == pytest.approx(-math.log(4.0))
    assert float(losses.generator_loss_minimax(zeros)) == pytest.approx(-LOG2)
    assert float(losses.generator_loss_nonsaturating(zeros)) == pytest.approx(LOG2)


def test_gan_value_is_minus_the_discriminator_loss():
    rng = np.random.default_rng(0)
    real, fake = _t(rng.normal(size=32) * 3), _t(rng.normal(size=32) * 3)
    assert float(losses.gan_value(real, fake)) == pytest.approx(
        -float(losses.discriminator_loss(real, fake)), rel=1e-6)


def test_minimax_matches_the_formula_on_probabilities():
    real, fake = np.array([0.5, 2.0, -1.0]), np.array([-0.3, 1.5, -2.0])
    d_real, d_fake = 1 / (1 + np.exp(-real)), 1 / (1 + np.exp(-fake))
    value = np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake))
    assert float(losses.gan_value(_t(real), _t(fake))) == pytest.approx(value, rel=1e-6)
    assert float(losses.generator_loss_minimax(_t(fake))) == pytest.approx(
        np.mean(np.log(1 - d_fake)), rel=1e-6)
    assert float(losses.generator_loss_nonsaturating(_t(fake))) == pytest.approx(
        -np.mean(np.log(d_fake)), rel=1e-6)


def test_agrees_with_keras_binary_crossentropy():
    rng = np.random.default_rng(1)
    real, fake = _t(rng.normal(size=64) * 4), _t(rng.normal(size=64) * 4)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    expected_d = float(bce(tf.ones_like(real), real)) + float(bce(tf.zeros_like(fake), fake))
    for name in ("minimax", "nonsaturating"):
        got = float(losses.get(name).discriminator(real, fake))
        assert got == pytest.approx(expected_d, rel=1e-5)
    assert float(losses.get("nonsaturating").generator(fake)) == pytest.approx(
        float(bce(tf.ones_like(fake), fake)), rel=1e-5)
    assert float(losses.get("minimax").generator(fake)) == pytest.approx(
        -float(bce(tf.zeros_like(fake), fake)), rel=1e-5)


def test_lsgan_hinge_wgan_values():
    real, fake = _t([2.0, 0.0]), _t([-1.0, 0.5])
    ls = losses.get("lsgan")
    assert float(ls.discriminator(real, fake)) == pytest.approx(0.5 * 1.0 + 0.5 * 0.625)
    assert float(ls.generator(fake)) == pytest.approx(0.5 * (4.0 + 0.25) / 2)
    hinge = losses.get("hinge")
    assert float(hinge.discriminator(real, fake)) == pytest.approx(0.5 + 0.75)
    assert float(hinge.generator(fake)) == pytest.approx(0.25)
    wgan = losses.get("wgan-gp")
    assert float(wgan.discriminator(real, fake)) == pytest.approx(-0.25 - 1.0)
    assert float(wgan.generator(fake)) == pytest.approx(0.25)


def test_reconstruction_loss():
    a, b = tf.constant([[0.0, 1.0], [2.0, -1.0]]), tf.constant([[1.0, 1.0], [0.0, 0.0]])
    assert float(losses.l1(a, b)) == pytest.approx((1 + 0 + 2 + 1) / 4)
    assert float(losses.l1(a, a)) == 0.0


def test_ssim_loss_is_one_minus_tf_image_ssim():
    a = tf.random.stateless_uniform([2, 16, 16, 3], [0, 7], -1, 1)
    flat = tf.zeros_like(a)
    assert float(losses.ssim_loss(a, a)) == pytest.approx(0.0, abs=1e-6)
    expected = 1.0 - float(tf.reduce_mean(tf.image.ssim(a, flat, 2.0)))
    assert float(losses.ssim_loss(a, flat)) == pytest.approx(expected, rel=1e-6)
    assert 0.5 < expected <= 2.0  # noise against a flat image: little shared structure


# --- gradient signs --------------------------------------------------------------------------

def _grads(fn, *tensors):
    tensors = [tf.Variable(t) for t in tensors]
    with tf.GradientTape() as tape:
        value = fn(*tensors)
    return [g.numpy() for g in tape.gradient(value, tensors)]


@pytest.mark.parametrize("name", losses.NAMES)
def test_gradient_signs(name):
    """D raises its score on real and lowers it on fake; G raises the score of fakes."""
    loss = losses.get(name)
    real, fake = _t([0.0, 0.2, -0.3]), _t([0.1, 0.2, 0.5])  # D about undecided, fakes above 0
    g_real, g_fake = _grads(loss.discriminator, real, fake)
    assert np.all(g_real < 0) and np.all(g_fake > 0)  # descent: real logits up, fake down
    (g_gen,) = _grads(loss.generator, fake)
    assert np.all(g_gen < 0)  # descent: fake logits up


def test_minimax_saturates_and_nonsaturating_does_not():
    confident_fake = _t([-10.0] * 4)  # D(G(z)) ~ 4.5e-5: the discriminator wins
    (minimax,) = _grads(losses.generator_loss_minimax, confident_fake)
    (nonsat,) = _grads(losses.generator_loss_nonsaturating, confident_fake)
    assert np.all(np.abs(minimax) < 1e-4 / 4)
    np.testing.assert_allclose(nonsat, -1.0 / 4, rtol=1e-3)


# --- gradient penalty ------------------------------------------------------------------------

@pytest.mark.parametrize("w, expected", [((3.0, 4.0), 16.0), ((0.6, 0.8), 0.0),
                                         ((0.0, 0.5), 0.25)])
def test_gradient_penalty_of_a_linear_critic(w, expected):
    """A linear critic x -> x·w has gradient w everywhere: penalty (‖w‖ − 1)²."""
    weights = tf.constant([[w[0]], [w[1]]])
    rng = np.random.default_rng(0)
    real = tf.constant(rng.normal(size=(8, 2)), tf.float32)
    fake = tf.constant(rng.normal(size=(8, 2)), tf.float32)
    penalty = losses.gradient_penalty(lambda x: tf.matmul(x, weights), real, fake, 0)
    assert float(penalty) == pytest.approx(expected, abs=1e-5)


def test_gradient_penalty_of_a_keras_critic_on_images():
    critic = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten(),
                               keras.layers.Dense(1, use_bias=False)])
    kernel = np.full((48, 1), 0.5, np.float32)  # ‖w‖ = 0.5·√48
    critic.set_weights([kernel])
    real, fake = tf.ones([5, 4, 4, 3]), -tf.ones([5, 4, 4, 3])
    penalty = losses.gradient_penalty(critic, real, fake, tf.constant([3, 7]))
    assert float(penalty) == pytest.approx((0.5 * math.sqrt(48) - 1) ** 2, rel=1e-5)


def test_gradient_penalty_draws_one_uniform_weight_per_sample():
    """Critic ½‖x‖²: its gradient at x̂ = ε·real (fake = 0) has norm ε‖real‖."""
    real = tf.constant(np.tile([[3.0, 4.0]], (64, 1)), tf.float32)  # ‖real‖ = 5
    seed = tf.constant([5, 11], tf.int64)
    critic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=1)
    penalty = losses.gradient_penalty(critic, real, tf.zeros_like(real), seed)
    eps = tf.random.stateless_uniform([64, 1], seed=seed).numpy()
    assert float(penalty) == pytest.approx(np.mean((5 * eps - 1) ** 2), rel=1e-5)
    assert 0.0 <= eps.min() and eps.max() < 1.0 and len(np.unique(eps)) == 64
    again = losses.gradient_penalty(critic, real, tf.zeros_like(real), seed)
    assert float(again) == float(penalty)  # same seed, same ε
    generator = tf.random.Generator.from_seed(1)
    assert np.isfinite(float(losses.gradient_penalty(critic, real, 0 * real, generator)))


# --- R1 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("w", [(3.0, 4.0), (0.0, 0.5)])
def test_r1_of_a_linear_critic_is_the_squared_gradient_norm(w):
    """x -> x·w has gradient w at every real sample: R1 = ‖w‖², whatever the samples."""
    weights = tf.constant([[w[0]], [w[1]]])
    real = tf.constant(np.random.default_rng(0).normal(size=(8, 2)), tf.float32)
    penalty = losses.r1_penalty(lambda x: tf.matmul(x, weights), real)
    assert float(penalty) == pytest.approx(w[0] ** 2 + w[1] ** 2, rel=1e-5)


def test_r1_is_zero_for_a_flat_critic_and_counts_patches_once():
    real = tf.random.stateless_uniform([3, 8, 8, 3], [0, 1], -1, 1)
    flat = lambda x: 0.0 * x[:, ::4, ::4, :1] + 2.0
    assert float(losses.r1_penalty(flat, real)) == 0.0
    # a map of 2×2 patch logits, each 0.25 × the sum of its own 4×4 pixels of channel 0: R1
    # is the mean of the patches' own squared gradient norms, 16 · 0.25², not their sum
    patches = lambda x: tf.nn.avg_pool2d(x, 4, 4, "VALID")[..., :1] * 16 * 0.25
    assert float(losses.r1_penalty(patches, real)) == pytest.approx(16 * 0.25 ** 2, rel=1e-5)


def test_gradient_penalty_trains_the_critic():
    """Inside the critic's tape the penalty has a gradient w.r.t. the critic's weights."""
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                               keras.layers.Dense(1)])
    real, fake = tf.random.normal([16, 2], seed=1), tf.random.normal([16, 2], seed=2)

    @tf.function
    def penalty_grads():
        with tf.GradientTape() as tape:
            penalty = losses.gradient_penalty(critic, real, fake, tf.constant([0, 0]))
        return penalty, tape.gradient(penalty, critic.trainable_variables)

    penalty, grads = penalty_grads()
    assert float(penalty) > 0
    first_kernel = grads[0]  # (the output bias does not change a gradient: its grad is None)
    assert first_kernel is not None and np.all(np.isfinite(first_kernel.numpy()))
    assert float(tf.reduce_max(tf.abs(first_kernel))) > 0


# --- stability: finite for any logits --------------------------------------------------------

logit_lists = st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, width=32),
                       min_size=1, max_size=16)


@settings(max_examples=60, deadline=None)
@given(real=logit_lists, fake=logit_lists, name=st.sampled_from(losses.NAMES))
def test_every_loss_and_its_gradient_are_finite(real, fake, name):
    loss = losses.get(name)
    real_t, fake_t = tf.Variable(_t(real)), tf.Variable(_t(fake))
    with tf.GradientTape(persistent=True) as tape:
        d = loss.discriminator(real_t, fake_t)
        g = loss.generator(fake_t)
    assert np.isfinite(float(d)) and np.isfinite(float(g))
    for grad in tape.gradient(d, [real_t, fake_t]) + [tape.gradient(g, fake_t)]:
        assert np.all(np.isfinite(grad.numpy()))
    assert np.isfinite(float(losses.gan_value(real_t, fake_t)))


@settings(max_examples=30, deadline=None)
@given(logits=logit_lists)
def test_extreme_logits_give_the_limits(logits):
    """Saturated but exact: BCE of a confident right answer is ~0, of a wrong one ~|logit|."""
    x = _t(logits)
    expected = np.mean(np.logaddexp(0.0, np.asarray(logits, np.float64)))  # softplus
    assert float(losses.bce_from_logits(0.0, x)) == pytest.approx(expected, rel=1e-5, abs=1e-6)


# --- gradient descent by hand == the optimizer -----------------------------------------------

def _loss(theta):
    return (theta - 3.0) ** 2 + tf.sin(theta)


def test_hand_sgd_update_equals_keras_sgd_to_the_last_bit():
    lr = 0.1
    theta = tf.Variable(0.5)
    hand = tf.constant(0.5)
    sgd = keras.optimizers.SGD(learning_rate=lr)
    for _ in range(5):
        with tf.GradientTape() as tape:
            loss = _loss(theta)
        grad = tape.gradient(loss, theta)
        hand = hand - tf.constant(lr, tf.float32) * grad  # θ ← θ − α ∂L/∂θ
        sgd.apply_gradients([(grad, theta)])
        assert theta.numpy() == hand.numpy()  # bit for bit, not approximately


def test_hand_adam_update_equals_keras_adam():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
    theta = tf.Variable(0.5)
    adam = keras.optimizers.Adam(learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps)
    hand, m, v = np.float32(0.5), np.float32(0.0), np.float32(0.0)
    f32 = np.float32
    for t in range(1, 6):
        with tf.GradientTape() as tape:
            loss = _loss(theta)
        g = tape.gradient(loss, theta).numpy()
        m = m + (g - m) * f32(1 - b1)
        v = v + (g * g - v) * f32(1 - b2)
        alpha = f32(lr) * np.sqrt(f32(1) - f32(b2) ** f32(t)) / (f32(1) - f32(b1) ** f32(t))
        hand = hand - m * alpha / (np.sqrt(v) + f32(eps))
        adam.apply_gradients([(tf.constant(g), theta)])
        np.testing.assert_allclose(theta.numpy(), hand, rtol=1e-6)
