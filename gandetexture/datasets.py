"""Texture-removal data: (textured, structure) pairs and their ``tf.data`` pipelines.

Nothing is downloaded: pairs are procedural, or textured with scikit-image's bundled photographs.

Texture removal (lessons 01, 05) learns from pairs ``(textured, structure)`` where::

    textured = compose(structure, texture, mode, amplitude)

with a procedural :mod:`~gandetexture.structures` image, a procedural
:mod:`~gandetexture.textures` texture ``T`` in ``[0, 1]`` (``t = 2 T - 1`` in ``[-1, 1]``) and
one of three blend modes (:data:`BLENDS`), the result clipped to ``[0, 1]``:

- ``"multiplicative"``: ``s · (1 + a·t)`` — texture as shading or print on a surface;
- ``"additive"``: ``s + a·t`` — texture as a layer of light or noise on top;
- ``"mix"``: ``(1 − a)·s + a·T`` — a semi-transparent coloured texture laid over (alpha
  blending), which also pulls the colours towards the texture's.

Amplitude ``a``, texture family, scale, orientation, contrast and colour are drawn per pair.
The training data uses procedural textures only; scikit-image's real photographs of brick,
grass and gravel stay unseen and serve as the real-world test (:func:`real_texture_pairs`).

Splits: pair ``i`` of split ``k`` is drawn from ``numpy.random.default_rng([seed, k, i])``,
so the same arguments give byte-identical pairs, the validation set does not change when the
training set grows, and splits never share a pair (their streams differ).

Also here: :func:`image_batches`, shuffled batches of any image array. Exemplars and their
crops (texture generation, lessons 00, 02, 06) are in :mod:`gandetexture.exemplars`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from gandetexture import exemplars, io
from gandetexture import structures as _structures
from gandetexture import textures as _textures
from gandetexture.config import stateless_key

#: Blend modes of :func:`compose`.
BLENDS = ("multiplicative", "additive", "mix")

#: Stream key of each split (pair ``i`` of a split comes from ``default_rng([seed, key, i])``).
SPLITS = {"train": 0, "val": 1, "test": 2, "real": 3}


# --------------------------------------------------------------------------- composing


def compose(structure, texture, mode: str = "multiplicative", amplitude=0.3) -> np.ndarray:
    """Put a texture on a structure image.

    Parameters
    ----------
    structure : array-like
        ``float32 [..., H, W, 3] in [0, 1]``.
    texture : array-like
        ``float32 [..., H, W, 3]`` or ``[..., H, W, 1] in [0, 1]`` (broadcast).
    mode : str
        One of :data:`BLENDS` (see the module docstring for the formulas).
    amplitude : float or array-like
        Texture strength ``a`` (broadcast, e.g. ``[B, 1, 1, 1]`` for one per image).

    Returns
    -------
    np.ndarray
        ``float32`` of the broadcast shape, in ``[0, 1]``.
    """
    s = np.asarray(structure, np.float32)
    big_t = np.asarray(texture, np.float32)
    a = np.asarray(amplitude, np.float32)
    t = 2.0 * big_t - 1.0
    if mode == "multiplicative":
        out = s * (1.0 + a * t)
    elif mode == "additive":
        out = s + a * t
    elif mode == "mix":
        out = (1.0 - a) * s + a * big_t
    else:
        raise ValueError(f"unknown blend mode {mode!r}; choose one of {', '.join(BLENDS)}")
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def centre_texture(texture) -> np.ndarray:
    """Shift a texture so that each colour channel averages 0.5: ``t = 2 T - 1`` averages 0.

    The texture keeps its pattern, contrast and hue; only its average colour is fixed. Then
    ``compose`` changes the average colour of a structure by no more than clipping does
    (``"multiplicative"``, ``"additive"``) or pulls it towards grey (``"mix"``): a remover can
    tell from the image alone what the structure's colour was, which a random average tint
    would hide (measured before this change: 63 % of a trained remover's squared error on the
    validation split was the per-image average colour). The real photographs of
    :func:`real_texture_pairs` are normalised the same way.

    Parameters
    ----------
    texture : array-like
        ``float32 [..., H, W, C] in [0, 1]``.

    Returns
    -------
    np.ndarray
        ``float32``, same shape, in ``[0, 1]``.
    """
    t = np.asarray(texture, np.float32)
    centred = t - t.mean(axis=(-3, -2), keepdims=True) + 0.5
    return np.clip(centred, 0.0, 1.0).astype(np.float32)


def _scale_range(size: int) -> tuple[float, float]:
    return 3.0, max(6.0, size / 6.0)


def _pair_rng(seed: int, split: str, index: int) -> np.random.Generator:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    return np.random.default_rng([int(seed), SPLITS[split], int(index)])


def _draw_pair(size: int, seed: int, split: str, index: int, blend: str,
               amplitude: tuple[float, float], scale_range, families, colored: bool):
    rng = _pair_rng(seed, split, index)
    structure = _structures.structure(size, int(rng.integers(2**31)))
    params = _textures.random_params(int(rng.integers(2**31)), families,
                                     scale_range or _scale_range(size), colored)
    texture = centre_texture(_textures.render(size=size, **params))
    a = float(rng.uniform(*amplitude))
    mode = BLENDS[int(rng.integers(len(BLENDS)))] if blend == "random" else blend
    info = {**params, "blend": mode, "amplitude": a}
    return compose(structure, texture, mode, a), structure, info


def make_pairs(n: int, size: int, seed: int, *, split: str = "train", start: int = 0,
               blend: str = "random", amplitude: tuple[float, float] = (0.15, 0.5),
               scale_range: tuple[float, float] | None = None,
               families: Sequence[str] | None = None, colored: bool = True,
               return_info: bool = False):
    """Procedural (textured, structure) pairs.

    Parameters
    ----------
    n, size : int
        Number of pairs and their height and width.
    seed : int
        Same arguments, byte-identical pairs.
    split : str
        Which stream of pairs (a key of :data:`SPLITS`); different splits never share a pair.
    start : int
        Index of the first pair in the stream (pairs ``start .. start + n - 1``).
    blend : str
        One of :data:`BLENDS`, or ``"random"`` (drawn per pair).
    amplitude : (float, float)
        Range of the texture strength ``a``, drawn uniformly per pair.
    scale_range : (float, float), optional
        Range of the texture scale in pixels, drawn log-uniformly (default
        ``(3, max(6, size / 6))``).
    families : sequence of str, optional
        Texture families to draw from (default: all of :data:`textures.FAMILIES`).
    colored : bool
        Tint textures with random colours.
    return_info : bool
        Also return one dict per pair (family, parameters, blend mode, amplitude).

    Returns
    -------
    textured, structure : np.ndarray
        Each ``float32 [n, size, size, 3] in [0, 1]`` (then ``info`` if asked).
    """
    if n < 0 or size < 4:
        raise ValueError(f"need n >= 0 and size >= 4, got n={n}, size={size}")
    if blend != "random" and blend not in BLENDS:
        raise ValueError(f"unknown blend mode {blend!r}; choose 'random' or one of "
                         f"{', '.join(BLENDS)}")
    textured = np.empty((n, size, size, 3), np.float32)
    structure = np.empty((n, size, size, 3), np.float32)
    infos = []
    for i in range(n):
        textured[i], structure[i], info = _draw_pair(size, seed, split, start + i, blend,
                                                     amplitude, scale_range, families,
                                                     colored)
        infos.append(info)
    return (textured, structure, infos) if return_info else (textured, structure)


def pair_splits(profile_or_size, n_train: int, n_val: int, n_test: int, seed: int = 0,
                **options) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Deterministic train / validation / test pairs that never share a pair.

    Parameters
    ----------
    profile_or_size : Profile or int
        Image size, or a :class:`~gandetexture.config.Profile` (its ``image_size``).
    n_train, n_val, n_test : int
        Number of pairs in each split.
    seed : int
        Same seed, same splits.
    **options
        Passed to :func:`make_pairs` (``blend``, ``amplitude``, ``families``...).

    Returns
    -------
    dict
        ``{"train": (textured, structure), "val": ..., "test": ...}``, arrays
        ``float32 [n, size, size, 3] in [0, 1]``.
    """
    size = int(getattr(profile_or_size, "image_size", profile_or_size))
    counts = {"train": n_train, "val": n_val, "test": n_test}
    return {split: make_pairs(count, size, seed, split=split, **options)
            for split, count in counts.items()}


