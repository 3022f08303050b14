"""The adversarial update: one train step for every GAN of the course.

:func:`make_step` builds a ``tf.function`` ``step(batch, step_index) -> dict[str, scalar]`` that
updates a discriminator and a generator once, with their two ``tf.GradientTape`` s in view.
What differs between the course's GANs is only *what goes in*, given by ``inputs``:

============================ ========================= ===================================
GAN (lesson)                 generator input           discriminator judges
============================ ========================= ===================================
article MLP GAN (02)         noise ``z``               images
toy GAN (03)                 noise ``z``               2-D points
texture remover (04, 05)     the textured image        (textured, candidate) pairs
texture GAN (06)             a noise field             every patch of an image
============================ ========================= ===================================

Options: an L1 term that pins the generator's output to the target (pix2pix), WGAN-GP's
gradient penalty (switched on by the loss itself), extra critic updates, and an exponential
moving average of the generator's weights (:func:`ema_update`). Noise is drawn statelessly
from ``(seed, step_index)``, so a rerun or a resumed run sees exactly the same noise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf

from gandetexture import losses
from gandetexture.config import stateless_key

Step = Callable[[Any, tf.Tensor], dict[str, tf.Tensor]]
#: ``inputs(batch, key) -> (generator_input, real, condition)``; ``key`` is a stateless seed
#: ``int64 [2]`` for the step's noise; ``condition`` is ``None`` for an unconditional GAN.
Inputs = Callable[[Any, tf.Tensor], tuple[Any, tf.Tensor, tf.Tensor | None]]


def build_optimizer(optimizer: keras.optimizers.Optimizer, model: keras.Model) -> None:
    """Create an optimizer's slot variables now, so a checkpoint can restore them before step 1."""
    if not optimizer.built:
        optimizer.build(model.trainable_variables)


def ema_update(average: keras.Model, model: keras.Model, decay: float,
               step_index: tf.Tensor) -> None:
    """Move ``average``'s weights (batch-norm statistics included) towards ``model``'s.

    ``average ← d · average + (1 − d) · model`` with ``d = min(decay, (1 + t) / (10 + t))`` at
    step ``t``: a short memory at the start, ``decay`` later. GAN weights oscillate around a
    good solution; their average sits closer to it, so samples are drawn from ``average``.
    """
    t = tf.cast(step_index, tf.float32)
    d = tf.minimum(decay, (1.0 + t) / (10.0 + t))
    for slow, fast in zip(average.weights, model.weights):
        slow.assign(d * slow + (1.0 - d) * fast)


