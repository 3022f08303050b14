"""Exemplars: the images a texture is learnt from (lessons 00, 02, 06) and their random crops.

An exemplar is given as one of

- a name of :data:`BUNDLED`: a photograph that ships inside the scikit-image package
  (``"brick"``, ``"grass"``, ``"gravel"``... nothing is ever downloaded);
- a name of :data:`gandetexture.textures.FAMILIES`: that procedural texture rendered at
  512×512 with seed 0;
- the path of an image file (loaded with :func:`gandetexture.io.load_image`);
- an array ``[H, W, 3]`` (or ``[H, W]``) in ``[0, 1]``.

:func:`load` turns any of them into ``float32 [H, W, 3] in [0, 1]``; :func:`random_crops` is
the one NumPy crop helper; :func:`patches` (NumPy) and :func:`sampler` (``tf.data``) give
crops in ``[-1, 1]``, the range of the generators' ``tanh``. Every problem with an exemplar
(an unknown name, an image smaller than the crops) raises :class:`ExemplarError` naming it;
an unreadable file raises :class:`gandetexture.io.ImageLoadError` naming the file.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gandetexture.config import stateless_key

#: scikit-image's texture photographs (grey, 512×512): the exemplars of the lessons.
TEXTURES = ("brick", "grass", "gravel")

#: Every :mod:`skimage.data` image whose file ships inside the scikit-image package (so it
#: loads without a network). Other ``skimage.data`` functions (``"lily"``, ``"skin"``,
#: ``"cells3d"``, ``"eagle"``...) download their file and are refused.
BUNDLED = ("astronaut", "brick", "camera", "cell", "chelsea", "checkerboard", "clock",
           "coffee", "coins", "colorwheel", "grass", "gravel", "horse", "hubble_deep_field",
           "immunohistochemistry", "logo", "microaneurysms", "moon", "page", "retina",
           "rocket", "shepp_logan_phantom", "text")


class ExemplarError(ValueError):
    """An exemplar cannot be used (unknown name, or smaller than the crops asked for)."""


def _is_name(source) -> bool:
    """A bare name (``"brick"``), not a path: an identifier without a suffix."""
    return isinstance(source, str) and source.isidentifier() and not Path(source).suffix


@functools.lru_cache(maxsize=16)
def _skimage_image(name: str) -> np.ndarray:
    """A :data:`BUNDLED` image as ``float32 [H, W, 3] in [0, 1]`` (read-only, cached)."""
    import skimage.data

    image = np.asarray(getattr(skimage.data, name)())
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    image = image[..., :3]
    image = image.astype(np.float32) / 255.0 if image.dtype == np.uint8 else \
        image.astype(np.float32)
    image.setflags(write=False)
    return image


def load(source) -> np.ndarray:
    """An exemplar as RGB.

    Parameters
    ----------
    source : str, path or np.ndarray
        A name of :data:`BUNDLED`, a procedural family of
        :data:`gandetexture.textures.FAMILIES` (rendered 512×512, seed 0), names joined by
        ``|`` (``"grass|gravel"``: side by side), the path of an image file, or an array
        ``[H, W, 3]`` or ``[H, W]`` in ``[0, 1]``.

    Returns
    -------
    np.ndarray
        ``float32 [H, W, 3] in [0, 1]`` (grey images are repeated over 3 channels); a new
        array each call.

    Raises
    ------
    ExemplarError
        For a name that is none of the above (the message lists the choices) or an array of
        the wrong shape.
    gandetexture.io.ImageLoadError
        For a path that does not hold a readable image.
    """
    from gandetexture import textures

    if isinstance(source, np.ndarray):
        image = np.asarray(source, np.float32)
        if image.ndim == 2:
            image = np.repeat(image[..., None], 3, axis=-1)
        if image.ndim != 3 or image.shape[-1] != 3:
            raise ExemplarError(f"an exemplar array must be [H, W, 3]; got {image.shape}")
        return image
    if isinstance(source, str) and source in textures.FAMILIES:
        return textures.render(source, 512, seed=0)
    if isinstance(source, str) and "|" in source and not Path(source).exists():
        # "grass|gravel": the exemplars side by side, cut to the shortest one's height (a
        # two-texture exemplar for lesson 06's spatially varying noise)
        parts = [load(part) for part in source.split("|")]
        height = min(part.shape[0] for part in parts)
        return np.concatenate([part[:height] for part in parts], axis=1)
    if _is_name(source) and not Path(source).exists():
        if source not in BUNDLED:
            raise ExemplarError(
                f"unknown exemplar {source!r}: not an image file, not one of scikit-image's "
                f"bundled images ({', '.join(BUNDLED)}) and not a procedural texture "
                f"({', '.join(textures.FAMILIES)})")
        return np.array(_skimage_image(source))
    from gandetexture.io import load_image

    return load_image(source)


def label(source) -> str:
    """A short name for an exemplar: the name itself, a file's stem, or ``"array"``."""
    if isinstance(source, np.ndarray):
        return "array"
    text = str(source)
    return Path(text).stem if ("/" in text or Path(text).suffix) else text


def _name(source) -> str:
    """How error messages name an exemplar: the name or path as given, or ``"array"``."""
    return "array" if isinstance(source, np.ndarray) else str(source)


