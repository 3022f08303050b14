"""Networks of the course.

Lesson 02: the article's MLP generator and discriminator, made right.
Lessons 04-05: the U-Net generator and PatchGAN discriminator of the texture remover.
"""

from __future__ import annotations

import keras
from keras import layers

LATENT_DIM = 100
IMAGE_SHAPE = (32, 32, 3)


def build_mlp_generator(latent_dim: int = LATENT_DIM,
                        image_shape: tuple[int, int, int] = IMAGE_SHAPE) -> keras.Model:
    """The article's MLP generator: z → 256 → 512 → 1024 → H·W·3 (tanh), reshaped.

    Parameters
    ----------
    latent_dim : int
        Length of the noise vector z.
    image_shape : (H, W, C)
        Shape of one generated image.

    Returns
    -------
    keras.Model
        Maps ``z: float32 [B, latent_dim]`` to ``images: float32 [B, H, W, C] in [-1, 1]``.
        Hidden layers use BatchNormalization(momentum=0.8) and ReLU, as in the article; the
        output layer starts with small weights (N(0, 0.002²)), so that first images are flat.
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
    x = layers.Dense(size, activation="tanh", kernel_initializer=small)(x)
    images = layers.Reshape(image_shape)(x)
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
        Maps ``images: float32 [B, H, W, C] in [-1, 1]`` to ``logits: float32 [B, 1]``
        (any real number; ``sigmoid(logit)`` is the probability of "real").
    """
    images = keras.Input(image_shape, name="images")
    x = layers.Flatten()(images)
    for units in (512, 256):
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(0.2)(x)
    logits = layers.Dense(1, name="logit")(x)
    return keras.Model(images, logits, name="mlp_discriminator")


def count_params(model: keras.Model) -> int:
    """Number of trainable parameters of a model."""
    return int(sum(int(w.shape.num_elements()) for w in model.trainable_weights))


# ---------------------------------------------------------------------------------------------
# Lesson 04-05: the conditional GAN (pix2pix) that removes texture.
# ---------------------------------------------------------------------------------------------

def unet_channels(width: int, depth: int) -> list[int]:
    """Filters of the U-Net's levels 1..depth: ``width · 2^(l-1)``, capped at ``8 · width``."""
    return [width * min(2 ** level, 8) for level in range(depth)]


class BroadcastConcat(layers.Layer):
    """Concatenate a per-image vector to every position of a feature map.

    ``[features: [B, H, W, C], vector: [B, K]] -> [B, H, W, C + K]``.
    """

    def call(self, inputs):
        features, vector = inputs
        shape = keras.ops.shape(features)
        tiled = keras.ops.broadcast_to(vector[:, None, None, :],
                                       (shape[0], shape[1], shape[2], vector.shape[-1]))
        return keras.ops.concatenate([features, tiled], axis=-1)


class ChannelAffine(layers.Layer):
    """Per-image, per-channel gain and offset: ``image · (1 + gain) + offset``.

    ``[image: [B, H, W, C], params: [B, 2C]]`` (gains first) ``-> [B, H, W, C]``; zero
    ``params`` leave the image unchanged.
    """

    def call(self, inputs):
        image, params = inputs
        channels = image.shape[-1]
        gain = params[:, None, None, :channels]
        offset = params[:, None, None, channels:]
        return image * (1.0 + gain) + offset


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
        (the finest texture is only visible at full resolution); ``False``: the pix2pix head,
        one transposed convolution straight to the output.
    global_context : bool
        Add an image-level pathway: the bottleneck is averaged over all positions into a
        ``4 · width`` vector (:class:`keras.layers.GlobalAveragePooling2D` and a dense layer),
        which is handed to every position of the decoder (:class:`BroadcastConcat`) and sets a
        per-image gain and offset of each output channel (:class:`ChannelAffine`, starting at
        the identity). A tint or a contrast change laid over the *whole* image is one number
        per channel; convolutions alone only see a window of it.

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
    if full_res:
        # back to full resolution with `width` features, then see the input itself again:
        # the finest texture (a pixel or two) is only visible there.
        x = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=init, name="up0_conv")(x)
        x = layers.BatchNormalization(name="up0_bn")(x)
        x = layers.ReLU(name="up0_act")(x)
        x = layers.Concatenate(name="up0_skip")([x, textured])
        out = layers.Conv2D(channels, 3, padding="same",
                            kernel_initializer=init if not residual else "zeros",
                            name="head")(x)
    else:
        out = layers.Conv2DTranspose(channels, 4, strides=2, padding="same",
                                     kernel_initializer=init if not residual else "zeros",
                                     name="head")(x)
    if residual:
        out = layers.Add(name="input_plus_correction")([textured, out])
        if global_context:
            affine = layers.Dense(2 * channels, kernel_initializer="zeros",
                                  name="context_affine")(context)
            out = ChannelAffine(name="channel_affine")([out, affine])
    else:
        if global_context:
            out = BroadcastConcat(name="context_to_head")([out, context])
            out = layers.Conv2D(channels, 1, kernel_initializer=init, name="context_head")(out)
        out = layers.Activation("tanh", name="tanh")(out)
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
    logits = layers.Conv2D(1, 4, padding="same", kernel_initializer=init, name="logits")(x)
    return keras.Model([textured, candidate], logits, name=name)


def receptive_field(model: keras.Model) -> int:
    """Width in pixels of the input window that one output of a plain conv stack depends on.

    Walks the model's convolution layers in order: ``r ← r + (k − 1)·j``, ``j ← j·s``
    (kernel ``k``, stride ``s``, ``j`` the distance between neighbouring outputs in input pixels).
    """
    field, jump = 1, 1
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            kernel, stride = layer.kernel_size[0], layer.strides[0]
            field += (kernel - 1) * jump
            jump *= stride
    return field


def remover_width(profile) -> int:
    """Base width of the remover's networks: ``profile.remover_width``, else ``profile.width``."""
    return int(getattr(profile, "remover_width", 0) or profile.width)


def build_remover(profile, residual: bool = True, global_context: bool = True
                  ) -> tuple[keras.Model, keras.Model]:
    """The generator and discriminator of lesson 05 sized by a profile.

    Parameters
    ----------
    profile : gandetexture.Profile
        Uses :func:`remover_width` and ``profile.depth``.

    Returns
    -------
    (generator, discriminator)
        See :func:`build_unet_generator` and :func:`build_patchgan_discriminator`.
    """
    width = remover_width(profile)
    generator = build_unet_generator(width, profile.depth, residual=residual,
                                     global_context=global_context)
    discriminator = build_patchgan_discriminator(width, patchgan_layers(profile.depth))
    return generator, discriminator
