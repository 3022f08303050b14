"""Every network of the course, in one place.

- Lesson 02: the article's MLP generator and discriminator, made right.
- Lesson 03: the small MLPs of the 2-D toy GAN.
- Lessons 04-05: the U-Net generator and PatchGAN discriminator of the texture remover.
- Lesson 06: the fully convolutional texture generator and patch discriminator (spatial GAN).

Helpers: :func:`count_params`, :func:`receptive_field`, :func:`stride_multiple`.

Every network's last layers (logits, the output image) are float32 (``dtype=FINAL``): built
under mixed precision (:func:`gandetexture.training.precision`) the rest computes in float16,
and what losses see stays float32, as TensorFlow's mixed-precision guide advises. Under the
default float32 policy ``dtype=FINAL`` changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import keras
import numpy as np
from keras import layers

from gandetexture.layers import Blur2D, BroadcastConcat, ChannelAffine, Pad2D, UnfoldNoise

if TYPE_CHECKING:  # only for type hints: texture imports this module
    from gandetexture.config import Profile
    from gandetexture.texture import TextureConfig

LATENT_DIM = 100
FINAL = "float32"  #: dtype of every network's last layers, whatever the policy
IMAGE_SHAPE = (32, 32, 3)


# ------------------------------------------------------------------ lesson 02: the article's MLPs

def build_mlp_generator(latent_dim: int = LATENT_DIM,
                        image_shape: tuple[int, int, int] = IMAGE_SHAPE) -> keras.Model:
    """The article's MLP generator: z → 256 → 512 → 1024 → H·W·3 (tanh), reshaped.

    Returns
    -------
    keras.Model
        ``z: float32 [B, latent_dim] -> images: float32 [B, H, W, C] in [-1, 1]``. Hidden
        layers use BatchNormalization(momentum=0.8) and ReLU, as in the article; the output
        layer starts with small weights (N(0, 0.002²)), so that first images are flat.
    """
    z = keras.Input((latent_dim,), name="z")
    x = z
    for units in (256, 512, 1024):
        x = layers.Dense(units)(x)
        x = layers.BatchNormalization(momentum=0.8)(x)
        x = layers.ReLU()(x)
    size = image_shape[0] * image_shape[1] * image_shape[2]
    # A small initial output layer: training starts from flat grey images rather than
    # per-pixel noise, which the discriminator would otherwise reject at once (lesson 02).
    small = keras.initializers.RandomNormal(stddev=0.002)
    x = layers.Dense(size, activation="tanh", kernel_initializer=small, dtype=FINAL)(x)
    images = layers.Reshape(image_shape, dtype=FINAL)(x)
    return keras.Model(z, images, name="mlp_generator")


def build_mlp_discriminator(image_shape: tuple[int, int, int] = IMAGE_SHAPE) -> keras.Model:
    """The article's MLP discriminator, returning logits: flatten → 512 → 256 → 1.

    The article ends in a sigmoid and has BatchNormalization; here the output is a raw logit
    (the loss applies the sigmoid, stably) and the hidden layers use LeakyReLU(0.2) without
    BatchNormalization, so that a batch of real and a batch of fake images are judged
    independently.

    Returns
    -------
    keras.Model
        ``images: float32 [B, H, W, C] in [-1, 1] -> logits: float32 [B, 1]``.
    """
    images = keras.Input(image_shape, name="images")
    x = layers.Flatten()(images)
    for units in (512, 256):
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(0.2)(x)
    logits = layers.Dense(1, name="logit", dtype=FINAL)(x)
    return keras.Model(images, logits, name="mlp_discriminator")


# ------------------------------------------------------------------ lesson 03: the toy MLPs

def _toy_mlp(inputs: int, outputs: int, hidden: int, depth: int, name: str) -> keras.Model:
    x = inp = keras.Input((inputs,))
    for _ in range(depth):
        x = layers.Dense(hidden)(x)
        x = layers.LeakyReLU(0.2)(x)
    return keras.Model(inp, layers.Dense(outputs, dtype=FINAL)(x), name=name)


def build_toy_generator(latent_dim: int = 8, hidden: int = 64, depth: int = 3) -> keras.Model:
    """MLP ``z: float32 [B, latent_dim] -> points float32 [B, 2]`` (no output activation)."""
    return _toy_mlp(latent_dim, 2, hidden, depth, "toy_generator")


def build_toy_discriminator(hidden: int = 64, depth: int = 3) -> keras.Model:
    """MLP ``points float32 [B, 2] -> logits float32 [B, 1]`` (any real number)."""
    return _toy_mlp(2, 1, hidden, depth, "toy_discriminator")


# ------------------------------------------------------------------ lessons 04-05: the remover

def unet_channels(width: int, depth: int) -> list[int]:
    """Filters of the U-Net's levels 1..depth: ``width · 2^(l-1)``, capped at ``8 · width``."""
    return [width * min(2 ** level, 8) for level in range(depth)]


