"""Training: GAN train steps and the one loop that drives them.

A *train step* is a ``tf.function`` ``step(batch, step_index) -> dict[str, scalar tensor]``
that updates the networks once. :func:`fit` calls a step ``steps`` times with a progress bar,
records the losses, draws previews, stops on NaN/Inf and on an optional wall-clock budget.

Lesson 02 uses :func:`make_gan_step`, the unconditional GAN step with its two tapes in view;
lessons 04-05 and the ``train-remover`` command use :func:`make_remover_step`, the conditional
(pix2pix) step. With a ``directory``, :func:`fit` checkpoints and resumes exactly (step counter,
networks and optimizers passed as ``track``, data position) and writes TensorBoard summaries.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
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


def plain_adversarial_loss(loss: str | losses_lib.AdversarialLoss) -> losses_lib.AdversarialLoss:
    """Look up a loss for a step that adds no gradient penalty; refuse one that needs it."""
    adversarial = losses_lib.get(loss)
    if adversarial.gradient_penalty_weight:
        raise ValueError(f"this train step adds no gradient penalty, which {adversarial.name!r} "
                         "needs; use gandetexture.toy.make_toy_step or another loss")
    return adversarial


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
    adversarial = plain_adversarial_loss(loss)
    _build_optimizer(g_optimizer, generator)
    _build_optimizer(d_optimizer, discriminator)

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


def _build_optimizer(optimizer: keras.optimizers.Optimizer, model: keras.Model) -> None:
    """Create an optimizer's slot variables now, so a checkpoint can restore them before step 1."""
    if not optimizer.built:
        optimizer.build(model.trainable_variables)


def make_remover_step(generator: keras.Model, discriminator: keras.Model | None,
                      g_optimizer: keras.optimizers.Optimizer,
                      d_optimizer: keras.optimizers.Optimizer | None = None,
                      l1_weight: float = 100.0,
                      loss: str | losses_lib.AdversarialLoss = "nonsaturating",
                      jit_compile: bool | None = None,
                      ) -> Callable[[tuple[tf.Tensor, tf.Tensor], tf.Tensor],
                                    dict[str, tf.Tensor]]:
    """The conditional GAN (pix2pix) train step of the texture remover.

    The generator turns a textured image into a structure; the discriminator judges
    (textured, structure) pairs, real ones from the data and fake ones from the generator.
    The generator minimises ``adversarial + l1_weight · L1(prediction, structure)``: the L1 term
    pins the prediction to the right image, the adversarial term pushes it off the blurry mean.

    Parameters
    ----------
    generator : keras.Model
        ``textured [B, H, W, 3] in [-1, 1] -> structure [B, H, W, 3]``.
    discriminator : keras.Model or None
        ``[textured, candidate] -> patch logits``; ``None`` trains with L1 alone (the ablation).
    g_optimizer, d_optimizer : keras.optimizers.Optimizer
        One per network (``d_optimizer`` unused without a discriminator).
    l1_weight : float
        Weight of the L1 term (pix2pix: 100).
    loss : str or AdversarialLoss
        See :mod:`gandetexture.losses`.
    jit_compile : bool, optional
        Compile the step with XLA (see ``benchmarks/train_step.py`` for when it pays).

    Returns
    -------
    callable
        ``step((textured, structure), step_index)``, both ``float32 [B, H, W, 3] in [-1, 1]``,
        returning ``{"d_loss", "g_adv", "g_l1", "d_real", "d_fake"}`` (without a discriminator
        only ``"g_l1"``); ``d_real``/``d_fake`` are the mean probabilities of "real".
    """
    adversarial = plain_adversarial_loss(loss)
    _build_optimizer(g_optimizer, generator)
    if discriminator is None:
        @tf.function(jit_compile=jit_compile)
        def l1_step(batch: tuple[tf.Tensor, tf.Tensor],
                    step_index: tf.Tensor) -> dict[str, tf.Tensor]:
            textured, structure = batch
            with tf.GradientTape() as g_tape:
                prediction = generator(textured, training=True)
                g_l1 = losses_lib.l1(prediction, structure)
            g_grads = g_tape.gradient(g_l1, generator.trainable_variables)
            g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
            return {"g_l1": g_l1}

        return l1_step
    if d_optimizer is None:
        raise ValueError("make_remover_step: a discriminator needs its own d_optimizer")
    _build_optimizer(d_optimizer, discriminator)

    @tf.function(jit_compile=jit_compile)
    def step(batch: tuple[tf.Tensor, tf.Tensor], step_index: tf.Tensor) -> dict[str, tf.Tensor]:
        textured, structure = batch
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            prediction = generator(textured, training=True)
            real_logits = discriminator([textured, structure], training=True)
            fake_logits = discriminator([textured, prediction], training=True)
            d_loss = adversarial.discriminator(real_logits, fake_logits)
            g_adv = adversarial.generator(fake_logits)
            g_l1 = losses_lib.l1(prediction, structure)
            g_loss = g_adv + l1_weight * g_l1
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        return {"d_loss": d_loss, "g_adv": g_adv, "g_l1": g_l1,
                "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
                "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits))}

    return step


def _plugin_metadata(plugin: str) -> bytes:
    from tensorflow.core.framework import summary_pb2

    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin))
    return metadata.SerializeToString()


