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

With a ``strategy`` (a ``tf.distribute.MirroredStrategy``, see
:func:`gandetexture.training.strategy_for`) the same step trains on several devices: it takes
the same global batch, splits it (:func:`split_batch`) and runs the update on every replica's
share with ``strategy.run``; see :func:`make_step`. With networks built under
:func:`gandetexture.training.precision` and optimizers from
:func:`gandetexture.training.loss_scaled`, it trains in mixed precision (``--mixed-precision``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf

from gandetexture import losses
from gandetexture.config import stateless_key
from gandetexture.training import scope

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

    The warm-up cap ``(1 + t)/(10 + t)`` stays below ``decay`` until ``t ≈ 9/(1 − decay)``
    (1,800 steps for 0.995, 9,000 for 0.999): until then any larger decay gives the same
    average. At the ``cpu`` profile's 4,000 texture steps the cap is 0.9978, so 0.999 and
    0.9995 train identical averages.
    """
    t = tf.cast(step_index, tf.float32)
    d = tf.minimum(decay, (1.0 + t) / (10.0 + t))
    for slow, fast in zip(average.weights, model.weights):
        slow.assign(d * slow + (1.0 - d) * fast)


def make_step(generator: keras.Model, discriminator: keras.Model | None,
              g_optimizer: keras.optimizers.Optimizer,
              d_optimizer: keras.optimizers.Optimizer | None = None, *, inputs: Inputs,
              loss: str | losses.AdversarialLoss = "nonsaturating", l1_weight: float = 0.0,
              ssim_weight: float = 0.0, r1_gamma: float = 0.0, d_steps: int = 1,
              ema_generator: keras.Model | None = None,
              ema_decay: float = 0.995, seed: int = 0, jit_compile: bool | None = None,
              strategy: tf.distribute.Strategy | None = None) -> Step:
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
    ssim_weight : float
        Weight of :func:`gandetexture.losses.ssim_loss` ``(fake, real)`` in the generator's
        loss (0: none, the course's recipe; ``train-remover --ssim-weight``).
    r1_gamma : float
        ``γ`` of the R1 penalty on real samples (:func:`gandetexture.losses.r1_penalty`): the
        critic's loss gains ``γ/2 · E‖∇ D(x)‖²`` (0: none, decided at tracing).
    d_steps : int
        Discriminator updates per generator update (WGAN-GP's paper: 5); the extra ones come
        first, each with its own noise.
    ema_generator : keras.Model, optional
        Follows ``generator`` as an average (:func:`ema_update`, ``ema_decay``).
    jit_compile : bool, optional
        Compile the step with XLA (``benchmarks/train_step.py`` measures when it pays); not
        with a ``strategy``.

    Mixed precision needs nothing here: build the networks in
    :func:`gandetexture.training.precision` and wrap the optimizers with
    :func:`gandetexture.training.loss_scaled`. The step casts logits and images to float32,
    so losses are float32 whatever the networks compute in, and takes each gradient of
    ``optimizer.scale_loss(loss)`` (the loss itself for a plain optimizer); a
    ``LossScaleOptimizer``'s ``apply_gradients`` unscales it. With a strategy, Keras 3's
    ``LossScaleOptimizer`` skips a step when the first replica's gradients are not finite.
    Not measured on a GPU: no profile turns it on.
    strategy : tf.distribute.Strategy, optional
        Train on its replicas (``None``: one device, the plain ``tf.function``). The networks,
        optimizers and ``ema_generator`` must have been created in ``strategy.scope()``. The
        step still takes the *global* batch, whose first axis must divide evenly between the
        replicas: each gets one share (:func:`split_batch`), computes its losses and
        gradients, and the optimizers sum the gradients over replicas (an all-reduce). Each
        loss is a mean over its replica's share, so it is divided by the number of replicas
        before its gradient is taken: the summed gradient is then the gradient of the mean
        over the global batch, as on one device (``tf.nn.compute_average_loss`` does the same
        for per-example losses; the course's losses are already means over the share, and the
        shares are equal). Returned values are means over replicas (``strategy.reduce``).
        BatchNorm statistics are *per replica*, not synchronised: each replica normalises with
        the mean and variance of its own share and updates its own moving averages, so with
        BatchNorm the losses differ slightly from one device's (``tests/test_distribute.py``
        measures by how much); ``ema_generator`` follows the first replica's. Noise keys are
        folded with the replica's index, so replicas draw different noise.

    Returns
    -------
    callable
        ``step(batch, step_index: int64 scalar tensor)`` returning ``d_loss``, the generator's
        loss (``g_loss``, or ``g_adv`` and ``g_l1`` with an L1 term; ``g_ssim`` with an SSIM
        term), and ``d_real`` /
        ``d_fake``, the mean probabilities of "real" D gives real and fake samples.
        ``step.track`` names the networks and optimizers it updates (what a checkpoint holds).
    """
    adversarial = losses.get(loss)
    gp_weight = float(adversarial.gradient_penalty_weight)
    with scope(strategy):  # optimizer slots are mirrored, like the weights they follow
        build_optimizer(g_optimizer, generator)
        if discriminator is not None and d_optimizer is not None:
            build_optimizer(d_optimizer, discriminator)
    if discriminator is None:
        if not l1_weight:  # nothing would be left to train the generator on
            raise ValueError("make_step: without a discriminator the step trains on the L1 "
                             "term alone; give it an l1_weight above 0")
        # the same balance of the two terms as beside an adversarial term
        return _l1_step(generator, g_optimizer, inputs, seed, jit_compile, strategy,
                        ssim_weight / l1_weight if ssim_weight else 0.0)
    if d_optimizer is None:
        raise ValueError("make_step: a discriminator needs its own d_optimizer")

    def judge(images, condition):  # float32 logits, even from a mixed-precision network
        return tf.cast(discriminator(images if condition is None else [condition, images],
                                     training=True), tf.float32)

    def critic_loss(real, fake, condition, gp_key):
        real_logits, fake_logits = judge(real, condition), judge(fake, condition)
        d_loss = adversarial.discriminator(real_logits, fake_logits)  # real → 1, fake → 0
        critic = lambda x: judge(x, condition)  # what the penalties differentiate
        if gp_weight:  # decided once, at tracing: only WGAN-GP pays for the penalty
            d_loss += gp_weight * losses.gradient_penalty(critic, real, fake, gp_key)
        if r1_gamma:
            d_loss += 0.5 * r1_gamma * losses.r1_penalty(critic, real)
        return d_loss, real_logits, fake_logits

    def critic_update(batch, key, gp_key, replicas):
        g_input, real, condition = inputs(batch, key)
        fake = tf.cast(generator(g_input, training=True), tf.float32)
        with tf.GradientTape() as d_tape:
            d_loss = d_optimizer.scale_loss(
                _share(critic_loss(real, fake, condition, gp_key)[0], replicas))
        grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))

    def update(batch, step_index: tf.Tensor, replicas: int) -> dict[str, tf.Tensor]:
        """Both updates from ``batch`` (on a replica: from its share of the global batch)."""
        key, gp_key = _key(seed, step_index, replicas), _key(seed + 1, step_index, replicas)
        for k in range(1, d_steps):  # extra critic updates, unrolled at tracing
            critic_update(batch, tf.random.experimental.stateless_fold_in(key, k),
                          tf.random.experimental.stateless_fold_in(gp_key, k), replicas)
        g_input, real, condition = inputs(batch, key)
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = tf.cast(generator(g_input, training=True), tf.float32)
            d_loss, real_logits, fake_logits = critic_loss(real, fake, condition, gp_key)
            g_adv = adversarial.generator(fake_logits)  # fake → "real"
            if l1_weight:
                g_l1 = losses.l1(fake, real)
                g_loss = g_adv + l1_weight * g_l1
            else:
                g_loss = g_adv
            if ssim_weight:
                g_ssim = losses.ssim_loss(fake, real)
                g_loss += ssim_weight * g_ssim
            # inside the tapes: the division (and the loss scale) is part of what they
            # differentiate
            d_share = d_optimizer.scale_loss(_share(d_loss, replicas))
            g_share = g_optimizer.scale_loss(_share(g_loss, replicas))
        d_grads = d_tape.gradient(d_share, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_share, generator.trainable_variables)
        d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        terms = {"g_adv": g_adv, "g_l1": g_l1} if l1_weight else {"g_loss": g_loss}
        if ssim_weight:
            terms["g_ssim"] = g_ssim
        return {"d_loss": d_loss, **terms,
                "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
                "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits))}

    def average(step_index: tf.Tensor) -> None:
        ema_update(ema_generator, generator, ema_decay, step_index)

    step = _compile(update, strategy, jit_compile,
                    average if ema_generator is not None else None)
    # what a checkpoint of this step must hold (see gandetexture.training.Checkpoint)
    step.track = {"generator": generator, "discriminator": discriminator,
                  "g_optimizer": g_optimizer, "d_optimizer": d_optimizer}
    if ema_generator is not None:
        step.track["ema_generator"] = ema_generator
    return step


def _l1_step(generator: keras.Model, g_optimizer: keras.optimizers.Optimizer, inputs: Inputs,
             seed: int, jit_compile: bool | None,
             strategy: tf.distribute.Strategy | None, ssim_ratio: float = 0.0) -> Step:
    """The generator trained on ``L1(fake, real)`` alone (plus ``ssim_ratio ×``
    :func:`~gandetexture.losses.ssim_loss`): :func:`make_step` without a critic."""

    def update(batch, step_index: tf.Tensor, replicas: int) -> dict[str, tf.Tensor]:
        g_input, real, _ = inputs(batch, _key(seed, step_index, replicas))
        with tf.GradientTape() as g_tape:
            fake = tf.cast(generator(g_input, training=True), tf.float32)
            g_l1 = losses.l1(fake, real)
            terms, g_loss = {"g_l1": g_l1}, g_l1
            if ssim_ratio:
                terms["g_ssim"] = losses.ssim_loss(fake, real)
                g_loss += ssim_ratio * terms["g_ssim"]
            g_share = g_optimizer.scale_loss(_share(g_loss, replicas))
        grads = g_tape.gradient(g_share, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return terms

    step = _compile(update, strategy, jit_compile)
    step.track = {"generator": generator, "g_optimizer": g_optimizer}
    return step


# ------------------------------------------------------------------ one device or several

def _share(loss: tf.Tensor, replicas: int) -> tf.Tensor:
    """A replica's part of the global mean: its own mean over ``1 / replicas`` of the batch,
    divided by ``replicas`` (one device: ``loss`` itself, no op added)."""
    return loss if replicas == 1 else loss / replicas


def _key(seed: int, step_index: tf.Tensor, replicas: int) -> tf.Tensor:
    """The stateless key ``(seed, step_index)``, folded with the replica's index when there
    are several (or every replica would draw the same noise for its share)."""
    key = stateless_key(seed, step_index)
    if replicas == 1:
        return key
    replica = tf.distribute.get_replica_context().replica_id_in_sync_group
    return tf.random.experimental.stateless_fold_in(key, replica)


def split_batch(strategy: tf.distribute.Strategy, batch):
    """One equal share of a global batch per replica of ``strategy``.

    ``batch`` is a tensor ``[B, ...]`` or a tuple of them; replica ``r`` of ``R`` gets rows
    ``r·B/R`` to ``(r + 1)·B/R − 1`` of each, as ``strategy.experimental_distribute_dataset``
    would give them. A batch that is already distributed (``tf.distribute.DistributedValues``,
    from such a dataset) is returned as it is. ``B`` must be a multiple of ``R``.

    Why the trainers feed global batches rather than a distributed dataset: the iterator of
    ``experimental_distribute_dataset`` cannot be checkpointed (``tf.train.Checkpoint``
    refuses it), and the plain ``tf.data`` iterator can, so a run keeps resuming exactly, on
    any number of devices. The cost: each step's shares are copied to their devices when the
    step starts, instead of being prefetched there.
    """
    if any(isinstance(x, tf.distribute.DistributedValues) for x in tf.nest.flatten(batch)):
        return batch
    count = strategy.num_replicas_in_sync

    def share(context: tf.distribute.InputContext):
        return tf.nest.map_structure(
            lambda x: tf.split(x, count)[context.replica_id_in_sync_group], batch)

    return strategy.experimental_distribute_values_from_function(share)


def _compile(update: Callable[[Any, tf.Tensor, int], dict[str, tf.Tensor]],
             strategy: tf.distribute.Strategy | None, jit_compile: bool | None,
             after: Callable[[tf.Tensor], None] | None = None) -> Step:
    """The ``tf.function`` step: ``update(batch, step_index, 1)`` on one device, or on every
    replica of ``strategy`` with its share; then ``after(step_index)`` (the weights' moving
    average), once, in cross-replica context (there a mirrored variable is assigned the same
    value on every device)."""
    if strategy is None:
        @tf.function(jit_compile=jit_compile)
        def step(batch, step_index: tf.Tensor) -> dict[str, tf.Tensor]:
            outputs = update(batch, step_index, 1)
            if after is not None:
                after(step_index)
            return outputs

        return step
    if jit_compile:
        raise ValueError("make_step: jit_compile (XLA) is for one device; it cannot compile "
                         "a step across a strategy's replicas")
    replicas = strategy.num_replicas_in_sync
    mean = tf.distribute.ReduceOp.MEAN

    @tf.function
    def distributed_step(batch, step_index: tf.Tensor) -> dict[str, tf.Tensor]:
        outputs = strategy.run(update, args=(split_batch(strategy, batch), step_index,
                                             replicas))
        if after is not None:
            after(step_index)
        return {name: strategy.reduce(mean, value, axis=None)
                for name, value in outputs.items()}

    return distributed_step


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
                      jit_compile: bool | None = None,
                      strategy: tf.distribute.Strategy | None = None,
                      ssim_weight: float = 0.0) -> Step:
    """The conditional GAN (pix2pix) step of the texture remover (lessons 04, 05).

    ``step((textured, structure), step_index)``, both ``float32 [B, H, W, 3] in [-1, 1]``,
    returning ``{"d_loss", "g_adv", "g_l1", "d_real", "d_fake"}`` (only ``g_l1`` without a
    discriminator). The generator minimises ``adversarial + l1_weight · L1``: the L1 term pins
    the prediction to the right image, the adversarial term pushes it off the blurry mean.
    ``ssim_weight`` adds ``ssim_weight · (1 − SSIM)`` (``g_ssim``; off in the course's
    recipe). ``strategy``: train on several devices (see :func:`make_step`).
    """
    return make_step(generator, discriminator, g_optimizer, d_optimizer, loss=loss,
                     inputs=paired_inputs, l1_weight=l1_weight, ssim_weight=ssim_weight,
                     jit_compile=jit_compile, strategy=strategy)