# --------------------------------------------------------------------------- tf.data


def _dihedral_maps(height: int, width: int) -> np.ndarray:
    """Flat source-pixel index of each output pixel for the 8 flips / 90° rotations:
    ``int32 [8, H·W]`` (code bit 0 flips left-right, bit 1 up-down, bit 2 transposes;
    transposing needs a square image, so non-square images get flips only)."""
    index = np.arange(height * width, dtype=np.int32).reshape(height, width)
    maps = []
    for code in range(8):
        m = index
        if code & 1:
            m = m[:, ::-1]
        if code & 2:
            m = m[::-1, :]
        if code & 4 and height == width:
            m = m.T
        maps.append(m.reshape(-1))
    return np.stack(maps)


def _dihedral(images: tf.Tensor, code: tf.Tensor, maps: tf.Tensor) -> tf.Tensor:
    """Apply flip/rotation ``code[b]`` (0..7) to image ``b``: one gather, ``[B, H, W, C]``."""
    shape = tf.shape(images)
    flat = tf.reshape(images, [shape[0], -1, shape[3]])
    moved = tf.gather(flat, tf.gather(maps, code), axis=1, batch_dims=1)
    return tf.reshape(moved, shape)


def pair_dataset(textured: np.ndarray, structure: np.ndarray, batch_size: int,
                 seed: int = 0, shuffle: bool = True, repeat: bool = True,
                 augment: bool = False) -> tf.data.Dataset:
    """Batches of pairs for training, deterministic for a seed.

    The order is a stateless shuffle keyed by ``(seed, epoch)``, so it depends on nothing but
    the arguments (not on TensorFlow's global seed).

    Parameters
    ----------
    textured, structure : np.ndarray
        ``float32 [N, H, W, 3] in [0, 1]``.
    batch_size : int
        Batch size; with ``repeat`` the last incomplete batch of each pass is dropped.
    shuffle : bool
        Reshuffle each pass (else keep the order).
    repeat : bool
        Endless (else one pass, last batch possibly smaller).
    augment : bool
        Apply the same random flip / 90° rotation to both images of a pair (square images).

    Returns
    -------
    tf.data.Dataset
        Yields ``(textured, structure)``, each ``float32 [B, H, W, 3] in [-1, 1]``.
    """
    textured = np.asarray(textured, np.float32)
    structure = np.asarray(structure, np.float32)
    if textured.shape != structure.shape or textured.ndim != 4:
        raise ValueError(f"textured and structure must both be [N, H, W, 3]; got "
                         f"{textured.shape} and {structure.shape}")
    n = len(textured)
    if n == 0 or (repeat and n < batch_size):
        raise ValueError(f"{n} pairs are too few for batches of {batch_size}")
    big_t, big_s = tf.constant(textured), tf.constant(structure)
    maps = tf.constant(_dihedral_maps(*textured.shape[1:3]))
    epochs = tf.data.Dataset.counter() if repeat else tf.data.Dataset.range(1)

    def order(epoch):
        index = tf.range(n, dtype=tf.int64)
        if shuffle:
            key = stateless_key(seed, epoch)
            index = tf.random.experimental.stateless_shuffle(index, seed=key)
        return tf.data.Dataset.from_tensor_slices(index)

    ds = epochs.flat_map(order).batch(batch_size, drop_remainder=repeat).enumerate()

    def fetch(step, index):
        t = tf.gather(big_t, index) * 2.0 - 1.0
        s = tf.gather(big_s, index) * 2.0 - 1.0
        if augment:
            key = stateless_key(seed, step)
            code = tf.random.stateless_uniform(tf.shape(index), key, 0, 8, tf.int32)
            t, s = _dihedral(t, code, maps), _dihedral(s, code, maps)
        return t, s

    return ds.map(fetch, num_parallel_calls=tf.data.AUTOTUNE,
                  deterministic=True).prefetch(tf.data.AUTOTUNE)