def build_unet_generator(width: int = 32, depth: int = 4, residual: bool = True,
                         channels: int = 3, full_res: bool = True,
                         global_context: bool = False,
                         name: str = "unet_generator") -> keras.Model:
    """The texture remover: a U-Net (pix2pix generator) from a textured image to its structure.

    ``depth`` down-sampling levels (4×4 convolutions, stride 2, BatchNorm, LeakyReLU 0.2), then
    as many up-sampling levels (4×4 transposed convolutions, stride 2, BatchNorm, ReLU), each
    concatenated with the encoder features of the same size (the *skip connections* that carry
    the fine detail of edges past the bottleneck). Fully convolutional: any height and width
    that are multiples of ``2**depth`` work (:func:`gandetexture.remove_texture` pads to that).

    Parameters
    ----------
    width : int
        Filters of the first level; level ``l`` has ``width · 2^(l-1)`` (at most ``8 · width``).
    depth : int
        Number of down-sampling levels (the bottleneck is ``H / 2**depth`` wide).
    residual : bool
        ``True``: output = input + a learned correction (clipped to [-1, 1] by the caller at
        inference); ``False``: output = tanh(last layer), the plain pix2pix head.
    channels : int
        Channels of the input and output images.
    full_res : bool
        ``True``: the last up-sampling returns ``width`` features at full resolution, which
        are concatenated with the input image itself before a 3×3 convolution makes the output
        (the finest texture is only visible at full resolution); ``False``: the pix2pix head.
    global_context : bool
        Add an image-level pathway: the bottleneck is averaged over all positions into a
        ``4 · width`` vector, handed to every position of the decoder (:class:`BroadcastConcat`)
        and setting a per-image gain and offset of each output channel (:class:`ChannelAffine`,
        starting at the identity). A tint laid over the *whole* image is one number per
        channel; convolutions alone only see a window of it.

    Returns
    -------
    keras.Model
        ``textured: float32 [B, H, W, channels] in [-1, 1]`` →
        ``structure: float32 [B, H, W, channels]`` (in [-1, 1] up to the residual's overshoot).
    """
    if depth < 1 or width < 1:
        raise ValueError(f"U-Net needs depth >= 1 and width >= 1, got depth={depth}, "
                         f"width={width}")
    init = keras.initializers.RandomNormal(0.0, 0.02)
    textured = keras.Input((None, None, channels), name="textured")
    x = textured
    skips = []
    for level, filters in enumerate(unet_channels(width, depth)):
        x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=False,
                          kernel_initializer=init, name=f"down{level + 1}_conv")(x)
        if level > 0:  # no normalisation on the first layer, as in pix2pix
            x = layers.BatchNormalization(name=f"down{level + 1}_bn")(x)
        x = layers.LeakyReLU(0.2, name=f"down{level + 1}_act")(x)
        skips.append(x)
    if global_context:
        context = layers.GlobalAveragePooling2D(name="context_pool")(x)
        context = layers.Dense(4 * width, activation="relu", name="context")(context)
        x = BroadcastConcat(name="context_to_decoder")([x, context])
    for level in reversed(range(1, depth)):
        x = layers.Conv2DTranspose(unet_channels(width, depth)[level - 1], 4, strides=2,
                                   padding="same", use_bias=False, kernel_initializer=init,
                                   name=f"up{level}_conv")(x)
        x = layers.BatchNormalization(name=f"up{level}_bn")(x)
        x = layers.ReLU(name=f"up{level}_act")(x)
        x = layers.Concatenate(name=f"up{level}_skip")([x, skips[level - 1]])
    head_init = init if not residual else "zeros"
    if full_res:
        # back to full resolution with `width` features, then see the input itself again:
        # the finest texture (a pixel or two) is only visible there.
        x = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=init, name="up0_conv")(x)
        x = layers.BatchNormalization(name="up0_bn")(x)
        x = layers.ReLU(name="up0_act")(x)
        x = layers.Concatenate(name="up0_skip")([x, textured])
        out = layers.Conv2D(channels, 3, padding="same", kernel_initializer=head_init,
                            name="head")(x)
    else:
        out = layers.Conv2DTranspose(channels, 4, strides=2, padding="same",
                                     kernel_initializer=head_init, name="head")(x)
    if residual:
        out = layers.Add(name="input_plus_correction", dtype=FINAL)([textured, out])
        if global_context:
            affine = layers.Dense(2 * channels, kernel_initializer="zeros",
                                  name="context_affine", dtype=FINAL)(context)
            out = ChannelAffine(name="channel_affine", dtype=FINAL)([out, affine])
    else:
        if global_context:
            out = BroadcastConcat(name="context_to_head")([out, context])
            out = layers.Conv2D(channels, 1, kernel_initializer=init, name="context_head")(out)
        out = layers.Activation("tanh", name="tanh", dtype=FINAL)(out)
    return keras.Model(textured, out, name=name)