def is_gray(image: np.ndarray) -> bool:
    """True when an ``[H, W, 3]`` image has equal R, G and B everywhere."""
    image = np.asarray(image)
    return bool(np.array_equal(image[..., 0], image[..., 1])
                and np.array_equal(image[..., 0], image[..., 2]))


def check_size(image: np.ndarray, crop: int, name: str) -> np.ndarray:
    """Return ``image`` if ``crop × crop`` crops fit in it, else raise :class:`ExemplarError`.

    Parameters
    ----------
    image : np.ndarray
        ``[H, W, C]``.
    crop : int
        Crop height and width.
    name : str
        The exemplar's name or path, for the message.
    """
    h, w = np.shape(image)[:2]
    if h < crop or w < crop:
        raise ExemplarError(f"exemplar {name!r} is {h}×{w} pixels, smaller than the "
                            f"{crop}×{crop} crops asked for")
    return image


def random_crops(image: np.ndarray, size: int, count: int, rng: np.random.Generator | int,
                 name: str = "image") -> np.ndarray:
    """Random square crops of one image (or of a stack of equal images), uniformly placed.

    Parameters
    ----------
    image : np.ndarray
        ``[H, W, C]``, any dtype and range; or a stack ``[N, H, W, C]`` (the squares of
        :func:`gandetexture.two_sample._checkerboard`), each crop then from one image of it
        drawn uniformly.
    size, count : int
        Crop height and width, and number of crops.
    rng : np.random.Generator or int
        Where the positions come from (an int seeds ``numpy.random.default_rng``). For a
        stack, all ``count`` image indices are drawn first; then all ``count`` rows, then
        all ``count`` columns.
    name : str
        The exemplar's name, for the error message.

    Returns
    -------
    np.ndarray
        ``[count, size, size, C]``, the dtype of ``image``.

    Raises
    ------
    ExemplarError
        If ``image`` is smaller than ``size``.
    """
    image = np.asarray(image)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    stack = image if image.ndim == 4 else image[None]
    check_size(stack[0], size, name)
    which = rng.integers(0, len(stack), count) if image.ndim == 4 else np.zeros(count, int)
    h, w = stack.shape[1:3]
    ys = rng.integers(0, h - size + 1, count)
    xs = rng.integers(0, w - size + 1, count)
    if not count:
        return np.empty((0, size, size, stack.shape[3]), image.dtype)
    return np.stack([stack[k, y:y + size, x:x + size] for k, y, x in zip(which, ys, xs)])


def patches(names: Sequence = TEXTURES, size: int = 32, count: int = 1024,
            seed: int = 0) -> np.ndarray:
    """Random square crops of exemplars, equally many from each.

    Parameters
    ----------
    names : sequence, or one exemplar
        Exemplars for :func:`load`: names, image paths or arrays (one alone is fine).
    size : int
        Crop height and width.
    count : int
        Total number of crops; the first ``count % len(names)`` exemplars give one more.
    seed : int
        Same seed, same crops (one generator for all exemplars, in order).

    Returns
    -------
    np.ndarray
        ``float32 [count, size, size, 3] in [-1, 1]``, ordered by exemplar.

    Raises
    ------
    ExemplarError
        If an exemplar is smaller than ``size`` (the message names it).
    """
    if isinstance(names, str | Path | np.ndarray):  # one exemplar
        names = [names]
    rng = np.random.default_rng(seed)
    per = [count // len(names) + (i < count % len(names)) for i in range(len(names))]
    parts = [random_crops(load(name), size, n, rng, _name(name)) for name, n in zip(names, per)]
    return np.concatenate(parts).astype(np.float32) * 2.0 - 1.0


def sampler(source, size: int, batch_size: int, seed: int = 0, start: int = 0):
    """Endless batches of random crops of one exemplar, made in ``tf.data``.

    Parameters
    ----------
    source : str, path or np.ndarray
        As for :func:`load` (``"brick"``, ``"~/photos/wall.jpg"``, an array).
    size, batch_size : int
        Crop size and batch size.
    seed : int
        Crop positions are stateless draws keyed by ``(seed, batch index)``: batch ``i``
        depends only on ``(seed, i)``.
    start : int
        Index of the first batch (a resumed run continues with the same crops).

    Returns
    -------
    tf.data.Dataset
        Yields ``float32 [batch_size, size, size, 3] in [-1, 1]``.
    """
    import tensorflow as tf

    image = check_size(load(source), size, _name(source))
    h, w = image.shape[:2]
    pixels = tf.constant(image * 2.0 - 1.0)
    offsets = tf.range(size)

    def crop(step):
        key = stateless_key(seed, step)
        ys = tf.random.stateless_uniform([batch_size], key, 0, h - size + 1, tf.int32)
        xs = tf.random.stateless_uniform([batch_size], key + [0, 1], 0, w - size + 1,
                                         tf.int32)
        rows = tf.gather(pixels, ys[:, None] + offsets)  # [B, size, W, 3]
        return tf.gather(rows, xs[:, None] + offsets, axis=2, batch_dims=1)

    data = tf.data.Dataset.counter().map(crop, num_parallel_calls=tf.data.AUTOTUNE,
                                         deterministic=True).prefetch(tf.data.AUTOTUNE)
    return data.skip(start) if start else data
