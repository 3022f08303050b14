"""Texture generation with a spatial GAN (lesson 06): one exemplar in, texture of any size out.

The generator (:func:`gandetexture.networks.build_texture_generator`) is fully convolutional
(Spatial GAN, Jetchev et al. 2016; Periodic Spatial GAN, Bergmann et al. 2017): it maps a
*noise field* ``[B, h, w, C]`` to an image ``[B, h·s, w·s, 3]`` with ``s = 2**upsamplings``.
Each noise cell holds

- ``local_channels`` values drawn independently at every cell (the texture's detail), and
- ``global_channels`` values drawn once per image and repeated over the field (its variation:
  the same "kind" of brick, lighter or darker grass, ...).

Nothing in the network depends on ``h`` and ``w``, so a model trained on 64×64 crops paints
512×512 images. In *periodic* mode every convolution pads circularly, so the output tiles
without seams. Commands: ``train-texture`` and ``generate`` (:mod:`gandetexture.cli`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from gandetexture import exemplars, networks, steps, training
from gandetexture.config import Profile, stateless_key

KIND, COMMAND = "texture model", "train-texture"
UPSAMPLE = ("nearest", "linear")  #: :attr:`TextureConfig.upsample`'s choices


@dataclasses.dataclass(frozen=True)
class TextureConfig:
    """Everything needed to rebuild a texture generator and to repeat its training.

    Attributes
    ----------
    crop : int
        Side of the square training crops (pixels); a multiple of ``2**upsamplings``.
    batch_size : int
        Crops per training step.
    width : int
        Filters of the generator's last block (doubled at each coarser level, up to 8×).
    upsamplings : int
        Number of 2× up-sampling blocks: one noise cell becomes ``2**upsamplings`` pixels.
    local_channels, global_channels : int
        Noise channels drawn per cell and per image.
    fine_noise : int
        Noise channels added at every up-sampled scale (StyleGAN's noise inputs). Drawn per
        cell like the local channels (``fine_noise · 4**k`` for the ``k``-th scale, unfolded
        into ``2**k × 2**k`` pixels in the generator), so whatever draws, blends or
        interpolates noise fields handles them as it does the local ones.
    upsample : str
        ``"nearest"`` (2× nearest up-sampling), or ``"linear"``: the same followed by a fixed
        ``[1, 2, 1]`` blur (:class:`gandetexture.layers.Blur2D`), a linear up-sampling.
    periodic : bool
        Circular padding in the generator: outputs tile seamlessly.
    steps : int
        Training steps.
    loss : str
        Adversarial loss name for :func:`gandetexture.losses.get`.
    r1 : float
        ``γ`` of an R1 penalty at real crops (:func:`gandetexture.losses.r1_penalty`; 0:
        none). Lesson 06 measures it on gravel: steadier seeds, no better mean.
    ema : float
        Decay of the moving average of the generator's weights that generates (0: off).
    d_batchnorm : bool
        Batch normalization in D (after its first layer). Off by default: in training mode it
        normalises each call's features by its own batch's statistics, so what the whole
        generated batch gets wrong together is partly hidden from D (measured in lesson 06).
        Short runs (250 steps) do better with it: see :data:`gandetexture.pretrained.RECIPES`.
    d_spectral_norm : bool
        Spectral normalisation of every convolution of D (Miyato et al. 2018): each kernel
        divided by its largest singular value. Measured as :attr:`r1` is, with the same verdict.
    d_full_res : bool
        A first discriminator layer of stride 1, which sees a 2-pixel checkerboard as one.
    gray : bool
        The generator paints one channel, repeated into R, G and B. Set by
        :func:`train_texture` for grey exemplars (scikit-image's brick, grass and gravel):
        otherwise the smallest colour cast gives generated patches away to D.
    seed : int
        Seeds the weights, the crops and the noise.
    exemplar : str
        Name or path of the exemplar, for the record.
    """

    crop: int = 64
    batch_size: int = 8
    width: int = 16
    upsamplings: int = 4
    local_channels: int = 16
    global_channels: int = 8
    fine_noise: int = 0
    upsample: str = "nearest"
    periodic: bool = False
    steps: int = 1000
    loss: str = "nonsaturating"
    r1: float = 0.0
    ema: float = 0.995
    d_batchnorm: bool = False
    d_spectral_norm: bool = False
    d_full_res: bool = False
    gray: bool = False
    seed: int = 0
    exemplar: str = ""

    def __post_init__(self):
        # train-texture passes these straight through: its errors name the option too
        if self.fine_noise < 0:
            raise ValueError(f"fine_noise {self.fine_noise} (--fine-noise {self.fine_noise}): "
                             "must be 0 or more")
        if not self.r1 >= 0:  # also refuses NaN
            raise ValueError(f"r1 {self.r1} (--r1 {self.r1}): must be 0 or more")
        if self.upsample not in UPSAMPLE:
            raise ValueError(f"upsample {self.upsample!r}: choose one of {', '.join(UPSAMPLE)}")

    @property
    def scale(self) -> int:
        """Pixels per noise cell along each axis, ``2**upsamplings``."""
        return 2 ** self.upsamplings

    @property
    def fine_channels(self) -> int:
        """Cell channels of the fine noise: ``fine_noise · (4 + 16 + … + 4**upsamplings)``."""
        return self.fine_noise * sum(4 ** k for k in range(1, self.upsamplings + 1))

    @property
    def cell_channels(self) -> int:
        """Channels drawn independently at every cell: the local ones, then the fine ones."""
        return self.local_channels + self.fine_channels

    @property
    def noise_channels(self) -> int:
        return self.cell_channels + self.global_channels

    @classmethod
    def from_profile(cls, profile: Profile, **overrides) -> TextureConfig:
        """The configuration lesson 06 and ``train-texture`` use under a profile.

        Crops are twice ``profile.image_size`` (128 px under ``cpu``) and training runs
        ``profile.texture_steps`` steps. The crop must hold the texture's largest element,
        or neither network ever sees one whole: a brick of scikit-image's wall with its
        joints is about 90 px tall (64-px crops paint wavy lines without joints, lesson 06's
        ablation, ``benchmarks/texture_ablation.json``). One exemplar's crops are far more
        alike than the varied images of the other lessons, so an eighth of
        ``profile.batch_size`` (at least 2) and half of ``profile.width`` suffice.
        ``overrides`` replace any field.
        """
        crop = 2 * int(profile.image_size)
        fields = dict(crop=crop, batch_size=max(2, int(profile.batch_size) // 8),
                      width=max(4, int(profile.width) // 2),
                      upsamplings=5 if crop >= 128 else 4, steps=int(profile.texture_steps))
        return cls(**{**fields, **overrides})


def sample_noise(batch: int, height: int, width: int, config: TextureConfig,
                 seed: int | tf.Tensor = 0, global_noise: tf.Tensor | None = None) -> tf.Tensor:
    """A noise field for the generator.

    Parameters
    ----------
    batch, height, width : int
        Number of fields and their size in noise cells (the image is ``scale`` times larger).
    seed : int or int64 tensor of shape [2]
        Stateless seed; the same seed gives the same field.
    global_noise : tensor, optional
        ``[batch, global_channels]``: use these global codes instead of drawing them.

    Returns
    -------
    tf.Tensor
        ``float32 [batch, height, width, cell_channels + global_channels]``, standard normal;
        the global channels (the last ones) are constant over each field.
    """
    key = stateless_key(seed)
    local = tf.random.stateless_normal([batch, height, width, config.cell_channels], seed=key)
    if global_noise is None:
        global_noise = tf.random.stateless_normal([batch, config.global_channels],
                                                  seed=key + tf.constant([0, 1 << 40], tf.int64))
    glob = tf.broadcast_to(tf.cast(global_noise, tf.float32)[:, None, None, :],
                           [batch, height, width, config.global_channels])
    return tf.concat([local, glob], axis=-1)


def make_texture_step(generator: keras.Model, discriminator: keras.Model,
                      g_optimizer: keras.optimizers.Optimizer,
                      d_optimizer: keras.optimizers.Optimizer, config: TextureConfig,
                      ema_generator: keras.Model | None = None,
                      strategy: tf.distribute.Strategy | None = None) -> steps.Step:
    """The spatial GAN's step: :func:`gandetexture.steps.make_step` fed with noise fields.

    ``step(real_crops: float32 [B, crop, crop, 3] in [-1, 1], step_index)`` returns
    ``{"d_loss", "g_loss", "d_real", "d_fake"}`` (D's mean probability of "real" over all
    patches). The noise of step ``i`` is drawn from ``(config.seed, i)``; ``ema_generator``
    follows the trained weights as an average (decay ``config.ema``). ``strategy``: train on
    several devices (see :func:`gandetexture.steps.make_step`).
    """
    cells = config.crop // config.scale

    def noise_fields(real_crops, key):
        return sample_noise(tf.shape(real_crops)[0], cells, cells, config, seed=key), \
            real_crops, None

    return steps.make_step(generator, discriminator, g_optimizer, d_optimizer,
                           loss=config.loss, inputs=noise_fields, seed=config.seed,
                           r1_gamma=config.r1,
                           ema_generator=ema_generator, ema_decay=config.ema,
                           strategy=strategy)


@dataclasses.dataclass
class TextureModel:
    """A trained (or loaded) texture generator, its configuration and training history."""

    generator: keras.Model
    config: TextureConfig
    history: dict = dataclasses.field(default_factory=dict)
    seconds: float = 0.0  #: wall time of training in this process (0 when loaded)
    #: :func:`gandetexture.degrid.fixed_pattern`, measured on first use
    pattern: np.ndarray | None = None

    def generate(self, height: int, width: int, seed: int = 0, count: int = 1,
                 global_noise=None, degrid: bool = False) -> np.ndarray:
        """Paint ``count`` textures of ``height × width`` pixels; see :func:`generate`.

        ``degrid=True``: each painting less the fixed pattern of its own global code
        (:meth:`degrid`; a spatially varying code gets the average pattern).
        """
        images = generate(self.generator, self.config, height, width, seed=seed, count=count,
                          global_noise=global_noise)
        if not degrid:
            return images
        if np.ndim(global_noise) == 4:  # a code per cell, no one code's pattern: the average
            return self.degrid(images)
        codes = global_codes(self.config, count, seed) if global_noise is None else global_noise
        return np.stack([self.degrid(image, code) for image, code in zip(images, codes)])

    def degrid(self, images, code=None) -> np.ndarray:
        """``images`` this model painted, less a fixed pattern (:mod:`gandetexture.degrid`).

        Without ``code``: the pattern averaged over global codes (measured once, then kept).
        With ``code`` (``[global_channels]``, the one they were painted with): that code's own
        pattern, which takes more of the grid away, for 32 more 16 × 16-cell paintings.
        """
        from gandetexture.degrid import fixed_pattern, subtract_pattern  # it imports this

        if code is not None:
            return subtract_pattern(images, fixed_pattern(self.generator, self.config,
                                                          global_code=code))
        if self.pattern is None:
            self.pattern = fixed_pattern(self.generator, self.config)
        return subtract_pattern(images, self.pattern)


def run_folder(root: str | Path, label: str, config: TextureConfig) -> Path:
    """``root / "<label>-<digest>"``: a run folder named after the exemplar and configuration.

    The digest (8 hex digits of the configuration's SHA-1) changes with any setting, so a run
    with other settings gets its own folder and is never overwritten; the same settings find
    their run again (continue or load it with ``resume=True``).
    """
    text = json.dumps(dataclasses.asdict(config), sort_keys=True)
    return Path(root) / f"{label}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def load_texture_model(directory: str | Path) -> TextureModel:
    """Load a model saved by :func:`train_texture`; a clear ``ValueError`` naming the folder
    when it holds none."""
    generator, record = training.RunFolder.load(directory, KIND, COMMAND)
    history_file = Path(directory) / "history.json"
    history = json.loads(history_file.read_text()) if history_file.is_file() else {}
    settings = dict(record["settings"])
    settings.pop("mixed_precision", None)  # how it was trained, not part of the model
    return TextureModel(generator, TextureConfig(**settings), history)


def train_texture(exemplar, config: TextureConfig, out: str | Path | None = None,
                  resume: bool = False, progress: bool = True, name: str | None = None,
                  budget_s: float | None = None,
                  devices: str | int | tf.distribute.Strategy | None = None,
                  mixed_precision: bool = False) -> TextureModel:
    """Train a spatial GAN on random crops of one exemplar.

    Parameters
    ----------
    exemplar : str, path or np.ndarray
        See :func:`gandetexture.exemplars.load`.
    config : TextureConfig
        Sizes, steps and seed (``gray`` is switched on for a grey exemplar).
    out : path, optional
        Run folder (:class:`gandetexture.training.RunFolder`): checkpoints, TensorBoard logs,
        history and the finished generator. A folder with a run in it is continued (or, when
        finished, loaded) only with ``resume=True``.
    budget_s : float, optional
        Wall-clock budget (stops cleanly; rerun with ``resume=True`` to continue).
    devices : int, "all" or tf.distribute.Strategy, optional
        Train on several devices (:func:`gandetexture.training.strategy_for`), the crops of
        a step split between them; ``run.json`` records it beside ``config``.
    mixed_precision : bool
        Train in mixed precision (:func:`gandetexture.training.precision`; not measured on a
        GPU); ``run.json``'s settings record it, and such a run continues only so.

    Raises
    ------
    ValueError
        When the exemplar cannot be read or is smaller than the crop (naming it), or ``out``
        holds a run that is not to be resumed, or one with other settings.
    """
    label = name or exemplars.label(exemplar)
    if not config.exemplar:
        config = dataclasses.replace(config, exemplar=label)
    image = exemplars.load(exemplar)
    if not config.gray and exemplars.is_gray(image):
        config = dataclasses.replace(config, gray=True)
    exemplars.check_size(image, config.crop, label)
    if config.crop % config.scale:
        raise ValueError(f"crop {config.crop} is not a multiple of the scale {config.scale}")
    mixed = {"mixed_precision": True} if mixed_precision else {}  # float32: settings as before
    run = None if out is None else training.RunFolder(
        out, KIND, {**dataclasses.asdict(config), **mixed}, resume=resume)

    strategy = training.strategy_for(devices)
    training.check_batch(config.batch_size, strategy)
    keras.utils.set_random_seed(config.seed)
    with training.scope(strategy), training.precision(mixed_precision):  # mirrored networks,
        generator = networks.build_texture_generator(config)  # optimizer slots and average
        discriminator = networks.build_texture_discriminator(config)
        g_optimizer, d_optimizer = (training.loss_scaled(training.adam(), mixed_precision)
                                    for _ in range(2))
        ema_generator = None
        if config.ema:
            ema_generator = networks.build_texture_generator(config)
            ema_generator.set_weights(generator.get_weights())
        step = make_texture_step(generator, discriminator, g_optimizer, d_optimizer, config,
                                 ema_generator, strategy)
    callbacks = [] if run is None else run.callbacks(
        step.track, every=max(100, config.steps // 5),
        summary_every=max(10, config.steps // 100), budget_s=budget_s)
    if run is None and budget_s is not None:
        callbacks.append(training.TimeBudget(budget_s))
    data = exemplars.sampler(image, config.crop, config.batch_size, seed=config.seed)
    with training.scope(strategy):  # the checkpoint's own variables are mirrored too
        history = training.fit(step, data, config.steps, callbacks=callbacks,
                               progress=progress, desc=f"texture {label}")
    model = TextureModel(ema_generator or generator, config, history,
                         history["time"][-1] if history["time"] else 0.0)
    if run is not None:
        complete = bool(history["step"]) and history["step"][-1] + 1 >= config.steps
        run.save(model.generator, complete=complete, devices=training.replicas(strategy))
    return model


def generate(generator: keras.Model, config: TextureConfig, height: int, width: int,
             seed: int = 0, count: int = 1, global_noise=None) -> np.ndarray:
    """Paint textures of any size.

    Parameters
    ----------
    height, width : int
        Image size in pixels. Non-multiples of ``config.scale`` are generated one cell larger
        and cropped (periodic models need multiples, or they would not tile).
    seed : int
        Same generator, same seed, same image.
    global_noise : array, optional
        ``[count, global_channels]`` global codes, or ``[count, h, w, global_channels]`` (a
        spatially varying code, e.g. :func:`gandetexture.latent.horizontal_blend`).

    Returns
    -------
    np.ndarray
        ``float32 [count, height, width, 3] in [-1, 1]``.
    """
    s = config.scale
    if height < 1 or width < 1:
        raise ValueError(f"size {height}×{width}: both must be positive")
    if config.periodic and (height % s or width % s):
        raise ValueError(f"size {height}×{width}: a periodic model tiles only at multiples "
                         f"of {s} pixels")
    h, w = -(-height // s), -(-width // s)
    if global_noise is not None and np.ndim(global_noise) == 4:
        local = sample_noise(count, h, w, config, seed=seed)[..., :config.cell_channels]
        glob = tf.image.resize(tf.cast(global_noise, tf.float32), [h, w], method="bilinear")
        noise = tf.concat([local, glob], axis=-1)
    else:
        noise = sample_noise(count, h, w, config, seed=seed, global_noise=global_noise)
    images = generator(noise, training=False).numpy()
    return images[:, :height, :width]


def global_codes(config: TextureConfig, count: int, seed: int = 0) -> np.ndarray:
    """The global codes :func:`generate` draws for ``count`` images and ``seed``:
    ``float32 [count, global_channels]`` (the same whatever the size)."""
    return sample_noise(count, 1, 1, config, seed=seed)[:, 0, 0, config.cell_channels:].numpy()