def patchgan_layers(depth: int) -> int:
    """Strided layers of the PatchGAN used with a U-Net of ``depth`` levels (1 to 3)."""
    return min(3, max(1, depth - 2))


def build_patchgan_discriminator(width: int = 32, n_down: int = 2, channels: int = 3,
                                 name: str = "patchgan") -> keras.Model:
    """The PatchGAN discriminator, conditioned on the textured input (pix2pix).

    It sees the textured image and a candidate structure side by side (6 channels) and returns
    one logit per overlapping patch: ``n_down`` 4×4 convolutions with stride 2, then two 4×4
    convolutions with stride 1, LeakyReLU 0.2 between them and no normalisation (a batch of real
    pairs and a batch of fake pairs are judged independently). Each logit depends on a square
    window of the input, :func:`receptive_field` pixels wide.

    Returns
    -------
    keras.Model
        ``[textured, candidate]``, each ``float32 [B, H, W, channels] in [-1, 1]`` →
        ``logits: float32 [B, H / 2**n_down, W / 2**n_down, 1]``.
    """
    init = keras.initializers.RandomNormal(0.0, 0.02)
    textured = keras.Input((None, None, channels), name="textured")
    candidate = keras.Input((None, None, channels), name="candidate")
    x = layers.Concatenate(name="pair")([textured, candidate])
    for level in range(n_down):
        x = layers.Conv2D(width * min(2 ** level, 8), 4, strides=2, padding="same",
                          kernel_initializer=init, name=f"down{level + 1}")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(width * min(2 ** n_down, 8), 4, padding="same", kernel_initializer=init,
                      name="patch")(x)
    x = layers.LeakyReLU(0.2)(x)
    logits = layers.Conv2D(1, 4, padding="same", kernel_initializer=init, name="logits",
                           dtype=FINAL)(x)
    return keras.Model([textured, candidate], logits, name=name)


def build_remover(profile: Profile, residual: bool = True, global_context: bool = True
                  ) -> tuple[keras.Model, keras.Model]:
    """The generator and discriminator of lesson 05, sized by ``profile.remover_width`` and
    ``profile.depth`` (see :func:`build_unet_generator`, :func:`build_patchgan_discriminator`)."""
    width = profile.remover_width
    generator = build_unet_generator(width, profile.depth, residual=residual,
                                     global_context=global_context)
    discriminator = build_patchgan_discriminator(width, patchgan_layers(profile.depth))
    return generator, discriminator


# ------------------------------------------------------------------ lesson 06: the spatial GAN

