"""The course's own Keras layers, used by :mod:`gandetexture.networks`.

Each is registered with Keras (package ``gandetexture``), so saved models that hold them
load again wherever this package is imported.

- :class:`BroadcastConcat`, :class:`ChannelAffine`: the remover's global context (lesson 05).
- :class:`Pad2D`: zero, mirror or circular padding (the texture GAN; circular = periodic).
- :class:`Blur2D`: a fixed ``[1, 2, 1]`` low-pass, nearest up-sampling made linear.
- :class:`UnfoldNoise`: noise drawn per cell, unfolded into a finer field.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers


@keras.saving.register_keras_serializable(package="gandetexture")
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


@keras.saving.register_keras_serializable(package="gandetexture")
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
        return self.apply(x, self.amount, self.mode)

    @staticmethod
    def apply(x, p: int, mode: str):
        """The padding itself, for layers that pad inside their own ``call``."""
        if mode != "circular":
            return tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]],
                          mode="CONSTANT" if mode == "zeros" else "SYMMETRIC")
        x = tf.concat([x[:, -p:], x, x[:, :p]], axis=1)
        return tf.concat([x[:, :, -p:], x, x[:, :, :p]], axis=2)

    def get_config(self):
        return {**super().get_config(), "amount": self.amount, "mode": self.mode}


@keras.saving.register_keras_serializable(package="gandetexture")
class Blur2D(layers.Layer):
    """A fixed ``[1, 2, 1] / 4`` low-pass on each axis, each channel on its own, padded like the
    convolutions (``Pad2D`` mode). After a nearest 2× up-sampling it makes a linear one, which
    smooths the up-sampled blocks, one source of a grid at the up-sampling period."""

    def __init__(self, mode: str = "mirror", **kwargs):
        super().__init__(**kwargs)
        self.mode = mode

    def call(self, x):
        taps = tf.constant([1.0, 2.0, 1.0], x.dtype) / 4.0
        kernel = tf.tile((taps[:, None] * taps[None, :])[:, :, None, None],
                         [1, 1, tf.shape(x)[-1], 1])
        return tf.nn.depthwise_conv2d(Pad2D.apply(x, 1, self.mode), kernel, [1, 1, 1, 1],
                                      "VALID")

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="gandetexture")
class UnfoldNoise(layers.Layer):
    """Channels ``[start, start + channels · block²)`` of a noise field, unfolded into a field
    ``block`` times finer (``tf.nn.depth_to_space``): ``[B, h, w, C] -> [B, h·block, w·block,
    channels]``. Each cell's channels become its ``block × block`` pixels, so a field drawn per
    cell stays independent per pixel, and on a torus it stays a torus (periodic mode)."""

    def __init__(self, start: int = 0, channels: int = 1, block: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.start, self.channels, self.block = int(start), int(channels), int(block)

    def call(self, noise):
        stop = self.start + self.channels * self.block ** 2
        return tf.nn.depth_to_space(noise[..., self.start:stop], self.block)

    def get_config(self):
        return {**super().get_config(), "start": self.start, "channels": self.channels,
                "block": self.block}
