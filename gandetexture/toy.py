"""A 2-D toy GAN: a ring of Gaussians, small MLPs, one train step for every loss (lesson 03).

The data are points in the plane drawn from ``modes`` Gaussians placed evenly on a circle. A
generator that has learnt them all puts samples near every centre; one that *collapses* puts
them near a few. :func:`count_modes` measures that, so losses can be compared by a number.

Everything is small enough to train in seconds on a CPU: the networks are MLPs with a few
hundred units, the batch is :data:`BATCH` points, and one ``tf.function`` step serves every
loss of :mod:`gandetexture.losses` (the gradient penalty is switched on by the loss itself).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import keras
import numpy as np
import tensorflow as tf

from gandetexture import losses as losses_lib
from gandetexture import networks, steps, training

#: Number of Gaussians on the ring, radius of the ring, standard deviation of each Gaussian.
MODES, RADIUS, STD = 8, 2.0, 0.05
#: Points per batch (the same under every profile: the networks are tiny either way).
BATCH = 256
#: Length of the generator's noise vector and width of the hidden layers.
LATENT_DIM, HIDDEN = 8, 64
#: Toy optimizer settings: Adam, larger steps than the image GANs (the toy runs few steps).
LEARNING_RATE, BETA_1, BETA_2 = 1e-3, 0.5, 0.9


def ring_centers(modes: int = MODES, radius: float = RADIUS) -> np.ndarray:
    """Centres of the ring's Gaussians: ``float32 [modes, 2]``, the first at angle 0."""
    angles = 2.0 * np.pi * np.arange(modes) / modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)


def sample_ring(n: int, seed: int = 0, modes: int = MODES, radius: float = RADIUS,
                std: float = STD) -> np.ndarray:
    """``n`` points from the ring of Gaussians (each mode equally likely).

    Returns
    -------
    np.ndarray
        ``float32 [n, 2]``, coordinates roughly in ``[-radius - 4 std, radius + 4 std]``.
    """
    rng = np.random.default_rng(seed)
    which = rng.integers(0, modes, n)
    points = ring_centers(modes, radius)[which] + std * rng.standard_normal((n, 2))
    return points.astype(np.float32)


def ring_batches(batch_size: int = BATCH, seed: int = 0, **ring: float) -> Iterator[np.ndarray]:
    """Endless batches ``float32 [batch_size, 2]`` from :func:`sample_ring` (one rng, seeded)."""
    rng = np.random.default_rng(seed)
    while True:
        yield sample_ring(batch_size, seed=int(rng.integers(2**31)), **ring)


def make_toy_step(generator: keras.Model, discriminator: keras.Model,
                  g_optimizer: keras.optimizers.Optimizer,
                  d_optimizer: keras.optimizers.Optimizer,
                  loss: str | losses_lib.AdversarialLoss, latent_dim: int = LATENT_DIM,
                  seed: int = 0, d_steps: int = 1) -> steps.Step:
    """The course's one adversarial update (:func:`gandetexture.steps.make_gan_step`) on points.

    Any loss of :mod:`gandetexture.losses` works; WGAN-GP's gradient penalty is added by the
    step itself. ``d_steps > 1`` (WGAN-GP's paper uses 5) runs extra discriminator updates
    first, each on the same real batch with fresh noise.

    Returns
    -------
    callable
        ``step(real: float32 [B, 2], step_index: int64 scalar)`` returning ``{"d_loss",
        "g_loss", "d_real", "d_fake"}``; noise comes from ``(seed, step_index)``.
    """
    return steps.make_gan_step(generator, discriminator, g_optimizer, d_optimizer,
                               latent_dim, loss=loss, seed=seed, d_steps=d_steps)


def _adam() -> keras.optimizers.Adam:
    return keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1, beta_2=BETA_2)


@dataclasses.dataclass
class ToyRun:
    """What :func:`train_toy` returns.

    Attributes
    ----------
    loss : str
        Name of the adversarial loss.
    generator, discriminator : keras.Model
        The trained networks.
    history : dict[str, list[float]]
        From :func:`gandetexture.training.fit` (``d_loss``, ``g_loss``, ``step``, ``time``).
    seconds : float
        Wall time of the training loop.
    """

    loss: str
    generator: keras.Model
    discriminator: keras.Model
    history: dict[str, list[float]]
    seconds: float

    def sample(self, n: int = 2000, seed: int = 0) -> np.ndarray:
        """``n`` generated points ``float32 [n, 2]`` (noise from ``seed``)."""
        z = tf.random.stateless_normal([n, self.generator.input_shape[-1]], seed=[seed, 12345])
        return self.generator(z, training=False).numpy()


def train_toy(loss: str | losses_lib.AdversarialLoss, steps: int, seed: int = 0,
              batch_size: int = BATCH, d_steps: int = 1, progress: bool = False) -> ToyRun:
    """Build fresh networks (seeded) and train them ``steps`` steps with one loss.

    ``d_steps``: discriminator updates per generator update (see :func:`make_toy_step`).

    Every loss gets the same initial weights, the same real batches and the same noise for a
    given ``seed``, so differences between losses come from the losses.
    """
    name = losses_lib.get(loss).name
    keras.utils.set_random_seed(seed)
    generator = networks.build_toy_generator(LATENT_DIM, HIDDEN)
    discriminator = networks.build_toy_discriminator(HIDDEN)
    step = make_toy_step(generator, discriminator, _adam(), _adam(), name, seed=seed,
                         d_steps=d_steps)
    history = training.fit(step, ring_batches(batch_size, seed), steps, progress=progress,
                           desc=name)
    seconds = history["time"][-1] if history["time"] else 0.0
    return ToyRun(name, generator, discriminator, history, seconds)


@dataclasses.dataclass(frozen=True)
class ModeCount:
    """Result of :func:`count_modes`.

    Attributes
    ----------
    covered : int
        Number of modes that received at least ``min_fraction`` of the samples.
    modes : int
        Number of modes of the ring.
    high_quality : float
        Fraction of samples within ``radius_stds`` standard deviations of some centre.
    per_mode : np.ndarray
        ``int [modes]``: high-quality samples near each centre.
    """

    covered: int
    modes: int
    high_quality: float
    per_mode: np.ndarray


def count_modes(points: np.ndarray, centers: np.ndarray | None = None, std: float = STD,
                radius_stds: float = 3.0, min_fraction: float = 0.01) -> ModeCount:
    """How many of the ring's modes a set of generated points covers.

    A point is *high quality* when it lies within ``radius_stds · std`` of its nearest centre
    (the usual criterion of the toy-GAN literature); a mode is *covered* when at least
    ``min_fraction`` of all points are high-quality points near it.

    Parameters
    ----------
    points : array-like
        ``float [N, 2]`` generated points.
    centers : array-like, optional
        ``float [M, 2]`` mode centres (default :func:`ring_centers`).
    """
    points = np.asarray(points, dtype=np.float64)
    centers = ring_centers() if centers is None else np.asarray(centers, dtype=np.float64)
    distances = np.linalg.norm(points[:, None, :] - centers[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    good = distances.min(axis=1) <= radius_stds * std
    per_mode = np.bincount(nearest[good], minlength=len(centers))
    covered = int((per_mode >= max(1, min_fraction * len(points))).sum())
    return ModeCount(covered, len(centers), float(good.mean()) if len(points) else 0.0,
                     per_mode)