def summary_scalar(name: str, value: float | tf.Tensor) -> bool:
    """Write a scalar to the default summary writer (as ``tf.summary.scalar`` does).

    Written with ``tf.summary.write`` and TensorBoard's plugin metadata, so logs are written
    even where the ``tensorboard`` package (needed only to *view* them) is not installed.
    """
    return tf.summary.write(name, tf.cast(value, tf.float32), metadata=_plugin_metadata("scalars"))


def summary_images(name: str, images: Any, max_outputs: int = 4) -> bool:
    """Write images ``float32 [B, H, W, C] in [0, 1]`` to the default summary writer (as PNGs).

    The format of ``tf.summary.image``; see :func:`summary_scalar` for why it is written here.
    """
    images = tf.convert_to_tensor(images, tf.float32)[:max_outputs]
    as_uint8 = tf.image.convert_image_dtype(tf.clip_by_value(images, 0.0, 1.0), tf.uint8,
                                            saturate=True)
    encoded = tf.map_fn(tf.image.encode_png, as_uint8, fn_output_signature=tf.string)
    shape = tf.shape(images)
    tensor = tf.concat([tf.strings.as_string([shape[2], shape[1]]), encoded], axis=0)
    return tf.summary.write(name, tensor, metadata=_plugin_metadata("images"))


