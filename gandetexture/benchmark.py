"""The real-photograph benchmark of texture removal: flat-shaded photographs, textured.

For evaluation only (lessons 05 and 07, the tests): nothing here is ever training data, so
"test" keeps meaning "never seen". Each pair ``(textured, structure)`` is made in four steps:

1. **A photograph** of :data:`PHOTOS` ``[split]`` (scikit-image's bundled images), cropped
   at a random place and zoom (:func:`photo_crop`), resized to ``size × size``.
2. **Flattened** (:func:`gandetexture.structures.flatten`): segmented with Felzenszwalb's
   graph method (tens of regions at 128², 40 to 300 at 512²); each region filled with its
   mean colour or its least-squares linear colour ramp, then a Gaussian blur of ``sigma`` in
   ``[0, 1.5]`` px
   (per image: hard and soft edges). That is the ``structure``: piecewise smooth, with the
   layout and colours of a photograph (muted, often brown or grey).
3. **A texture** at a controlled scale of 2 to 24 px: half the pairs a real texture of
   :data:`TEXTURES` ``[split]`` (:func:`real_texture`: grey, resized so that its feature size
   becomes the scale), half a procedural family of :data:`FAMILIES` (coloured, ``scale`` =
   the scale); centred with :func:`gandetexture.datasets.centre_texture`.
4. **Laid over** with :func:`gandetexture.datasets.compose`: a blend of
   :data:`~gandetexture.datasets.BLENDS` and an amplitude in :data:`AMPLITUDE`.

Splits: ``"test"`` is the benchmark; ``"val"`` is drawn the same way from *other* sources —
other photographs and other real textures (procedural textures with other seeds) — for
choosing models and filter settings without looking at the test. Pair ``i`` depends only on
``(seed, split, i)``. Scale bin and texture source are stratified over ``i`` (every run of
10 pairs holds each scale bin of :data:`SCALES` once with a real and once with a procedural
texture), so small benchmarks cover every scale.

Feature size of a texture (:func:`feature_size`): the period ``1 / k`` at the median of its
power spectrum. On the procedural families it returns their ``scale`` (median over the 12
families 0.99–1.0 × ``scale`` at scales 4, 8 and 16), so a real texture resized to feature
size ``s`` has the spectrum of a procedural texture of scale ``s``. Measured on the whole
512² photographs (:data:`NATIVE_SIZE`): brick 17.6 px, grass 9.4 px, gravel 14.2 px (the
course period of the brick wall, from its autocorrelation, is about 36 px; the estimator
weighs the mortar lines and the grain inside the bricks too). From 8 px up, resized real
textures measure within 15 % of the drawn scale; at 2 and 4 px they measure 1.2–2.2× it:
shrinking averages away the detail finer than 2 px that a 2-px texture cannot hold.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from gandetexture import exemplars, io
from gandetexture import textures as _textures
from gandetexture.datasets import BLENDS, centre_texture, compose
from gandetexture.structures import flatten

#: Photographs the structures are made from, per split (disjoint). ``"test"``: the classic
#: photographs — people, a cat, a coffee cup, a rocket at dusk (colour, many of them muted
#: and brown, which is where a remover's colour shifts show) and the grey cameraman.
#: ``"val"``: the other bundled photographs with regions to flatten: stained tissue (muted
#: brown and blue), a retina (orange on black), a logo (flat colours) and a clock (grey).
#: (The deep-sky image was tried and left out: its crops flatten to black.)
PHOTOS = {
    "test": ("astronaut", "camera", "chelsea", "coffee", "rocket"),
    "val": ("immunohistochemistry", "retina", "logo", "clock"),
}

#: Real textures per split (disjoint). ``"test"``: scikit-image's texture photographs
#: (:data:`gandetexture.exemplars.TEXTURES`). ``"val"``: the bundled images that are
#: textures without being among them: coins (round objects in rows, like the stones of
#: gravel, or a periodic pattern when small), a deep-sky image (bright spots of many sizes
#: on a dark ground: speckle) and handwriting on lined paper (thin dark strokes, like blades
#: of grass). None of them is a photograph of :data:`PHOTOS`. (The printed page was tried
#: and left out: its 191-px JPEG turns into blocks when enlarged, and its lines of print,
#: not its letters, dominate its spectrum.)
TEXTURES = {"test": exemplars.TEXTURES, "val": ("coins", "hubble_deep_field", "text")}

#: The procedural families of the benchmark: the twelve of lesson 05's procedural test split,
#: fixed here so the benchmark does not change when :data:`gandetexture.textures.FAMILIES`
#: grows.
FAMILIES = ("stripes", "checker", "dots", "noise", "cells", "weave", "bricks", "wood", "tiles",
            "cracks", "scratches", "ripples")

#: Feature size (px, :func:`feature_size`) of each real texture in its bundled photograph.
NATIVE_SIZE = {"brick": 17.6, "grass": 9.4, "gravel": 14.2,
               "coins": 54.1, "hubble_deep_field": 29.4, "text": 16.6}

#: Centres of the scale bins of :func:`breakdown` (px); a scale belongs to the nearest one on
#: a log scale.
SCALES = (2, 4, 8, 16, 24)

#: Ranges of the texture scale (px) and amplitude (as :func:`~.datasets.make_pairs`).
SCALE_RANGE, AMPLITUDE = (2.0, 24.0), (0.15, 0.5)

#: Stream key of each split: pair ``i`` comes from ``default_rng([seed, key, i])`` (keys
#: other than those of :data:`gandetexture.datasets.SPLITS`).
SPLIT_KEYS = {"val": 21, "test": 22}



# --------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=32)
def _source(name: str) -> np.ndarray:
    """A bundled image, ``float32 [H, W, 3] in [0, 1]`` (read-only, cached)."""
    image = exemplars.load(name)
    image.setflags(write=False)
    return image


def feature_size(image: np.ndarray) -> float:
    """The feature size of a texture: the period at the median of its power spectrum.

    The image (grey, or averaged over channels) minus its mean, under a Hann window; its
    power ``|F(k)|²`` summed over frequencies ``|k| > 1/256`` cycles/px (slower variations are
    lighting, not texture); the frequency ``k`` below which half that power lies. On a sine
    of period ``P`` it returns ``P``; on the procedural families, about their ``scale``.
    ``image``: ``[H, W]`` or ``[H, W, C]``, any range. Returns ``1 / k`` in pixels.
    """
    grey = np.asarray(image, np.float64)
    grey = grey.mean(axis=-1) if grey.ndim == 3 else grey
    h, w = grey.shape
    power = np.abs(np.fft.fft2((grey - grey.mean()) * np.outer(np.hanning(h),
                                                                np.hanning(w)))) ** 2
    k = np.hypot(np.fft.fftfreq(h)[:, None], np.fft.fftfreq(w)[None, :])
    keep = k > 1.0 / 256.0
    order = np.argsort(k[keep])
    cumulative = np.cumsum(power[keep][order])
    median = k[keep][order][np.searchsorted(cumulative, cumulative[-1] / 2.0)]
    return float(1.0 / median)


def scale_bin(scale: float) -> int:
    """The bin of :data:`SCALES` a texture scale (px) belongs to: the nearest on a log scale."""
    return int(SCALES[int(np.argmin(np.abs(np.log(SCALES) - np.log(scale))))])


# --------------------------------------------------------------------------- structures


def photo_crop(name: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """A random crop of a bundled photograph at a random zoom, resized.

    The crop's side is 35 % to 100 % of the photograph's shorter side (log-uniform), its
    place uniform; half the crops are mirrored left-right.

    Returns
    -------
    np.ndarray
        ``float32 [size, size, 3] in [0, 1]``.
    """
    image = _source(name)
    shorter = min(image.shape[:2])
    side = int(round(shorter * np.exp(rng.uniform(np.log(0.35), 0.0))))
    crop = exemplars.random_crops(image, side, 1, rng, name)[0]
    crop = crop[:, ::-1] if rng.random() < 0.5 else crop
    return np.clip(io.resize(crop, (size, size)), 0.0, 1.0)


def photo_structure(name: str, size: int, rng: np.random.Generator
                    ) -> tuple[np.ndarray, np.ndarray, dict]:
    """A structure image from a photograph: :func:`photo_crop`, then :func:`flatten`.

    Returns ``structure, photo`` (``float32 [size, size, 3] in [0, 1]``: the flattened crop
    and the crop itself) and :func:`flatten`'s ``info``.
    """
    photo = photo_crop(name, size, rng)
    structure, _, info = flatten(photo, rng)
    return structure, photo, info


# --------------------------------------------------------------------------- textures


def _quilt(texture: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Cover ``size × size`` with random patches of a smaller texture ``[h, w]``.

    Patches (60 % of the texture's shorter side, each minus its mean) overlap by a fifth of
    their side and are cross-faded with weights whose squares sum to 1, so the texture's
    variance is the same on the seams as inside the patches (no visible grid, no mirror
    symmetry). Returns ``float32 [size, size]``.
    """
    shorter = min(texture.shape)
    patch = min(shorter, max(4, int(0.6 * shorter)))
    overlap = max(1, patch // 5)
    step = patch - overlap
    count = int(np.ceil((size + 2 * overlap - patch) / step)) + 1
    ramp = np.ones(patch)
    ramp[:overlap] = np.sin(np.pi / 2 * (np.arange(overlap) + 0.5) / overlap)
    ramp[patch - overlap:] = ramp[:overlap][::-1]
    window = np.outer(ramp, ramp)
    pieces = exemplars.random_crops(texture[..., None], patch, count * count, rng)[..., 0]
    pieces = pieces - pieces.mean(axis=(1, 2), keepdims=True)  # no blocks of lighting
    canvas = np.zeros(((count - 1) * step + patch,) * 2)
    for k, piece in enumerate(pieces):
        y, x = (k // count) * step, (k % count) * step
        canvas[y:y + patch, x:x + patch] += window * piece
    return canvas[overlap:overlap + size, overlap:overlap + size].astype(np.float32)


def real_texture(name: str, size: int, scale: float, rng: np.random.Generator) -> np.ndarray:
    """A real texture at a given feature size, contrast-normalised and centred.

    The bundled image (grey) is resized by ``scale / NATIVE_SIZE[name]``: a random crop just
    large enough is resized when the image holds one; otherwise the whole image is resized
    and random patches of it are quilted together (:func:`_quilt`; the small scales of a
    coarse texture, most real textures at 512²). Then a random crop, one of the 8 flips and
    quarter turns, and the contrast normalisation of
    :func:`gandetexture.datasets.real_texture_pairs` (``0.5 + (x - mean) / (4 std)``,
    clipped), centred.

    Parameters
    ----------
    name : str
        A key of :data:`NATIVE_SIZE`.
    size, scale : int, float
        Height and width, and the feature size wanted (px).
    rng : np.random.Generator
        Draws the crops and the flip.

    Returns
    -------
    np.ndarray
        ``float32 [size, size, 1] in [0, 1]``, each pixel's mean over the image 0.5.
    """
    if name not in NATIVE_SIZE:
        raise ValueError(f"no feature size known for texture {name!r}; choose one of "
                         f"{', '.join(NATIVE_SIZE)}")
    image = _source(name).mean(axis=-1)
    zoom = float(scale) / NATIVE_SIZE[name]
    side = int(np.ceil(size / zoom)) + 2
    if side <= min(image.shape):
        image = exemplars.random_crops(image[..., None], side, 1, rng, name)[0, ..., 0]
    shape = tuple(max(4, int(round(d * zoom))) for d in image.shape)
    texture = io.resize(image, shape)
    if min(texture.shape) < size:
        texture = _quilt(texture, size, rng)
    texture = exemplars.random_crops(texture[..., None], size, 1, rng, name)[0]
    turn = int(rng.integers(8))
    texture = np.rot90(texture, turn % 4)
    texture = texture[:, ::-1] if turn >= 4 else texture
    texture = np.clip(0.5 + (texture - texture.mean()) / (4.0 * texture.std() + 1e-6), 0, 1)
    return centre_texture(texture)


def _procedural_texture(size: int, scale: float, rng: np.random.Generator
                        ) -> tuple[np.ndarray, dict]:
    """A coloured procedural texture of scale ``scale`` px, centred: ``float32 [size, size,
    3] in [0, 1]`` and its :func:`gandetexture.textures.random_params` (scale set)."""
    params = _textures.random_params(int(rng.integers(2**31)), FAMILIES, (scale, scale), True)
    params["scale"] = float(scale)
    return centre_texture(_textures.render(size=size, **params)), params


# --------------------------------------------------------------------------- pairs


def _draw(split: str, size: int, seed: int, index: int
          ) -> tuple[np.ndarray, np.ndarray, dict]:
    """Pair ``index`` of a split: textured, structure (``float32 [size, size, 3] in [0, 1]``)
    and its info."""
    rng = np.random.default_rng([int(seed), SPLIT_KEYS[split], int(index)])
    photo = PHOTOS[split][int(rng.integers(len(PHOTOS[split])))]
    structure, _, info = photo_structure(photo, size, rng)
    # scale bin by index; the scale log-uniform between the bin's edges (the geometric
    # midpoints between bins, and the ends of SCALE_RANGE)
    bin_index = index % len(SCALES)
    edges = np.log([SCALE_RANGE[0], *np.sqrt(np.multiply(SCALES[:-1], SCALES[1:])),
                    SCALE_RANGE[1]])
    scale = float(np.exp(rng.uniform(edges[bin_index], edges[bin_index + 1])))
    if (index // len(SCALES)) % 2 == 0:
        kind = TEXTURES[split][int(rng.integers(len(TEXTURES[split])))]
        texture, source, params = real_texture(kind, size, scale, rng), "real", {}
    else:
        texture, params = _procedural_texture(size, scale, rng)
        kind, source = params["name"], "procedural"
    blend = BLENDS[int(rng.integers(len(BLENDS)))]
    amplitude = float(rng.uniform(*AMPLITUDE))
    info = {"index": int(index), "split": split, "photo": photo, "kind": kind,
            "source": source, "scale": scale, "scale_bin": SCALES[bin_index],
            "amplitude": amplitude, "blend": blend, **info, "texture_params": params}
    return compose(structure, texture, blend, amplitude), structure, info


@functools.lru_cache(maxsize=8)
def _pairs(split: str, n: int, size: int, seed: int
           ) -> tuple[np.ndarray, np.ndarray, tuple[dict, ...]]:
    """:func:`photo_pairs`, cached (arrays read-only)."""
    # pairs are independent (one generator each): threads give the same arrays in any order,
    # and the segmentation and resizing release the GIL for much of their time
    with ThreadPoolExecutor(max(1, min(n, os.cpu_count() or 1))) as pool:
        drawn = list(pool.map(lambda i: _draw(split, size, seed, i), range(n)))
    textured, structure = (np.stack([pair[k] for pair in drawn]) if n else
                           np.empty((0, size, size, 3), np.float32) for k in (0, 1))
    textured.setflags(write=False)
    structure.setflags(write=False)
    return textured, structure, tuple(pair[2] for pair in drawn)


def photo_pairs(split: str = "test", n: int = 48, size: int = 128, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Pairs of the real-photograph benchmark (see the module docstring).

    Parameters
    ----------
    split : str
        ``"test"`` (the benchmark) or ``"val"`` (the same recipe, other sources).
    n : int
        Number of pairs; pair ``i`` depends only on ``(split, size, seed, i)``, so the first
        pairs stay the same when ``n`` grows.
    size : int
        Height and width (128 and 512 are the benchmark's sizes; at least 32).
    seed : int
        Same arguments, byte-identical pairs.

    Returns
    -------
    textured, structure : np.ndarray
        Each ``float32 [n, size, size, 3] in [0, 1]`` (new arrays; the pairs are cached).
    infos : list of dict
        One per pair: ``index``, ``split``, ``photo``, ``kind`` (texture name: a real texture
        of :data:`TEXTURES` or a procedural family), ``source`` (``"real"`` or
        ``"procedural"``), ``scale`` (px), ``scale_bin`` (of :data:`SCALES`), ``amplitude``,
        ``blend``, ``regions``, ``ramps``, ``edge_sigma`` and ``texture_params`` (the
        procedural texture's :func:`~gandetexture.textures.render` arguments, or ``{}``).
    """
    if split not in SPLIT_KEYS:
        raise ValueError(f"unknown benchmark split {split!r}; choose one of "
                         f"{', '.join(SPLIT_KEYS)}")
    if n < 0 or size < 32:
        raise ValueError(f"need n >= 0 and size >= 32, got n={n}, size={size}")
    textured, structure, infos = _pairs(split, int(n), int(size), int(seed))
    return np.array(textured), np.array(structure), [dict(info) for info in infos]


def breakdown(scores: Sequence[float] | np.ndarray, infos: Sequence[dict],
              key: str = "kind") -> dict[str, float]:
    """Mean score per group of pairs (lesson 07's tables per texture kind and per scale).

    Parameters
    ----------
    scores : array-like
        ``[n]``, one score per pair (PSNR, SSIM...).
    infos : sequence of dict
        The ``infos`` of :func:`photo_pairs` for the same pairs.
    key : str
        An info field to group by: ``"kind"``, ``"source"``, ``"photo"``, ``"blend"``, or
        ``"scale"`` (grouped by ``scale_bin``).

    Returns
    -------
    dict
        ``{group: mean score}``; scale bins in the order of :data:`SCALES` (keys ``"2"``,
        ``"4"``...), other groups sorted by name.
    """
    scores = np.asarray(scores, np.float64)
    if len(scores) != len(infos):
        raise ValueError(f"{len(scores)} scores for {len(infos)} pairs")
    field = "scale_bin" if key == "scale" else key
    groups: dict[str, list[float]] = {}
    for score, info in zip(scores, infos):
        groups.setdefault(str(info[field]), []).append(float(score))
    order = [str(s) for s in SCALES] if field == "scale_bin" else sorted(groups)
    return {group: float(np.mean(groups[group])) for group in order if group in groups}