@functools.lru_cache(maxsize=2)
def _stream_banks(size: int, seed: int, split: str, bank_size: int,
                  families: tuple[str, ...] | None, structures: str = "shapes",
                  scale_range: tuple[float, float] | None = None, muted: float = 0.0
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The structure and texture banks of :func:`pair_stream`, ``float32 [bank_size, size,
    size, 3] in [0, 1]`` each (read-only). Cached: a lesson that builds the same stream several
    times draws its banks once (2048 of each at 64² take about 4.5 s on 2 cores)."""
    rng = _pair_rng(seed, split, 10**9)
    options = {"muted": muted} if muted else {}  # only shapes have it (pair_stream checks)
    bank_s = _structures.make_structures(bank_size, size, int(rng.integers(2**31)), structures,
                                         **options)
    scales = scale_range or _scale_range(size)
    bank_t = np.stack([centre_texture(_textures.random_texture(size, int(k), families, scales)[0])
                       for k in rng.integers(0, 2**31, bank_size)])
    bank_s.setflags(write=False)
    bank_t.setflags(write=False)
    return bank_s, bank_t


def pair_stream(size: int, batch_size: int, seed: int = 0, split: str = "train",
                bank_size: int = 256, amplitude: tuple[float, float] = (0.15, 0.5),
                families: Sequence[str] | None = None, jit: bool = False,
                structures: str = "shapes", scale_range: tuple[float, float] | None = None,
                muted: float = 0.0) -> tf.data.Dataset:
    """Endless freshly composed pairs, made inside ``tf.data`` (for long training runs).

    ``bank_size`` structures and ``bank_size`` textures are drawn once (NumPy, as in
    :func:`make_pairs`); each batch then combines a random structure with a random texture,
    each under its own random flip / 90° rotation, with a random blend mode and amplitude,
    all in TensorFlow ops keyed by ``(seed, batch index)``. That is ``bank_size² × 64``
    combinations before the amplitude, at the speed of a few tensor ops per batch.
    ``jit=True`` compiles them with XLA into one pass over the pixels: about twice the
    pairs per second, for a few seconds of compilation on the first batch.
    ``structures`` is a kind of :func:`gandetexture.structures.make_structures`;
    ``scale_range`` the textures' scales in pixels (default ``(3, max(6, size / 6))``);
    ``muted`` the share of the structures' fills pulled towards grey (``"shapes"`` only, see
    :func:`gandetexture.structures.structure`).

    Returns
    -------
    tf.data.Dataset
        Yields ``(textured, structure)``, each ``float32 [batch_size, size, size, 3]
        in [-1, 1]``, deterministic for a seed; splits use disjoint banks.
    """
    if muted and structures != "shapes":
        raise ValueError(f"muted={muted} needs structures='shapes' (got {structures!r}): only "
                         "structures.structure draws muted fills")
    bank_s, bank_t = _stream_banks(int(size), int(seed), split, int(bank_size),
                                   None if families is None else tuple(families), structures,
                                   None if scale_range is None else tuple(scale_range),
                                   float(muted))
    hw = size * size
    # banks flattened to pixels: one gather picks an image and its flip/rotation at once
    bank_s = tf.constant(bank_s.reshape(-1, 3))
    bank_t = tf.constant(bank_t.reshape(-1, 3))
    maps = tf.constant(_dihedral_maps(size, size))
    lo, hi = float(amplitude[0]), float(amplitude[1])

    @tf.function(jit_compile=jit)
    def make(step):
        key = stateless_key(seed, step)
        keys = tf.random.experimental.stateless_split(key, 6, alg="philox")
        shape = [batch_size]

        def pick(bank, key_image, key_code):
            image = tf.random.stateless_uniform(shape, key_image, 0, bank_size, tf.int32,
                                                  alg="philox")
            code = tf.random.stateless_uniform(shape, key_code, 0, 8, tf.int32, alg="philox")
            pixels = image[:, None] * hw + tf.gather(maps, code)  # [B, H·W]
            return tf.reshape(tf.gather(bank, pixels), [batch_size, size, size, 3])

        s = pick(bank_s, keys[0], keys[2])
        t = pick(bank_t, keys[1], keys[3])
        # amplitude from integer draws: identical with and without XLA
        a = tf.cast(tf.random.stateless_uniform([batch_size, 1, 1, 1], keys[4], 0, 1 << 24,
                                                tf.int32, alg="philox"), tf.float32)
        a = lo + (hi - lo) * a / float(1 << 24)
        mode = tf.random.stateless_uniform([batch_size, 1, 1, 1], keys[5], 0, 3, tf.int32,
                                         alg="philox")
        # the three blends as one formula, out = s·(p + q·T) + r·T + c, with per-pair
        # coefficients: multiplicative (1-a, 2a, 0, 0), additive (1, 0, 2a, -a), mix (1-a, 0, a, 0)
        zero = tf.zeros_like(a)
        p = tf.where(mode == 1, tf.ones_like(a), 1.0 - a)
        q = tf.where(mode == 0, 2.0 * a, zero)
        r = tf.where(mode == 1, 2.0 * a, tf.where(mode == 2, a, zero))
        c = tf.where(mode == 1, -a, zero)
        out = s * (p + q * t) + (r * t + c)
        return tf.clip_by_value(out, 0.0, 1.0) * 2.0 - 1.0, s * 2.0 - 1.0

    return tf.data.Dataset.counter().map(make, num_parallel_calls=tf.data.AUTOTUNE,
                                         deterministic=True).prefetch(tf.data.AUTOTUNE)


def real_texture_pairs(n: int, size: int, seed: int,
                       names: Sequence[str] = exemplars.TEXTURES
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs textured with scikit-image's real photographs: the real-world test.

    Structures come from their own stream (split ``"real"``), so they are unseen too. Each
    texture is a random crop (2 to 4 × ``size`` wide, resized to ``size``) of one of ``names``,
    contrast-normalised to ``[0, 1]``, then blended as in :func:`make_pairs`.

    Returns
    -------
    textured, structure : np.ndarray
        Each ``float32 [n, size, size, 3] in [0, 1]``; pair ``i`` uses ``names[i % len]``.
    """

    textured = np.empty((n, size, size, 3), np.float32)
    structure = np.empty((n, size, size, 3), np.float32)
    images = {name: exemplars.load(name) for name in names}
    for i in range(n):
        rng = _pair_rng(seed, "real", i)
        structure[i] = _structures.structure(size, int(rng.integers(2**31)))
        image = images[names[i % len(names)]]
        side = min(int(round(size * rng.uniform(2.0, 4.0))), *image.shape[:2])
        crop = exemplars.random_crops(image, side, 1, rng)[0].mean(axis=-1)
        crop = io.resize(crop, (size, size))  # area-averaging shrink
        crop = np.clip(0.5 + (crop - crop.mean()) / (4.0 * crop.std() + 1e-6), 0.0, 1.0)
        mode = BLENDS[int(rng.integers(len(BLENDS)))]
        a = float(rng.uniform(0.15, 0.5))
        textured[i] = compose(structure[i], crop[..., None], mode, a)
    return textured, structure


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