def _padded_conv(x, filters: int, kernel: int, mode: str, name: str, strides: int = 1,
                 dtype: str | None = None, spectral: bool = False):
    x = Pad2D(kernel // 2, mode, name=f"{name}_pad")(x)
    conv = layers.Conv2D(filters, kernel, strides=strides, padding="valid", name=name,
                         dtype=dtype)
    if spectral:  # the kernel divided by its largest singular value at every training call
        conv = layers.SpectralNormalization(conv, name=f"{name}_sn", dtype=dtype)
    return conv(x)


def texture_generator_filters(config: TextureConfig) -> list[int]:
    """Filters of each up-sampling block, coarse to fine: ``width·8, ..., width``."""
    n = config.upsamplings
    return [config.width * min(8, 2 ** (n - 1 - k)) for k in range(n)]


def build_texture_generator(config: TextureConfig) -> keras.Model:
    """The fully convolutional texture generator (Spatial GAN).

    ``noise [B, h, w, C]`` → 3×3 conv → ``upsamplings`` × (nearest 2× up-sampling, 3×3 conv,
    batch norm, ReLU) → 3×3 conv → tanh. Every convolution pads by mirroring, or circularly in
    periodic mode. A grey config paints one channel and repeats it into R, G and B. With
    ``config.fine_noise``, each block adds its own noise at its own scale (:class:`UnfoldNoise`
    of the cell channels after the local ones, through a 1×1 convolution that starts at zero,
    so training starts from the plain generator) before its batch norm.

    Returns
    -------
    keras.Model
        ``noise: float32 [B, h, w, C] -> images: float32 [B, h·s, w·s, 3] in [-1, 1]`` with
        ``C = config.noise_channels``, ``s = config.scale``; ``h`` and ``w`` are free.
    """
    mode = "circular" if config.periodic else "mirror"
    noise = keras.Input((None, None, config.noise_channels), name="noise")
    filters = texture_generator_filters(config)
    stem_input = noise
    if config.fine_noise:  # the stem sees the local and global channels only
        stem_input = layers.Concatenate(name="stem_noise")([
            noise[..., :config.local_channels], noise[..., config.cell_channels:]])
    x = _padded_conv(stem_input, filters[0], 3, mode, "stem")
    x = layers.ReLU(name="stem_relu")(x)
    start = config.local_channels
    for k, f in enumerate(filters):
        x = layers.UpSampling2D(2, interpolation="nearest", name=f"up{k}")(x)
        if config.upsample == "linear":
            x = Blur2D(mode, name=f"blur{k}")(x)
        x = _padded_conv(x, f, 3, mode, f"conv{k}")
        if config.fine_noise:
            block = 2 ** (k + 1)
            fine = UnfoldNoise(start, config.fine_noise, block, name=f"noise{k}")(noise)
            start += config.fine_noise * block ** 2
            x = layers.Add(name=f"add_noise{k}")([x, layers.Conv2D(
                f, 1, use_bias=False, kernel_initializer="zeros", name=f"noise{k}_scale")(fine)])
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{k}")(x)
        x = layers.ReLU(name=f"relu{k}")(x)
    x = _padded_conv(x, 1 if config.gray else 3, 3, mode, "to_rgb")
    images = layers.Activation("tanh", name="tanh", dtype=FINAL)(x)
    if config.gray:
        images = layers.Concatenate(name="gray_to_rgb", dtype=FINAL)([images, images, images])
    name = "periodic_texture_generator" if config.periodic else "texture_generator"
    return keras.Model(noise, images, name=name)


def build_texture_discriminator(config: TextureConfig) -> keras.Model:
    """The fully convolutional patch discriminator of the spatial GAN.

    ``upsamplings`` × (5×5 conv with stride 2, LeakyReLU 0.2; batch norm after the first, when
    ``config.d_batchnorm``) → 3×3 conv to one channel: an image gets a *map* of logits, one
    per patch of :func:`receptive_field` pixels. ``config.d_full_res`` puts a 3×3 conv of
    stride 1 (and LeakyReLU) first, so the finest patterns reach it unfolded.

    Returns
    -------
    keras.Model
        ``images: float32 [B, H, W, 3] in [-1, 1] -> logits [B, H/s, W/s, 1]``.
    """
    images = keras.Input((None, None, 3), name="images")
    x = images
    if config.d_full_res:  # a stride-2 first layer folds a 2-px checkerboard into a constant
        x = layers.LeakyReLU(0.2, name="full_res_lrelu")(
            _padded_conv(x, config.width, 3, "zeros", "full_res"))
    for k in range(config.upsamplings):
        x = _padded_conv(x, config.width * min(8, 2 ** k), 5, "zeros", f"conv{k}", strides=2,
                         spectral=config.d_spectral_norm)
        if k > 0 and config.d_batchnorm:
            x = layers.BatchNormalization(momentum=0.9, name=f"bn{k}")(x)
        x = layers.LeakyReLU(0.2, name=f"lrelu{k}")(x)
    logits = _padded_conv(x, 1, 3, "zeros", "logits", dtype=FINAL,
                          spectral=config.d_spectral_norm)
    return keras.Model(images, logits, name="patch_discriminator")


# ------------------------------------------------------------------ measuring networks

def count_params(model: keras.Model) -> int:
    """Number of trainable parameters of a model."""
    return int(sum(int(w.shape.num_elements()) for w in model.trainable_weights))


def receptive_field(model: keras.Model) -> int:
    """Side, in input units, of the window one output value of a conv stack depends on.

    Walks the layers in order: a convolution (kernel ``k``, stride ``s``) adds ``(k − 1)·j``
    and multiplies ``j`` by ``s``; a 2× up-sampling halves ``j`` (``j``: the distance between
    neighbouring outputs, in input units). For the PatchGAN the unit is a pixel; for the
    texture generator it is one noise cell.
    """
    field, jump = 1.0, 1.0
    for layer in model.layers:
        layer = getattr(layer, "layer", layer)  # the convolution inside a wrapper
        if isinstance(layer, layers.Conv2D):
            field += (layer.kernel_size[0] - 1) * jump
            jump *= layer.strides[0]
        elif isinstance(layer, layers.UpSampling2D):
            jump /= layer.size[0]
    return int(np.ceil(field))


def stride_multiple(generator: keras.Model) -> int:
    """Height and width a U-Net accepts are multiples of this (product of its strides)."""
    multiple = 1
    for layer in generator.layers:
        if isinstance(layer, layers.Conv2D):  # Conv2DTranspose is not a Conv2D in Keras 3
            multiple *= int(layer.strides[0])
    return multiple