def make_step(generator: keras.Model, discriminator: keras.Model | None,
              g_optimizer: keras.optimizers.Optimizer,
              d_optimizer: keras.optimizers.Optimizer | None = None, *, inputs: Inputs,
              loss: str | losses.AdversarialLoss = "nonsaturating", l1_weight: float = 0.0,
              d_steps: int = 1, ema_generator: keras.Model | None = None,
              ema_decay: float = 0.995, seed: int = 0, jit_compile: bool | None = None) -> Step:
    """The one adversarial train step.

    Parameters
    ----------
    generator, discriminator : keras.Model
        ``discriminator=None`` trains the generator on the L1 term alone (an ablation).
    g_optimizer, d_optimizer : keras.optimizers.Optimizer
        One per network: each keeps its own moment estimates.
    inputs : callable
        ``inputs(batch, key) -> (generator_input, real, condition)`` (see :data:`Inputs`). A
        conditional discriminator is called as ``discriminator([condition, images])``.
    loss : str or AdversarialLoss
        See :func:`gandetexture.losses.get`. WGAN-GP adds its gradient penalty in the critic's
        tape, drawn from ``(seed + 1, step_index)``.
    l1_weight : float
        Weight of ``L1(fake, real)`` in the generator's loss (pix2pix: 100; 0: none).
    d_steps : int
        Discriminator updates per generator update (WGAN-GP's paper: 5); the extra ones come
        first, each with its own noise.
    ema_generator : keras.Model, optional
        Follows ``generator`` as an average (:func:`ema_update`, ``ema_decay``).
    jit_compile : bool, optional
        Compile the step with XLA (``benchmarks/train_step.py`` measures when it pays).

    Returns
    -------
    callable
        ``step(batch, step_index: int64 scalar tensor)`` returning ``d_loss``, the generator's
        loss (``g_loss``, or ``g_adv`` and ``g_l1`` with an L1 term), and ``d_real`` /
        ``d_fake``, the mean probabilities of "real" D gives real and fake samples.
        ``step.track`` names the networks and optimizers it updates (what a checkpoint holds).
    """
    adversarial = losses.get(loss)
    gp_weight = float(adversarial.gradient_penalty_weight)
    build_optimizer(g_optimizer, generator)
    if discriminator is None:
        return _l1_step(generator, g_optimizer, inputs, seed, jit_compile)
    if d_optimizer is None:
        raise ValueError("make_step: a discriminator needs its own d_optimizer")
    build_optimizer(d_optimizer, discriminator)

    def judge(images, condition):
        return discriminator(images if condition is None else [condition, images],
                             training=True)

    def critic_loss(real, fake, condition, gp_key):
        real_logits, fake_logits = judge(real, condition), judge(fake, condition)
        d_loss = adversarial.discriminator(real_logits, fake_logits)  # real → 1, fake → 0
        if gp_weight:  # decided once, at tracing: only WGAN-GP pays for the penalty
            d_loss += gp_weight * losses.gradient_penalty(
                lambda x: judge(x, condition), real, fake, gp_key)
        return d_loss, real_logits, fake_logits

    def critic_update(batch, key, gp_key):
        g_input, real, condition = inputs(batch, key)
        fake = generator(g_input, training=True)
        with tf.GradientTape() as d_tape:
            d_loss, _, _ = critic_loss(real, fake, condition, gp_key)
        grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))

    @tf.function(jit_compile=jit_compile)
    def step(batch, step_index: tf.Tensor) -> dict[str, tf.Tensor]:
        key, gp_key = stateless_key(seed, step_index), stateless_key(seed + 1, step_index)
        for k in range(1, d_steps):  # extra critic updates, unrolled at tracing
            critic_update(batch, tf.random.experimental.stateless_fold_in(key, k),
                          tf.random.experimental.stateless_fold_in(gp_key, k))
        g_input, real, condition = inputs(batch, key)
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = generator(g_input, training=True)
            d_loss, real_logits, fake_logits = critic_loss(real, fake, condition, gp_key)
            g_adv = adversarial.generator(fake_logits)  # fake → "real"
            if l1_weight:
                g_l1 = losses.l1(fake, real)
                g_loss = g_adv + l1_weight * g_l1
            else:
                g_loss = g_adv
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        if ema_generator is not None:
            ema_update(ema_generator, generator, ema_decay, step_index)
        terms = {"g_adv": g_adv, "g_l1": g_l1} if l1_weight else {"g_loss": g_loss}
        return {"d_loss": d_loss, **terms,
                "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
                "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits))}

    # what a checkpoint of this step must hold (see gandetexture.training.Checkpoint)
    step.track = {"generator": generator, "discriminator": discriminator,
                  "g_optimizer": g_optimizer, "d_optimizer": d_optimizer}
    if ema_generator is not None:
        step.track["ema_generator"] = ema_generator
    return step


def _l1_step(generator: keras.Model, g_optimizer: keras.optimizers.Optimizer, inputs: Inputs,
             seed: int, jit_compile: bool | None) -> Step:
    """The generator trained on ``L1(fake, real)`` alone: :func:`make_step` without a critic."""

    @tf.function(jit_compile=jit_compile)
    def step(batch, step_index: tf.Tensor) -> dict[str, tf.Tensor]:
        g_input, real, _ = inputs(batch, stateless_key(seed, step_index))
        with tf.GradientTape() as g_tape:
            g_l1 = losses.l1(generator(g_input, training=True), real)
        grads = g_tape.gradient(g_l1, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return {"g_l1": g_l1}

    step.track = {"generator": generator, "g_optimizer": g_optimizer}
    return step


def noise_inputs(latent_dim: int) -> Inputs:
    """``inputs`` of an unconditional GAN on vectors: ``z ~ N(0, 1)`` of ``[B, latent_dim]``."""

    def inputs(real, key):
        z = tf.random.stateless_normal([tf.shape(real)[0], latent_dim], seed=key)
        return z, real, None

    return inputs


def paired_inputs(batch, key):
    """``inputs`` of the conditional GAN: ``(textured, structure)`` → G sees ``textured``, D
    judges ``(textured, candidate)`` pairs, and the target of L1 is ``structure``."""
    textured, structure = batch
    return textured, structure, textured


def make_gan_step(generator: keras.Model, discriminator: keras.Model,
                  g_optimizer: keras.optimizers.Optimizer,
                  d_optimizer: keras.optimizers.Optimizer, latent_dim: int,
                  loss: str | losses.AdversarialLoss = "nonsaturating", seed: int = 0,
                  d_steps: int = 1) -> Step:
    """The unconditional GAN step (lessons 02, 03): ``step(real [B, ...], step_index)``
    returning ``{"d_loss", "g_loss", "d_real", "d_fake"}``; see :func:`make_step`."""
    return make_step(generator, discriminator, g_optimizer, d_optimizer, loss=loss,
                     inputs=noise_inputs(latent_dim), seed=seed, d_steps=d_steps)


def make_remover_step(generator: keras.Model, discriminator: keras.Model | None,
                      g_optimizer: keras.optimizers.Optimizer,
                      d_optimizer: keras.optimizers.Optimizer | None = None,
                      l1_weight: float = 100.0,
                      loss: str | losses.AdversarialLoss = "nonsaturating",
                      jit_compile: bool | None = None) -> Step:
    """The conditional GAN (pix2pix) step of the texture remover (lessons 04, 05).

    ``step((textured, structure), step_index)``, both ``float32 [B, H, W, 3] in [-1, 1]``,
    returning ``{"d_loss", "g_adv", "g_l1", "d_real", "d_fake"}`` (only ``g_l1`` without a
    discriminator). The generator minimises ``adversarial + l1_weight · L1``: the L1 term pins
    the prediction to the right image, the adversarial term pushes it off the blurry mean.
    """
    return make_step(generator, discriminator, g_optimizer, d_optimizer, loss=loss,
                     inputs=paired_inputs, l1_weight=l1_weight, jit_compile=jit_compile)