def fit(step: Callable[[Any, tf.Tensor], dict[str, tf.Tensor]],
        data: Iterable[Any], steps: int, *, start_step: int = 0,
        track: Mapping[str, Any] | None = None, directory: str | Path | None = None,
        resume: bool = True, checkpoint_every: int = 0, keep: int = 3,
        summary_every: int = 0, on_summary: Callable[[int], None] | None = None,
        preview: Callable[[int], None] | None = None, preview_every: int = 0,
        budget_s: float | None = None, progress: bool = True,
        desc: str = "training") -> History:
    """Run a train step until step ``steps`` and return the history of its outputs.

    The one training loop of the course (lessons 02, 04, 05, 06 and the command line). Without
    ``directory`` it only runs, records, guards and previews; with ``directory`` it also
    checkpoints (and resumes) and writes TensorBoard summaries.

    Parameters
    ----------
    step : callable
        ``step(batch, step_index) -> dict[str, scalar tensor]``, usually a ``tf.function``.
        ``step_index`` is passed as an ``int64`` scalar tensor, so the function is traced once.
    data : tf.data.Dataset or iterable
        Yields one batch per step (a dataset that repeats, or an iterator). A
        ``tf.data.Dataset`` is iterated by ``fit``, and with ``directory`` its iterator is
        checkpointed too (the *data position*: a resumed run sees the batches an uninterrupted
        run would have seen). The iterator's state holds its shuffle buffer: shuffle indices,
        not images, to keep checkpoints small. Other iterables are not checkpointed.
    steps : int
        Index at which training ends: steps ``start .. steps - 1`` run, where ``start`` is the
        restored step counter when resuming, else ``start_step``. ``fit(step, data, 100)`` runs
        100 steps; interrupted at 40 and called again with the same ``directory`` it runs 60 more.
    start_step : int
        Index of the first step when nothing is restored.
    track : dict[str, object], optional
        What a checkpoint holds besides the step counter and the data position: the networks
        and their optimizers, e.g. ``{"generator": g, "discriminator": d, "g_optimizer": g_opt,
        "d_optimizer": d_opt}`` (anything ``tf.train.Checkpoint`` accepts). Build optimizers
        before calling (``optimizer.build(model.trainable_variables)``; the step factories of
        this module do), so their moments are restored before the first step.
    directory : str or Path, optional
        Run folder: checkpoints in ``directory/checkpoints`` (``tf.train.CheckpointManager``,
        the last ``keep``), TensorBoard logs in ``directory/logs``, and ``directory/history.json``
        (the history up to the last checkpoint, so a resumed run returns the whole history).
        Nothing in it is deleted except checkpoints older than the last ``keep``.
    resume : bool
        Restore the latest checkpoint in ``directory`` if there is one (the default). ``False``
        starts from the current weights and step ``start_step``; its checkpoints then replace
        the old ones as the manager rotates them.
    checkpoint_every : int
        Save every this many steps (0: only at the end, on the budget, and before stopping).
        A checkpoint is written only after the step's outputs were checked finite: a NaN never
        reaches the disk.
    keep : int
        Checkpoints kept by the manager.
    summary_every : int
        Write the step's outputs to TensorBoard every this many steps (needs ``directory``;
        0: never), then call ``on_summary``.
    on_summary : callable, optional
        ``on_summary(step_index)`` called inside the summary writer (with its default step set),
        so it can add summaries (validation PSNR/SSIM, sample images) with
        :func:`summary_scalar` and :func:`summary_images` (or ``tf.summary.*`` where the
        ``tensorboard`` package is installed).
    preview : callable, optional
        ``preview(step_index)`` called every ``preview_every`` steps and after the last one.
    preview_every : int
        See ``preview`` (0: only after the last step).
    budget_s : float, optional
        Wall-clock budget in seconds: stop cleanly after the step that exceeds it, saving a
        checkpoint first (with ``directory``). ``history["step"][-1] + 1 < steps`` tells.
    progress : bool
        Show a ``tqdm`` progress bar with the live losses.
    desc : str
        Label of the progress bar.

    Returns
    -------
    dict[str, list[float]]
        One list per output of ``step``, plus ``"step"`` (the step indices) and ``"time"``
        (seconds since the start of this call). With ``directory`` and a restored checkpoint,
        the earlier steps' entries come first (their times are from the earlier run).

    Raises
    ------
    TrainingDiverged
        When any output is NaN or infinite: training stops before saving that state, the last
        good checkpoint stays the latest one, and the message says where it is. The history up
        to that step is in ``error.history``.
    """
    from tqdm.auto import tqdm

    history: History = {"step": [], "time": []}
    is_dataset = isinstance(data, tf.data.Dataset)
    iterator: Iterator[Any] = iter(data)
    manager = writer = None
    checkpoint = None
    start = int(start_step)
    if directory is not None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        counter = tf.Variable(start, dtype=tf.int64, trainable=False, name="step")
        objects = dict(track or {})
        clash = {"step", "data"} & set(objects)
        if clash:
            raise ValueError(f"fit(track=...): the names {sorted(clash)} are reserved")
        if is_dataset:
            objects["data"] = iterator
        checkpoint = tf.train.Checkpoint(step=counter, **objects)
        manager = tf.train.CheckpointManager(checkpoint, directory / "checkpoints",
                                             max_to_keep=keep)
        if resume and manager.latest_checkpoint:
            try:
                checkpoint.restore(manager.latest_checkpoint).expect_partial()
            except (ValueError, tf.errors.OpError) as error:
                first = str(error).strip().splitlines()[0][:200]
                raise ValueError(
                    f"{manager.latest_checkpoint}: this checkpoint does not fit the networks "
                    f"being trained ({first}); train in another directory, or pass "
                    "resume=False to start over there") from None
            start = int(counter.numpy())
            history = _load_history(directory / "history.json", start)
        if summary_every:
            writer = tf.summary.create_file_writer(str(directory / "logs"))

    def save(index: int) -> None:
        if manager is None:
            return
        counter.assign(index)
        manager.save(checkpoint_number=index)
        _save_history(directory / "history.json", history)

    began = time.perf_counter()
    bar = tqdm(total=steps, initial=min(start, steps), desc=desc, disable=not progress,
               leave=True)
    i = start
    try:
        for i in range(start, steps):
            outputs = step(next(iterator), tf.constant(i, tf.int64))
            values = {k: float(v) for k, v in outputs.items()}
            bad = [k for k, v in values.items() if not math.isfinite(v)]
            history["step"].append(i)
            history["time"].append(time.perf_counter() - began)
            for k, v in values.items():
                history.setdefault(k, []).append(v)
            if bad:
                kept = (f"; the last good checkpoint is {manager.latest_checkpoint}"
                        if manager is not None and manager.latest_checkpoint else "")
                error = TrainingDiverged(
                    f"step {i}: {', '.join(bad)} became {values[bad[0]]}; training stopped "
                    f"without saving this state{kept}. Try a lower learning rate or another "
                    "loss.")
                error.history = history  # type: ignore[attr-defined]
                raise error
            bar.update(1)
            last = i == steps - 1
            if i % 10 == 0 or last:
                bar.set_postfix({k: f"{v:.3f}" for k, v in values.items()}, refresh=False)
            if writer is not None and ((i + 1) % summary_every == 0 or last):
                with writer.as_default(step=i + 1):
                    for k, v in values.items():
                        summary_scalar(k, v)
                    if on_summary is not None:
                        on_summary(i)
                writer.flush()
            if preview is not None and ((preview_every and (i + 1) % preview_every == 0) or last):
                preview(i)
            over_budget = budget_s is not None and time.perf_counter() - began > budget_s
            if manager is not None and (last or over_budget or (
                    checkpoint_every and (i + 1) % checkpoint_every == 0)):
                save(i + 1)
            if over_budget:
                break
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    return history


def _save_history(path: Path, history: History) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(history))
    os.replace(tmp, path)


def _load_history(path: Path, start: int) -> History:
    """The saved history's entries of steps before ``start`` (empty if none is readable)."""
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return {"step": [], "time": []}
    keep = sum(1 for s in saved.get("step", []) if s < start)
    return {k: list(v[:keep]) for k, v in saved.items()}
