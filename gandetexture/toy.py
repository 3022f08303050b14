"""A 2-D toy GAN: a ring of Gaussians, small MLPs, one train step for every loss (lesson 03).

The data are points in the plane drawn from ``modes`` Gaussians placed evenly on a circle. A
generator that has learnt them all puts samples near every centre; one that *collapses* puts
them near a few. :func:`count_modes` measures that, so losses can be compared by a number.

Everything is small enough to train in seconds on a CPU: the networks are MLPs with a few
hundred units, the batch is :data:`BATCH` points, and one ``tf.function`` step serves every
loss of :mod:`gandetexture.losses` (the gradient penalty is switched on by the loss itself).

The lesson, the command line (``python -m gandetexture train-toy``) and the runs the package
ships (:func:`gandetexture.pretrained.toy`) all train with :func:`train_all`, so the same seed
gives the same weights::

    runs = toy.train_all("cpu", seed=0, out="runs/toy")   # {loss name: ToyRun}, saved
    runs = toy.load_runs("runs/toy")                      # the same, read back
    toy.scores(runs)                                      # what lesson 03's table prints
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from gandetexture import config, networks, steps, training
from gandetexture import losses as losses_lib

#: Number of Gaussians on the ring, radius of the ring, standard deviation of each Gaussian.
MODES, RADIUS, STD = 8, 2.0, 0.05
#: Points per batch (the same under every profile: the networks are tiny either way).
BATCH = 256
#: Length of the generator's noise vector and width of the hidden layers.
LATENT_DIM, HIDDEN = 8, 64
#: Toy optimizer settings: Adam, larger steps than the image GANs (the toy runs few steps).
LEARNING_RATE, BETA_1, BETA_2 = 1e-3, 0.5, 0.9
KIND, COMMAND = "toy", "train-toy"  #: run folder kind of :func:`train_all`, and its command
SAMPLES = 2000  #: generated points each run is judged on (lesson 03's pictures and table)


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
    reached : int
        Number of modes that are the nearest centre of at least ``min_fraction`` of the
        samples, however far away: few covered but all reached is misplacement, few reached
        is collapse (or, early in training, points that have not spread out yet).
    """

    covered: int
    modes: int
    high_quality: float
    per_mode: np.ndarray
    reached: int


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
    least = max(1, min_fraction * len(points))
    per_mode = np.bincount(nearest[good], minlength=len(centers))
    reached = int((np.bincount(nearest, minlength=len(centers)) >= least).sum())
    return ModeCount(int((per_mode >= least).sum()), len(centers),
                     float(good.mean()) if len(points) else 0.0, per_mode, reached)


def scores(runs: dict[str, ToyRun], seed: int = 0) -> dict[str, dict[str, float]]:
    """What lesson 03's table prints of each run: of :data:`SAMPLES` points
    (:meth:`ToyRun.sample` with ``seed``), ``covered``, ``high_quality`` (a fraction in
    [0, 1]) and ``reached`` of :func:`count_modes`."""
    counts = {name: count_modes(run.sample(SAMPLES, seed)) for name, run in runs.items()}
    return {name: {"covered": c.covered, "high_quality": c.high_quality, "reached": c.reached}
            for name, c in counts.items()}


# ------------------------------------------------------- every loss at once, saved and loaded

def train_all(profile: config.Profile | str, seed: int = 0, steps: int | None = None,
              out: str | Path | None = None, progress: bool = False) -> dict[str, ToyRun]:
    """One run of :func:`train_toy` per loss of :data:`gandetexture.losses.NAMES`, each
    ``steps`` steps (default ``profile.toy_steps``) from the same seed: ``{name: ToyRun}``.

    ``out``: a folder to save them in (:func:`save_runs`), checked before any training; one
    that already holds runs is refused (a ``ValueError``), never overwritten.
    """
    profile = config.resolve_profile(profile)
    count = int(profile.toy_steps if steps is None else steps)
    if count < 1:
        raise ValueError(f"--steps must be at least 1, got {count}")
    if out is not None and (Path(out) / training.RunFolder.RECORD).exists():
        raise ValueError(f"{out} already holds a run; choose another folder")
    runs = {name: train_toy(name, count, seed, progress=progress) for name in losses_lib.NAMES}
    if out is not None:
        save_runs(runs, out, {"profile": profile.name, "seed": seed, "steps": count})
    return runs


def network_files(name: str) -> tuple[str, str]:
    """File names of one loss's generator and discriminator in a folder of :func:`save_runs`."""
    return f"{name}_generator.keras", f"{name}_discriminator.keras"


def save_runs(runs: dict[str, ToyRun], out: str | Path, settings: dict) -> None:
    """Write every run into ``out``: both networks of each loss (:func:`network_files`),
    ``history.json`` (``{name: history}``) and, last, ``run.json`` (kind, settings)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, run in runs.items():
        for network, file in zip((run.generator, run.discriminator), network_files(name)):
            network.save(out / file)
    training.write_json(out / "history.json", {n: run.history for n, run in runs.items()}, None)
    training.write_json(out / training.RunFolder.RECORD, {
        "kind": KIND, "settings": settings, "losses": list(runs), "complete": True})


def load_runs(directory: str | Path) -> dict[str, ToyRun]:
    """The runs :func:`save_runs` wrote (``seconds``: each run's training time then); a
    clear ``ValueError`` naming the folder when there are none."""
    directory = Path(directory)
    try:
        record = json.loads((directory / training.RunFolder.RECORD).read_text())
        if record.get("kind") != KIND:
            raise ValueError(f"it holds a {record.get('kind')!r} run")
        histories = json.loads((directory / "history.json").read_text())
        runs = {}
        for name in record["losses"]:
            generator, discriminator = (keras.saving.load_model(directory / file, compile=False)
                                        for file in network_files(name))
            history = histories[name]
            runs[name] = ToyRun(name, generator, discriminator, history,
                                history["time"][-1] if history["time"] else 0.0)
    except (OSError, ValueError, KeyError, TypeError) as error:
        reason = ("nothing" if not (directory / training.RunFolder.RECORD).is_file()
                  else str(error)[:200])
        raise ValueError(f"{directory}: no trained toy runs here ({reason}); train them with "
                         f"`python -m gandetexture {COMMAND} --out {directory}`") from None
    return runs
