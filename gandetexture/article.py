"""Lesson 02's GAN: the article's MLP generator and discriminator on real texture patches.

The lesson, the command line (``python -m gandetexture train-article-gan``) and the model the
package ships (:func:`gandetexture.pretrained.article_gan`) all train it with
:func:`train_gan`, so the same seed gives the same weights::

    from gandetexture import article

    run = article.train_gan("cpu", out="runs/article_gan", seed=0)     # a GanRun
    images = article.samples(run.generator, 64, seed=0)   # float32 [64, 32, 32, 3] in [-1, 1]
    article.scores(run.generator, "cpu", seed=0)          # what lesson 02 measures of it

Networks: :func:`gandetexture.networks.build_mlp_generator` (100 → 256 → 512 → 1024 → 32·32·3)
and :func:`gandetexture.networks.build_mlp_discriminator`; the update:
:func:`gandetexture.steps.make_gan_step`; the loop: :func:`gandetexture.training.fit`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from gandetexture import config, datasets, exemplars, networks, steps, training

KIND, COMMAND = "article-gan", "train-article-gan"  #: RunFolder kind, and the command
TEXTURES = ("brick", "grass", "gravel")  #: the exemplars the real patches are cut from
PATCH = 32  #: side of the patches (the article's 32×32×3)
LATENT_DIM = networks.LATENT_DIM  #: length of the noise vector z
SAMPLE_KEY = 999  #: the samples lesson 02 measures are drawn from the key (seed, 999)


def real_patches(profile: config.Profile | str, seed: int = 0) -> np.ndarray:
    """The training data: ``profile.n_pairs`` random crops of brick, grass and gravel,
    ``float32 [n_pairs, 32, 32, 3] in [-1, 1]``, ordered by exemplar."""
    profile = config.resolve_profile(profile)
    return exemplars.patches(TEXTURES, size=PATCH, count=profile.n_pairs, seed=seed)


def build_gan(seed: int) -> tuple[keras.Model, keras.Model, steps.Step]:
    """Fresh networks (seeded), one Adam(2e-4, β1 = 0.5) each, and the course's GAN step:
    ``(generator, discriminator, step)``; ``step(real [B, 32, 32, 3], step_index)``."""
    config.set_seed(seed)
    generator = networks.build_mlp_generator()
    discriminator = networks.build_mlp_discriminator()
    step = steps.make_gan_step(generator, discriminator, training.adam(), training.adam(),
                               latent_dim=LATENT_DIM, loss="nonsaturating", seed=seed)
    return generator, discriminator, step


@dataclasses.dataclass
class GanRun:
    """What :func:`train_gan` returns: the trained networks, the history of
    :func:`gandetexture.training.fit` (``d_loss``, ``g_loss``, ``d_real``, ``d_fake``,
    ``step``, ``time``) and the training loop's wall time in seconds."""

    generator: keras.Model
    discriminator: keras.Model
    history: dict[str, list[float]]
    seconds: float


