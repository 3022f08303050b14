"""A texture generator's fixed pattern, the grid its noise cells leave, measured and taken
away (lesson 06): :func:`fixed_pattern` measures it from the model alone,
:func:`subtract_pattern` takes it away; :meth:`gandetexture.texture.TextureModel.degrid` and
``generate --degrid`` call them.
"""

from __future__ import annotations

import keras
import numpy as np

from gandetexture.texture import TextureConfig, generate

#: What :func:`fixed_pattern` averages: batches of 8 noise fields of 16 × 16 cells (512² under
#: ``cpu``), from seeds far from any a lesson paints with.
PATTERN_BATCHES, PATTERN_SEED = 4, 10_000


def fixed_pattern(generator: keras.Model, config: TextureConfig,
                  batches: int = PATTERN_BATCHES, seed: int = PATTERN_SEED,
                  global_code=None) -> np.ndarray:
    """The generator's fixed pattern: what it paints, on average, at each pixel of a cell.

    Every noise cell becomes ``scale × scale`` pixels through the same up-sampling layers, so
    whatever those layers add regardless of the noise repeats in every cell: a grid (see
    :func:`gandetexture.yardstick.grid_peak`). Real texture has no such pattern, since it
    looks the same at every shift. Cameras remove their fixed-pattern noise the same way:
    average many frames, then subtract the average (a dark frame).
    Here the frames are ``8 · batches`` images of 16 × 16 cells, each with its own noise;
    with ``global_code`` (``[global_channels]``) they all share that code: the pattern of
    the texture that code paints, since the pattern changes with the code.

    Returns
    -------
    np.ndarray
        ``float32 [scale, scale, 3]``, its mean over the cell 0 (the texture's tone is not
        part of the pattern); pixel ``(y, x)`` of an image belongs to ``[y % scale,
        x % scale]``.
    """
    s, cells = config.scale, 16
    total = np.zeros((s, s, 3))
    codes = None if global_code is None else np.repeat(
        np.asarray(global_code, np.float32).reshape(1, -1), 8, axis=0)
    for k in range(int(batches)):
        images = generate(generator, config, cells * s, cells * s, seed=seed + k, count=8,
                          global_noise=codes)
        total += images.reshape(8, cells, s, cells, s, 3).sum(axis=(0, 1, 3))
    mean = total / (8 * int(batches) * cells * cells)
    return (mean - mean.mean(axis=(0, 1))).astype(np.float32)


def subtract_pattern(images, pattern) -> np.ndarray:
    """``images`` (from :func:`generate`, whose pixel ``(0, 0)`` starts a cell) less their
    generator's :func:`fixed_pattern`, tiled over them, clipped to [-1, 1].

    Parameters
    ----------
    images : array-like
        ``float32 [B, H, W, 3]`` or ``[H, W, 3]`` in [-1, 1]; any ``H`` and ``W``.
    pattern : array-like
        ``float32 [s, s, 3]``.
    """
    x = np.asarray(images, np.float32)
    p = np.asarray(pattern, np.float32)
    h, w = x.shape[-3:-1]
    tiled = np.tile(p, (-(-h // p.shape[0]), -(-w // p.shape[1]), 1))[:h, :w]
    return np.clip(x - tiled, -1.0, 1.0)

