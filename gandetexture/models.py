"""Networks of the course.

Lesson 02: the article's MLP generator and discriminator, made right.
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
        Hidden layers use BatchNormalization(momentum=0.8) and ReLU, as in the article.
    """
    z = keras.Input((latent_dim,), name="z")
    x = z
    for units in (256, 512, 1024):
        x = layers.Dense(units)(x)
        x = layers.BatchNormalization(momentum=0.8)(x)
        x = layers.ReLU()(x)
    size = image_shape[0] * image_shape[1] * image_shape[2]
    x = layers.Dense(size, activation="tanh")(x)
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