def train_gan(profile: config.Profile | str, out: str | Path | None = None,
              steps: int | None = None, resume: bool = False, seed: int = 0,
              real: np.ndarray | None = None, progress: bool = True,
              preview: Callable[[keras.Model, int], None] | None = None,
              preview_every: int = 0, budget_s: float | None = None) -> GanRun:
    """Train the article's GAN: :func:`build_gan`, then ``steps`` updates (default
    ``profile.gan_steps``) on shuffled batches of ``profile.batch_size`` real patches.

    Parameters
    ----------
    real : np.ndarray, optional
        The patches, ``float32 [N, 32, 32, 3] in [-1, 1]`` (default :func:`real_patches`).
    out : str or Path, optional
        Run folder (:class:`gandetexture.training.RunFolder`): checkpoints, TensorBoard logs,
        ``history.json`` and the trained generator; one that holds a run is continued (or,
        finished, loaded) only with ``resume``. ``None`` (the lesson): nothing is written.
    preview : callable, optional
        ``preview(generator, step_index)``, every ``preview_every`` steps and after the last.
    budget_s : float, optional
        Wall-clock budget of the loop (stops cleanly; with ``out``, saves).
    """
    profile = config.resolve_profile(profile)
    count = int(profile.gan_steps if steps is None else steps)
    if count < 1:
        raise ValueError(f"--steps must be at least 1, got {count}")
    run = None if out is None else training.RunFolder(
        out, KIND, {"profile": profile.name, "seed": seed, "steps": count}, resume=resume)
    real = real_patches(profile, seed) if real is None else real
    generator, discriminator, step = build_gan(seed)
    jobs: list[training.Callback] = []
    if preview is not None:
        jobs.append(training.Preview(lambda index: preview(generator, index), preview_every))
    if run is not None:  # checkpoints hold both networks, their optimizers and the data's place
        jobs += run.callbacks(step.track, every=max(100, count // 5), budget_s=budget_s)
    elif budget_s is not None:
        jobs.append(training.TimeBudget(budget_s))
    history = training.fit(step, datasets.image_batches(real, profile.batch_size, seed=seed),
                           count, callbacks=jobs, progress=progress, desc="MLP GAN")
    if run is not None:
        run.save(generator, complete=bool(history["step"]) and history["step"][-1] + 1 >= count)
    return GanRun(generator, discriminator, history, history["time"][-1] if history["time"]
                  else 0.0)


def with_dtype(model: keras.Model, dtype: str) -> keras.Model:
    """A copy of ``model`` whose weights and computations are ``dtype`` (``"float16"``: half
    the bytes on disk, each weight rounded to the nearest float16; ``"float32"``: back, exactly).
    The architecture is read from the model's own config, never restated."""
    def retype(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: retype(item) for key, item in value.items()}
        if isinstance(value, list):
            return [retype(item) for item in value]
        return dtype if value in ("float16", "float32") else value

    copy = keras.Model.from_config(retype(model.get_config()))
    copy.set_weights([weight.astype(dtype) for weight in model.get_weights()])
    return copy


def load_generator(directory: str | Path) -> keras.Model:
    """The generator of a run of :func:`train_gan` (``float32``; a float16 copy, as the package
    ships it, is widened); a clear ``ValueError`` naming the folder when there is none."""
    generator, _ = training.RunFolder.load(directory, KIND, COMMAND)
    return with_dtype(generator, "float32")


def samples(generator: keras.Model, count: int = 64, seed: int = 0) -> np.ndarray:
    """``count`` images of the generator from noise keyed ``(seed, SAMPLE_KEY)``:
    ``float32 [count, 32, 32, 3] in [-1, 1]``."""
    z = tf.random.stateless_normal([count, LATENT_DIM], seed=[seed, SAMPLE_KEY])
    return generator(z, training=False).numpy()


def texture_stats(images) -> tuple[float, float, np.ndarray]:
    """Mean gradient magnitude, std of all pixels, and the std of each patch on its own.

    ``images``: ``float32 [B, H, W, 3] in [-1, 1]``; returns two floats and ``float32 [B]``.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    dy, dx = tf.image.image_gradients(images)
    return (float(tf.reduce_mean(tf.sqrt(dx**2 + dy**2))), float(tf.math.reduce_std(images)),
            tf.math.reduce_std(images, axis=[1, 2, 3]).numpy())


def closest(generator: keras.Model, target: np.ndarray, steps: int,
            seed: int = 0) -> tuple[np.ndarray, float]:
    """The nearest the generator gets to ``target`` (``float32 [1, 32, 32, 3] in [-1, 1]``):
    ``z`` searched by ``steps`` steps of Adam(0.05) on the squared error, from noise keyed
    ``(seed, 7)``. Returns the image ``G(z)`` and its PSNR to the target in dB."""
    z = tf.Variable(tf.random.stateless_normal([1, LATENT_DIM], seed=[seed, 7]))
    optimizer = keras.optimizers.Adam(0.05)

    @tf.function
    def descend() -> None:
        with tf.GradientTape() as tape:
            error = tf.reduce_mean((generator(z, training=False) - target) ** 2)
        optimizer.apply_gradients([(tape.gradient(error, z), z)])

    for _ in range(steps):
        descend()
    image = generator(z, training=False).numpy()
    return image, float(tf.image.psnr((image + 1) / 2, (target + 1) / 2, max_val=1.0)[0])


def search_steps(profile: config.Profile) -> int:
    """Steps of :func:`closest` in lesson 02: a twentieth of ``gan_steps``, at least 20."""
    return max(20, profile.gan_steps // 20)


def last_quarter(history: dict[str, list[float]]) -> dict[str, float]:
    """Mean ``d_loss`` and ``g_loss`` over the last quarter of a run's steps."""
    last = slice(len(history["d_loss"]) * 3 // 4, None)
    return {key: float(np.mean(history[key][last])) for key in ("d_loss", "g_loss")}


def scores(generator: keras.Model, profile: config.Profile | str,
           seed: int = 0) -> dict[str, float]:
    """What lesson 02 measures of a trained generator: of :func:`samples` (64), the mean
    gradient, the std and the median std per patch (:func:`texture_stats`); and ``psnr``,
    how close :func:`closest` gets to a 32×32 crop of the coffee photograph."""
    profile = config.resolve_profile(profile)
    gradient, std, per_patch = texture_stats(samples(generator, 64, seed))
    target = exemplars.patches(["coffee"], size=PATCH, count=1, seed=seed)
    psnr = closest(generator, target, search_steps(profile), seed)[1]
    return {"gradient": gradient, "std": std, "patch_std": float(np.median(per_patch)),
            "psnr": psnr}
