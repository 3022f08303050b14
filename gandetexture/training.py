"""Training: GAN train steps and the one loop that drives them.

A *train step* is a ``tf.function`` ``step(batch, step_index) -> dict[str, scalar tensor]``
that updates the networks once. :func:`fit` calls a step ``steps`` times with a progress bar,
records the losses, draws previews, stops on NaN/Inf and on an optional wall-clock budget.

Lesson 02 uses :func:`make_gan_step`, the unconditional GAN step with its two tapes in view.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import keras
import tensorflow as tf

from gandetexture import losses as losses_lib

History = dict[str, list[float]]


class TrainingDiverged(RuntimeError):
    """Raised by :func:`fit` when a loss becomes NaN or infinite."""


def adam(learning_rate: float = 2e-4, beta_1: float = 0.5) -> keras.optimizers.Adam:
    """The article's optimizer: Adam(2e-4, β1=0.5), one per network."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1)


def make_gan_step(generator: keras.Model, discriminator: keras.Model,
                  g_optimizer: keras.optimizers.Optimizer,
                  d_optimizer: keras.optimizers.Optimizer,
                  latent_dim: int, loss: str | losses_lib.AdversarialLoss = "nonsaturating",
                  seed: int = 0) -> Callable[[tf.Tensor, tf.Tensor], dict[str, tf.Tensor]]:
    """The unconditional GAN train step: one discriminator and one generator update.

    Parameters
    ----------
    generator : keras.Model
        ``z: [B, latent_dim] -> images [B, H, W, C] in [-1, 1]``.
    discriminator : keras.Model
        ``images -> logits [B, 1]``.
    g_optimizer, d_optimizer : keras.optimizers.Optimizer
        One optimizer per network (each keeps its own moment estimates).
    latent_dim : int
        Length of z.
    loss : str or AdversarialLoss
        See :mod:`gandetexture.losses`.
    seed : int
        The noise of step ``i`` is drawn statelessly from ``(seed, i)``, so a rerun (or a
        resumed run) sees exactly the same noise.

    Returns
    -------
    callable
        ``step(real_images: float32 [B, H, W, C] in [-1, 1], step_index: int64 scalar tensor)``
        returning ``{"d_loss", "g_loss", "d_real", "d_fake"}`` (the last two are the mean
        probabilities D assigns to real and fake images).
    """
    adversarial = losses_lib.get(loss)

    @tf.function
    def step(real_images: tf.Tensor, step_index: tf.Tensor) -> dict[str, tf.Tensor]:
        batch = tf.shape(real_images)[0]
        z = tf.random.stateless_normal([batch, latent_dim],
                                       seed=tf.stack([tf.cast(seed, tf.int64), step_index]))
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake_images = generator(z, training=True)
            real_logits = discriminator(real_images, training=True)
            fake_logits = discriminator(fake_images, training=True)
            d_loss = adversarial.discriminator(real_logits, fake_logits)  # real → 1, fake → 0
            g_loss = adversarial.generator(fake_logits)  # fake → "real"
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss,
                "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
                "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits))}

    return step


def fit(step: Callable[[Any, tf.Tensor], dict[str, tf.Tensor]],
        data: Iterable[Any], steps: int, *, start_step: int = 0,
        preview: Callable[[int], None] | None = None, preview_every: int = 0,
        budget_s: float | None = None, progress: bool = True,
        desc: str = "training") -> History:
    """Run a train step ``steps`` times and return the history of its outputs.

    Parameters
    ----------
    step : callable
        ``step(batch, step_index) -> dict of scalar tensors``, usually a ``tf.function``.
        ``step_index`` is passed as an ``int64`` tensor so the function is traced once.
    data : iterable
        Yields one batch per step (a ``tf.data.Dataset`` that repeats, or an iterator).
    steps : int
        Number of steps to run (from ``start_step``).
    start_step : int
        Index of the first step (for resuming).
    preview : callable, optional
        ``preview(step_index)`` called every ``preview_every`` steps and after the last one.
    budget_s : float, optional
        Wall-clock budget in seconds: stop cleanly after the step that exceeds it.
    progress : bool
        Show a ``tqdm`` progress bar with the live losses.

    Returns
    -------
    dict[str, list[float]]
        One list per output of ``step``, plus ``"step"`` (the step indices) and ``"time"``
        (seconds since the start).

    Raises
    ------
    TrainingDiverged
        When any output is NaN or infinite; the history up to that step is in ``.history``.
    """
    from tqdm.auto import tqdm

    history: History = {"step": [], "time": []}
    iterator: Iterator[Any] = iter(data)
    start = time.perf_counter()
    bar = tqdm(total=steps, desc=desc, disable=not progress, leave=True)
    try:
        for i in range(start_step, start_step + steps):
            outputs = step(next(iterator), tf.constant(i, tf.int64))
            values = {k: float(v) for k, v in outputs.items()}
            history["step"].append(i)
            history["time"].append(time.perf_counter() - start)
            for k, v in values.items():
                history.setdefault(k, []).append(v)
            bad = [k for k, v in values.items() if not math.isfinite(v)]
            if bad:
                error = TrainingDiverged(
                    f"step {i}: {', '.join(bad)} became {values[bad[0]]}; training stopped. "
                    "Try a lower learning rate or another loss.")
                error.history = history  # type: ignore[attr-defined]
                raise error
            bar.update(1)
            if i % 10 == 0 or i == start_step + steps - 1:
                bar.set_postfix({k: f"{v:.3f}" for k, v in values.items()}, refresh=False)
            last = i == start_step + steps - 1
            if preview is not None and ((preview_every and (i + 1) % preview_every == 0) or last):
                preview(i)
            if budget_s is not None and time.perf_counter() - start > budget_s:
                break
    finally:
        bar.close()
    return history
