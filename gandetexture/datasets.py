"""Data for the lessons. Nothing is downloaded: images come from scikit-image's bundled data.

Lesson 02 uses :func:`exemplar_patches`: random 32×32 crops of brick, grass and gravel.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

#: scikit-image's bundled texture photographs (grayscale, 512×512), used as exemplars.
EXEMPLARS = ("brick", "grass", "gravel")


def load_exemplar(name: str) -> np.ndarray:
    """One of scikit-image's bundled images as RGB.

    Parameters
    ----------
    name : str
        A function name of :mod:`skimage.data`, e.g. ``"brick"``, ``"grass"``, ``"gravel"``.

    Returns
    -------
    np.ndarray
        ``float32 [H, W, 3] in [0, 1]`` (grayscale images are repeated over 3 channels).
    """
    import skimage.data

    loader = getattr(skimage.data, name, None)
    if loader is None or not callable(loader) or name.startswith("_"):
        raise ValueError(f"scikit-image has no bundled image named {name!r}")
    image = np.asarray(loader())
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    image = image[..., :3]
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    return image.astype(np.float32)


def exemplar_patches(names: tuple[str, ...] | list[str] = EXEMPLARS, size: int = 32,
                     count: int = 1024, seed: int = 0) -> np.ndarray:
    """Random square crops of exemplar images, equally many from each.

    Parameters
    ----------
    names : sequence of str
        Exemplar names for :func:`load_exemplar`.
    size : int
        Crop height and width.
    count : int
        Total number of crops.
    seed : int
        Same seed, same crops.

    Returns
    -------
    np.ndarray
        ``float32 [count, size, size, 3] in [-1, 1]``, ordered by exemplar.
    """
    rng = np.random.default_rng(seed)
    per = [count // len(names) + (i < count % len(names)) for i in range(len(names))]
    out = []
    for name, n in zip(names, per):
        image = load_exemplar(name)
        h, w = image.shape[:2]
        ys = rng.integers(0, h - size + 1, n)
        xs = rng.integers(0, w - size + 1, n)
        out += [image[y:y + size, x:x + size] for y, x in zip(ys, xs)]
    return np.stack(out).astype(np.float32) * 2.0 - 1.0


def image_batches(images: np.ndarray, batch_size: int, seed: int = 0) -> tf.data.Dataset:
    """Shuffled, endlessly repeated batches of images (deterministic for a seed).

    Parameters
    ----------
    images : np.ndarray
        ``float32 [N, H, W, C]``.
    batch_size : int
        Batch size; the last incomplete batch of each pass is dropped.

    Returns
    -------
    tf.data.Dataset
        Yields ``float32 [batch_size, H, W, C]``.
    """
    ds = tf.data.Dataset.from_tensor_slices(images)
    ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True).repeat()
    return ds.batch(batch_size, drop_remainder=True).prefetch(2)
