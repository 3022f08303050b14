"""Texture generation with a spatial GAN (lesson 06): one exemplar in, texture of any size out.

The generator is fully convolutional (Spatial GAN, Jetchev et al. 2016; Periodic Spatial GAN,
Bergmann et al. 2017): it maps a *noise field* ``[B, h, w, C]`` to an image
``[B, h·s, w·s, 3]`` with ``s = 2**upsamplings``. Each noise cell holds

- ``local_channels`` values drawn independently at every cell (the texture's detail), and
- ``global_channels`` values drawn once per image and repeated over the field (its variation:
  the same "kind" of brick, lighter or darker grass, ...).

Nothing in the network depends on ``h`` and ``w``, so a model trained on 64×64 crops paints
512×512 images. In *periodic* mode every convolution of the generator pads circularly
(the noise field is treated as a torus), so the output tiles without seams.

The discriminator is fully convolutional too and returns a map of logits, one per patch it
sees (its receptive field), rather than one number per image.

Command line (registered by :func:`add_commands`)::

    python -m gandetexture train-texture --exemplar brick --profile cpu --out runs/brick
    python -m gandetexture generate --model runs/brick --size 512 512 --out brick.png --seed 1
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from gandetexture import training
from gandetexture.config import Profile

CONFIG_FILE = "texture.json"
WEIGHTS_FILE = "generator.weights.h5"
DISCRIMINATOR_WEIGHTS_FILE = "discriminator.weights.h5"


class ExemplarError(ValueError):
    """A user-supplied exemplar cannot be used (unreadable, unknown or too small)."""


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


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
    periodic : bool
        Circular padding in the generator: outputs tile seamlessly.
    steps : int
        Training steps.
    loss : str
        Adversarial loss name for :func:`gandetexture.losses.get`.
    d_batchnorm : bool
        Batch normalization in the discriminator (after its first layer).
    gray : bool
        The generator paints one channel, repeated into R, G and B. Set by
        :func:`train_texture` for grey exemplars (scikit-image's brick, grass and gravel are
        grey): otherwise the smallest colour cast gives generated patches away to the
        discriminator, which then wins on colour alone.
    ema : float
        Decay of the exponential moving average of the generator's weights that is used to
        generate (0 turns it off and generates with the trained weights themselves).
    seed : int
        Seeds the weights, the crops and the noise.
    exemplar : str
        Name or path of the exemplar, for the record (filled in by :func:`train_texture`
        when empty; not used to generate).
    """

    crop: int = 64
    batch_size: int = 8
    width: int = 16
    upsamplings: int = 4
    local_channels: int = 16
    global_channels: int = 8
    periodic: bool = False
    steps: int = 1000
    loss: str = "nonsaturating"
    ema: float = 0.995
    d_batchnorm: bool = True
    gray: bool = False
    seed: int = 0
    exemplar: str = ""

    @property
    def scale(self) -> int:
        """Pixels per noise cell along each axis, ``2**upsamplings``."""
        return 2 ** self.upsamplings

    @property
    def noise_channels(self) -> int:
        return self.local_channels + self.global_channels

    @classmethod
    def from_profile(cls, profile: Profile, **overrides) -> TextureConfig:
        """The configuration lesson 06 and ``train-texture`` use under a profile.

        Crops are ``profile.image_size`` square and training runs ``profile.texture_steps``
        steps. One exemplar's crops are far more alike than the varied images of the other
        lessons, so a quarter of ``profile.batch_size`` (at least 4) and half of
        ``profile.width`` suffice: a cpu-profile run takes minutes on two cores.
        ``overrides`` replace any field.
        """
        crop = int(profile.image_size)
        fields = dict(
            crop=crop,
            batch_size=max(4, int(profile.batch_size) // 4),
            width=max(4, int(profile.width) // 2),
            upsamplings=4 if crop >= 64 else 3,
            steps=int(profile.texture_steps),
        )
        fields.update(overrides)
        return cls(**fields)


# --------------------------------------------------------------------------------------------
# Exemplars
# --------------------------------------------------------------------------------------------


def resolve_exemplar(name_or_path) -> np.ndarray:
    """An exemplar as ``float32 [H, W, 3] in [0, 1]``.

    Parameters
    ----------
    name_or_path : str, path or np.ndarray
        A scikit-image bundled texture (``"brick"``, ``"grass"``, ``"gravel"``), the name of a
        procedural texture family of :mod:`gandetexture.textures` (rendered at 512×512, seed
        0), the path of an image file, or an image array.

    Raises
    ------
    ValueError
        (from :func:`gandetexture.datasets.load_exemplar`) naming the exemplar when it is
        neither a known name nor a readable image file.
    """
    from gandetexture import datasets, textures

    if isinstance(name_or_path, str) and name_or_path in textures.FAMILIES:
        return textures.render(name_or_path, 512, seed=0)
    return datasets.load_exemplar(name_or_path)


def exemplar_label(name_or_path) -> str:
    """A short name for an exemplar: the name itself, a file's stem, or ``"array"``."""
    if isinstance(name_or_path, np.ndarray):
        return "array"
    text = str(name_or_path)
    return Path(text).stem if ("/" in text or Path(text).suffix) else text


def is_gray(image: np.ndarray) -> bool:
    """True when an ``[H, W, 3]`` image has equal R, G and B everywhere."""
    image = np.asarray(image)
    return bool(np.array_equal(image[..., 0], image[..., 1])
                and np.array_equal(image[..., 0], image[..., 2]))


def check_exemplar(image: np.ndarray, crop: int, name: str) -> np.ndarray:
    """Return ``image`` if crops of ``crop × crop`` fit in it, else raise :class:`ExemplarError`."""
    h, w = image.shape[:2]
    if h < crop or w < crop:
        raise ExemplarError(
            f"exemplar {name!r} is {h}×{w} pixels, smaller than the {crop}×{crop} training crop")
    return image


def crop_batches(exemplar: np.ndarray, crop: int, batch_size: int, seed: int = 0,
                 start: int = 0) -> tf.data.Dataset:
    """Endless batches of random crops of one exemplar; batch ``i`` depends only on ``(seed, i)``.

    A thin wrapper of :func:`gandetexture.datasets.exemplar_sampler` that can start at batch
    ``start`` (a resumed run continues with the same crops).

    Returns
    -------
    tf.data.Dataset
        Yields ``float32 [batch_size, crop, crop, 3] in [-1, 1]``.
    """
    from gandetexture import datasets

    data = datasets.exemplar_sampler(np.asarray(exemplar, np.float32), crop, batch_size, seed)
    return data.skip(start) if start else data


# --------------------------------------------------------------------------------------------
# Noise
# --------------------------------------------------------------------------------------------


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
        ``float32 [batch, height, width, local_channels + global_channels]``, standard normal;
        the global channels are constant over each field.
    """
    key = tf.cast(seed, tf.int64) if tf.is_tensor(seed) else tf.constant([int(seed), 0], tf.int64)
    if key.shape.rank == 0:
        key = tf.stack([key, tf.constant(0, tf.int64)])
    local = tf.random.stateless_normal([batch, height, width, config.local_channels], seed=key)
    if global_noise is None:
        global_noise = tf.random.stateless_normal([batch, config.global_channels],
                                                  seed=key + tf.constant([0, 1 << 40], tf.int64))
    glob = tf.broadcast_to(tf.cast(global_noise, tf.float32)[:, None, None, :],
                           [batch, height, width, config.global_channels])
    return tf.concat([local, glob], axis=-1)


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="gandetexture")
class Pad2D(layers.Layer):
    """Pad height and width by ``amount`` pixels: with zeros, by mirroring, or circularly.

    ``"zeros"`` is Keras's ``padding="same"``. ``"mirror"`` repeats the border pixels in
    reverse (no dark frame around generated images). ``"circular"`` treats the image as a
    torus: the pixels left of column 0 are the last columns, so a convolution after it sees no
    border at all, which is what makes periodic outputs tile seamlessly.
    """

    MODES = ("zeros", "mirror", "circular")

    def __init__(self, amount: int = 1, mode: str = "zeros", **kwargs):
        super().__init__(**kwargs)
        if mode not in self.MODES:
            raise ValueError(f"padding mode {mode!r}: choose one of {', '.join(self.MODES)}")
        self.amount, self.mode = int(amount), mode

    def call(self, x):
        p = self.amount
        if self.mode != "circular":
            return tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]],
                          mode="CONSTANT" if self.mode == "zeros" else "SYMMETRIC")
        x = tf.concat([x[:, -p:], x, x[:, :p]], axis=1)
        return tf.concat([x[:, :, -p:], x, x[:, :, :p]], axis=2)

    def get_config(self):
        return {**super().get_config(), "amount": self.amount, "mode": self.mode}


def _conv(x, filters: int, kernel: int, mode: str, name: str, strides: int = 1):
    x = Pad2D(kernel // 2, mode, name=f"{name}_pad")(x)
    return layers.Conv2D(filters, kernel, strides=strides, padding="valid", name=name)(x)


def generator_filters(config: TextureConfig) -> list[int]:
    """Filters of each up-sampling block, coarse to fine: ``width·8, ..., width``."""
    n = config.upsamplings
    return [config.width * min(8, 2 ** (n - 1 - k)) for k in range(n)]


def build_generator(config: TextureConfig) -> keras.Model:
    """The fully convolutional texture generator.

    ``noise [B, h, w, C]`` → 3×3 conv → ``upsamplings`` × (nearest 2× up-sampling, 3×3 conv,
    batch norm, ReLU) → 3×3 conv → tanh. Every convolution pads by mirroring, or circularly in
    periodic mode.

    Returns
    -------
    keras.Model
        ``noise: float32 [B, h, w, C] -> images: float32 [B, h·s, w·s, 3] in [-1, 1]`` with
        ``C = config.noise_channels``, ``s = config.scale``; ``h`` and ``w`` are free.
    """
    mode = "circular" if config.periodic else "mirror"
    noise = keras.Input((None, None, config.noise_channels), name="noise")
    filters = generator_filters(config)
    x = _conv(noise, filters[0], 3, mode, "stem")
    x = layers.ReLU(name="stem_relu")(x)
    for k, f in enumerate(filters):
        x = layers.UpSampling2D(2, interpolation="nearest", name=f"up{k}")(x)
        x = _conv(x, f, 3, mode, f"conv{k}")
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{k}")(x)
        x = layers.ReLU(name=f"relu{k}")(x)
    x = _conv(x, 1 if config.gray else 3, 3, mode, "to_rgb")
    images = layers.Activation("tanh", name="tanh")(x)
    if config.gray:
        images = layers.Concatenate(name="gray_to_rgb")([images, images, images])
    name = "periodic_texture_generator" if config.periodic else "texture_generator"
    return keras.Model(noise, images, name=name)


def build_discriminator(config: TextureConfig) -> keras.Model:
    """The fully convolutional patch discriminator.

    ``upsamplings`` × (5×5 conv with stride 2, LeakyReLU 0.2; batch norm after the first)
    → 3×3 conv to one channel. Every output value judges one patch of the input (its
    receptive field), so an image gets a *map* of logits.

    Returns
    -------
    keras.Model
        ``images: float32 [B, H, W, 3] in [-1, 1] -> logits [B, H/s, W/s, 1]``.
    """
    images = keras.Input((None, None, 3), name="images")
    x = images
    for k in range(config.upsamplings):
        x = _conv(x, config.width * min(8, 2 ** k), 5, "zeros", f"conv{k}", strides=2)
        if k > 0 and config.d_batchnorm:
            x = layers.BatchNormalization(momentum=0.9, name=f"bn{k}")(x)
        x = layers.LeakyReLU(0.2, name=f"lrelu{k}")(x)
    logits = _conv(x, 1, 3, "zeros", "logits")
    return keras.Model(images, logits, name="patch_discriminator")


def receptive_field(model: keras.Model) -> int:
    """Side (in input pixels) of the region one output value of ``model`` depends on.

    Follows the convolution, padding, and up-/down-sampling layers in order; for the generator
    the input unit is one noise cell and the answer is in noise cells.
    """
    field, jump = 1.0, 1.0  # receptive field and input units between neighbouring outputs
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            k, s = layer.kernel_size[0], layer.strides[0]
            field += (k - 1) * jump
            jump *= s
        elif isinstance(layer, layers.UpSampling2D):
            jump /= layer.size[0]
    return int(np.ceil(field))


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def make_texture_step(generator: keras.Model, discriminator: keras.Model,
                      g_optimizer: keras.optimizers.Optimizer,
                      d_optimizer: keras.optimizers.Optimizer, config: TextureConfig,
                      ema_generator: keras.Model | None = None
                      ) -> Callable[[tf.Tensor, tf.Tensor], dict[str, tf.Tensor]]:
    """The spatial GAN train step: one discriminator and one generator update.

    Parameters
    ----------
    ema_generator : keras.Model, optional
        A second generator of the same architecture that follows the trained one's weights
        as an exponential moving average (decay ``config.ema``, shorter at the start). GAN
        weights oscillate around a good solution; their average sits closer to it, so
        samples are drawn from this one.

    Returns
    -------
    callable
        ``step(real_crops: float32 [B, crop, crop, 3] in [-1, 1], step_index: int64 scalar)``
        returning ``{"d_loss", "g_loss", "d_real", "d_fake"}`` (the last two: mean
        probability of "real" over all patches of real and of generated crops). The noise of
        step ``i`` is drawn from ``(config.seed, i)``, so a rerun sees the same noise.
    """
    adversarial = training.plain_adversarial_loss(config.loss)
    cells = config.crop // config.scale

    @tf.function
    def step(real_crops: tf.Tensor, step_index: tf.Tensor) -> dict[str, tf.Tensor]:
        batch = tf.shape(real_crops)[0]
        noise = sample_noise(batch, cells, cells, config,
                             seed=tf.stack([tf.constant(config.seed, tf.int64), step_index]))
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake_crops = generator(noise, training=True)
            real_logits = discriminator(real_crops, training=True)  # one logit per patch
            fake_logits = discriminator(fake_crops, training=True)
            d_loss = adversarial.discriminator(real_logits, fake_logits)  # real → 1, fake → 0
            g_loss = adversarial.generator(fake_logits)  # fake patches → "real"
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        if ema_generator is not None:  # average the weights (and batch-norm statistics)
            t = tf.cast(step_index, tf.float32)
            decay = tf.minimum(config.ema, (1.0 + t) / (10.0 + t))
            for average, weight in zip(ema_generator.weights, generator.weights):
                average.assign(decay * average + (1.0 - decay) * weight)
        return {"d_loss": d_loss, "g_loss": g_loss,
                "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
                "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits))}

    return step


@dataclasses.dataclass
class TextureModel:
    """A trained (or loaded) texture generator with its configuration.

    Attributes
    ----------
    generator : keras.Model
    config : TextureConfig
    history : dict
        Training history from :func:`gandetexture.training.fit` (empty when loaded).
    seconds : float
        Wall time of training in this process (0 when loaded).
    """

    generator: keras.Model
    config: TextureConfig
    history: dict = dataclasses.field(default_factory=dict)
    seconds: float = 0.0
    discriminator: keras.Model | None = None

    def generate(self, height: int, width: int, seed: int = 0, count: int = 1,
                 global_noise=None) -> np.ndarray:
        """Paint ``count`` textures of ``height × width`` pixels; see :func:`generate`."""
        return generate(self.generator, self.config, height, width, seed=seed, count=count,
                        global_noise=global_noise)

    def save(self, directory: str | Path, complete: bool = True) -> Path:
        """Write ``texture.json`` and the generator's weights into ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.generator.save_weights(directory / WEIGHTS_FILE)
        if self.discriminator is not None:
            self.discriminator.save_weights(directory / DISCRIMINATOR_WEIGHTS_FILE)
        record = {"config": dataclasses.asdict(self.config), "complete": complete,
                  "seconds": round(self.seconds, 1)}
        (directory / CONFIG_FILE).write_text(json.dumps(record, indent=2) + "\n")
        return directory


def run_folder(root: str | Path, label: str, config: TextureConfig) -> Path:
    """``root / "<label>-<digest>"``: a run folder named after the exemplar and configuration.

    The digest (8 hex digits of the configuration's SHA-1) changes with any setting, so a run
    with other settings, or from an older version of the package, gets its own folder and is
    never overwritten; the same settings find their finished run again.
    """
    import hashlib

    text = json.dumps(dataclasses.asdict(config), sort_keys=True)
    return Path(root) / f"{label}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def load_texture_model(directory: str | Path) -> TextureModel:
    """Load a model written by :meth:`TextureModel.save` (or ``train-texture``).

    Raises
    ------
    ValueError
        Naming the folder when it holds no trained texture model.
    """
    directory = Path(directory)
    config_file, weights = directory / CONFIG_FILE, directory / WEIGHTS_FILE
    if not config_file.is_file() or not weights.is_file():
        raise ValueError(f"model {str(directory)!r}: no {CONFIG_FILE} and {WEIGHTS_FILE} there; "
                         "train one with `python -m gandetexture train-texture`")
    record = json.loads(config_file.read_text())
    config = TextureConfig(**record["config"])
    generator = build_generator(config)
    generator.load_weights(weights)
    return TextureModel(generator, config)


def train_texture(exemplar, config: TextureConfig, out: str | Path | None = None,
                  progress: bool = True, name: str | None = None,
                  budget_s: float | None = None) -> TextureModel:
    """Train a spatial GAN on random crops of one exemplar with :func:`training.fit`.

    Parameters
    ----------
    exemplar : str, path or np.ndarray
        Name or path (see :func:`resolve_exemplar`), or an image ``float32 [H, W, 3]`` in
        ``[0, 1]``.
    config : TextureConfig
        Sizes, steps and seed.
    out : path, optional
        Run folder. ``fit`` keeps checkpoints (``out/checkpoints``, exact resume), TensorBoard
        logs (``out/logs``) and ``out/history.json`` there; the finished generator is saved as
        ``out/texture.json`` + ``out/generator.weights.h5`` for :func:`load_texture_model`.
        A folder whose run is finished is loaded, not trained again; an interrupted one
        resumes where it stopped.
    name : str, optional
        Name of the exemplar in messages (default: ``exemplar`` when it is a string).
    budget_s : float, optional
        Wall-clock budget for :func:`training.fit` (rerun to continue from the checkpoint).

    Raises
    ------
    ValueError
        When the exemplar cannot be read or is smaller than the crop (naming it), or when
        ``out`` holds a run with another configuration.
    """

    label = name or exemplar_label(exemplar)
    if not config.exemplar:
        config = dataclasses.replace(config, exemplar=label)
    image = exemplar if isinstance(exemplar, np.ndarray) else resolve_exemplar(exemplar)
    if not config.gray and is_gray(image):
        config = dataclasses.replace(config, gray=True)
    check_exemplar(np.asarray(image), config.crop, label)
    if config.crop % config.scale:
        raise ValueError(f"crop {config.crop} is not a multiple of the scale {config.scale}")
    if out is not None:
        out = Path(out)
        record_file = out / CONFIG_FILE
        if record_file.is_file():
            record = json.loads(record_file.read_text())
            if record.get("config") != dataclasses.asdict(config):
                raise ValueError(f"{str(out)!r} holds a texture model trained with another "
                                 "configuration; choose another output folder")
            if record.get("complete") and (out / WEIGHTS_FILE).is_file():
                model = load_texture_model(out)
                history_file = out / "history.json"
                if history_file.is_file():
                    model.history = json.loads(history_file.read_text())
                return model
        out.mkdir(parents=True, exist_ok=True)
        record_file.write_text(json.dumps({"config": dataclasses.asdict(config),
                                           "complete": False}, indent=2) + "\n")

    keras.utils.set_random_seed(config.seed)
    generator = build_generator(config)
    discriminator = build_discriminator(config)
    g_optimizer, d_optimizer = training.adam(), training.adam()
    g_optimizer.build(generator.trainable_variables)  # slots exist before a restore
    d_optimizer.build(discriminator.trainable_variables)
    track = {"generator": generator, "discriminator": discriminator,
             "g_optimizer": g_optimizer, "d_optimizer": d_optimizer}
    ema_generator = None
    if config.ema:
        ema_generator = build_generator(config)
        ema_generator.set_weights(generator.get_weights())
        track["ema_generator"] = ema_generator
    step = make_texture_step(generator, discriminator, g_optimizer, d_optimizer, config,
                             ema_generator)
    data = crop_batches(image, config.crop, config.batch_size, seed=config.seed)
    start = time.perf_counter()
    history = training.fit(
        step, data, config.steps, track=track, directory=out,
        checkpoint_every=max(100, config.steps // 5) if out is not None else 0,
        summary_every=max(10, config.steps // 100) if out is not None else 0,
        budget_s=budget_s, progress=progress, desc=f"texture {label}")
    model = TextureModel(ema_generator or generator, config, history,
                         time.perf_counter() - start, discriminator)
    complete = bool(history["step"]) and history["step"][-1] + 1 >= config.steps
    if out is not None:
        model.save(out, complete=complete)
    return model


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


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
        spatially varying code, e.g. to blend two textures across the image).

    Returns
    -------
    np.ndarray
        ``float32 [count, height, width, 3] in [-1, 1]``.

    Raises
    ------
    ValueError
        For a non-positive size, or a periodic model asked for a size it cannot tile.
    """
    s = config.scale
    if height < 1 or width < 1:
        raise ValueError(f"size {height}×{width}: both must be positive")
    if config.periodic and (height % s or width % s):
        raise ValueError(f"size {height}×{width}: a periodic model tiles only at multiples "
                         f"of {s} pixels")
    h, w = -(-height // s), -(-width // s)
    if global_noise is not None and np.ndim(global_noise) == 4:
        noise = sample_noise(count, h, w, config, seed=seed)
        local = noise[..., :config.local_channels]
        glob = tf.image.resize(tf.cast(global_noise, tf.float32), [h, w], method="bilinear")
        noise = tf.concat([local, glob], axis=-1)
    else:
        noise = sample_noise(count, h, w, config, seed=seed, global_noise=global_noise)
    images = generator(noise, training=False).numpy()
    return images[:, :height, :width]


def interpolate_global(config: TextureConfig, seed_a: int, seed_b: int, steps: int
                       ) -> np.ndarray:
    """Global codes on a straight line between two seeds' codes: ``[steps, global_channels]``."""
    a = sample_noise(1, 1, 1, config, seed=seed_a)[0, 0, 0, config.local_channels:]
    b = sample_noise(1, 1, 1, config, seed=seed_b)[0, 0, 0, config.local_channels:]
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    return (1 - t) * a.numpy()[None] + t * b.numpy()[None]


def horizontal_blend(config: TextureConfig, seed_a: int, seed_b: int, cells_h: int,
                     cells_w: int) -> np.ndarray:
    """A spatially varying global code: seed_a's on the left, seed_b's on the right.

    Returns ``float32 [1, cells_h, cells_w, global_channels]`` ramping linearly over the middle
    half of the width; pass it as ``global_noise`` to :func:`generate`.
    """
    codes = interpolate_global(config, seed_a, seed_b, 2)
    x = np.clip((np.arange(cells_w) + 0.5) / cells_w * 2.0 - 0.5, 0.0, 1.0).astype(np.float32)
    ramp = (1 - x)[:, None] * codes[0][None] + x[:, None] * codes[1][None]
    return np.broadcast_to(ramp[None, None], (1, cells_h, cells_w, config.global_channels)).copy()


def _to_uint8(image: np.ndarray) -> np.ndarray:
    """``float32 [H, W, 3] in [-1, 1]`` to ``uint8 [H, W, 3]`` (rounded, clipped)."""
    return np.clip((np.asarray(image) + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)


def save_png(image: np.ndarray, path: str | Path) -> Path:
    """Write ``float32 [H, W, 3] in [-1, 1]`` as an 8-bit RGB PNG."""
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(_to_uint8(image)).save(path)
    return path


def picker_image(models: dict[str, TextureModel], name: str, seed: int, size: int
                 ) -> np.ndarray:
    """What :func:`texture_picker` shows: one ``size × size`` texture of model ``name``."""
    if name not in models:
        raise ValueError(f"no trained model named {name!r}; choose one of {', '.join(models)}")
    model = models[name]
    side = -(-size // model.config.scale) * model.config.scale
    return model.generate(side, side, seed=int(seed))[0]


def picker_png(models: dict[str, TextureModel], name: str, seed: int, size: int) -> bytes:
    """:func:`picker_image` as PNG bytes (what the widget displays)."""
    import io

    from PIL import Image

    image = picker_image(models, name, seed, size)
    buffer = io.BytesIO()
    Image.fromarray(_to_uint8(image)).save(buffer, format="png")
    return buffer.getvalue()


def texture_picker(models: dict[str, TextureModel], size: int = 256, seed: int = 0):
    """A widget: pick a trained model (exemplar) and a seed, see the texture it paints.

    Parameters
    ----------
    models : dict[str, TextureModel]
        Trained models by exemplar name.
    size : int
        Side of the generated image in pixels.

    Returns
    -------
    ipywidgets.VBox
        A drop-down and a seed slider above the image. Display it as the last expression of
        a cell; ``box.image`` is the image widget and ``box.inputs`` the controls (useful to
        test it without a browser).
    """
    import ipywidgets as widgets

    names = list(models)
    exemplar = widgets.Dropdown(options=names, value=names[0], description="exemplar")
    seed_slider = widgets.IntSlider(value=seed, min=0, max=99, description="seed",
                                    continuous_update=False)
    image = widgets.Image(value=picker_png(models, names[0], seed, size), format="png")

    def changed(_change) -> None:
        image.value = picker_png(models, exemplar.value, seed_slider.value, size)

    exemplar.observe(changed, names="value")
    seed_slider.observe(changed, names="value")
    box = widgets.VBox([widgets.HBox([exemplar, seed_slider]), image])
    box.image, box.inputs = image, {"exemplar": exemplar, "seed": seed_slider}
    return box


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _train_command(args) -> int:
    from gandetexture.config import resolve_profile, set_seed

    profile = resolve_profile(args.profile)
    overrides = {"periodic": bool(args.periodic), "seed": int(args.seed),
                 "exemplar": str(args.exemplar)}
    if args.steps is not None:
        overrides["steps"] = int(args.steps)
    config = TextureConfig.from_profile(profile, **overrides)
    image = resolve_exemplar(args.exemplar)  # errors name the exemplar before TF work
    check_exemplar(image, config.crop, args.exemplar)
    set_seed(args.seed)
    model = train_texture(image, config, out=args.out, progress=not args.quiet,
                          name=args.exemplar)
    print(f"trained {config.steps} steps on {args.exemplar!r} in {model.seconds:.1f} s; "
          f"model in {args.out}")
    return 0


def _generate_command(args) -> int:
    from gandetexture.config import set_seed

    model = load_texture_model(args.model)
    set_seed(args.seed)
    height, width = args.size
    image = model.generate(height, width, seed=args.seed)[0]
    path = save_png(image, args.out)
    print(f"wrote {path} ({height}×{width})")
    return 0


def add_commands(subparsers) -> None:
    """Register ``train-texture`` and ``generate`` on the package's command line."""
    train = subparsers.add_parser(
        "train-texture", help="train a texture generator on one exemplar",
        description="Train a fully convolutional (spatial) GAN on random crops of one "
                    "exemplar and save it into --out.")
    train.add_argument("--exemplar", required=True,
                       help="brick, grass, gravel, a procedural texture name, or an image path")
    train.add_argument("--profile", default="auto", choices=["auto", "smoke", "cpu", "gpu"])
    train.add_argument("--out", required=True, help="folder for the trained model")
    train.add_argument("--periodic", action="store_true",
                       help="circular padding: generated textures tile seamlessly")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--steps", type=int, default=None, help="override the profile's steps")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler=_train_command)

    gen = subparsers.add_parser(
        "generate", help="paint a texture of any size with a trained model",
        description="Generate one texture image with a model saved by train-texture.")
    gen.add_argument("--model", required=True, help="folder written by train-texture")
    gen.add_argument("--size", type=int, nargs=2, metavar=("H", "W"), default=(512, 512))
    gen.add_argument("--out", required=True, help="PNG file to write")
    gen.add_argument("--seed", type=int, default=0)
    gen.set_defaults(handler=_generate_command)
