"""Classical baselines: what a learned model must beat.

Two kinds, one per task of the course:

- **texture removal** (lessons 04-05): scikit-image filters, tuned on a validation split;
- **texture generation** (lesson 06): images made without learning (:data:`BASELINES`), which
  :func:`gandetexture.metrics.texture_report` scores next to the generated ones.

Texture removal
---------------
Each filter smooths images ``float32 [N, H, W, 3] in [0, 1]`` with one to three parameters;
:func:`tune` picks, on validation pairs, the parameters with the best mean PSNR against the
true structure, so the comparison on the test split is fair to the filters (they get the same
chance to fit the data as the network does). :data:`FILTERS` holds each filter's grid,
:func:`timing` its milliseconds per image.

- ``"tv"``: total-variation denoising (Chambolle), ``weight`` swept: flattens regions, keeps
  edges (the textbook structure–texture decomposition);
- ``"gaussian"``: Gaussian blur, ``sigma`` swept: removes fine texture and blurs edges alike;
- ``"bilateral"``: bilateral filter, ``sigma_color`` × ``sigma_spatial`` swept: averages only
  similar neighbours;
- ``"median"``: median of a ``size`` × ``size`` window (OpenCV): removes specks, keeps edges;
- the classics of structure–texture filtering (:mod:`gandetexture.smoothing` and OpenCV's
  ``ximgproc``): ``"l0"`` (L0 gradient smoothing, Xu et al. 2011), ``"rtv"`` (relative total
  variation, Xu et al. 2012), ``"rolling"`` (rolling guidance, Zhang et al. 2014),
  ``"bilateral_texture"`` (bilateral texture filter, Cho et al. 2014) and ``"pyramid"``
  (pyramid texture filtering, Zhang et al. 2023).

Texture generation
------------------
Each baseline takes the exemplar ``float32 [H, W, 3] in [0, 1]`` and returns ``count`` images
``float32 [count, size, size, 3] in [-1, 1]``, each missing one thing a texture has:

- ``"matched noise"``: right colours, no texture at all;
- ``"phase-randomised"``: the exemplar's power spectrum (second-order statistics), no edges
  or shapes;
- ``"tiled crop"``: real texture, but periodic with visible seams;
- ``"image quilting"`` (Efros & Freeman 2001, :mod:`gandetexture.quilting`): real texture
  stitched along minimum-error cuts, no periodicity and few visible seams, but no new shapes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import cv2
import numpy as np

from gandetexture import exemplars, io, metrics, quilting, smoothing
from gandetexture.smoothing import as_batch as _batch

# --------------------------------------------------------------------------- texture removal


def tv(images, weight: float = 0.1) -> np.ndarray:
    """Total-variation denoising of ``[N, H, W, C]`` (or one ``[H, W, C]``) in [0, 1]."""
    from skimage.restoration import denoise_tv_chambolle

    batch = _batch(images)
    out = np.stack([denoise_tv_chambolle(x, weight=weight, channel_axis=-1) for x in batch])
    return out.astype(np.float32).reshape(np.shape(images))


def gaussian(images, sigma: float = 1.0) -> np.ndarray:
    """Gaussian blur of ``[N, H, W, C]`` (or one ``[H, W, C]``) in [0, 1]."""
    from skimage.filters import gaussian as blur

    batch = _batch(images)
    out = np.stack([blur(x, sigma=sigma, channel_axis=-1, preserve_range=True) for x in batch])
    return out.astype(np.float32).reshape(np.shape(images))


def bilateral(images, sigma_color: float = 0.1, sigma_spatial: float = 2.0) -> np.ndarray:
    """Bilateral filter of ``[N, H, W, C]`` (or one ``[H, W, C]``) in [0, 1]."""
    from skimage.restoration import denoise_bilateral

    batch = _batch(images)
    out = np.stack([denoise_bilateral(x, sigma_color=sigma_color, sigma_spatial=sigma_spatial,
                                      channel_axis=-1) for x in batch])
    return out.astype(np.float32).reshape(np.shape(images))


def median(images, size: int = 5) -> np.ndarray:
    """Median filter (``size`` × ``size``, odd) of ``[N, H, W, C]`` (or ``[H, W, C]``) in [0, 1].

    OpenCV's median works on 8-bit images for windows over 5 pixels, so every size goes
    through :func:`gandetexture.io.to_uint8` (a rounding error of at most 1/510).
    """
    return smoothing.per_image(
        lambda x: cv2.medianBlur(io.to_uint8(x), int(size)).astype(np.float32) / 255.0, images)


def bilateral_texture(images, radius: int = 3, iterations: int = 1) -> np.ndarray:
    """Bilateral texture filter (Cho et al. 2014, ``cv2.ximgproc.bilateralTextureFilter``).

    Each iteration replaces every pixel's guide by the mean of the neighbouring
    ``(2 radius + 1)²`` patch that varies least (modified RTV, so a patch on one side of an
    edge), then joint-bilateral-filters the image with that guide (range sigma chosen by
    OpenCV as in the paper). Images ``[N, H, W, C]`` (or one ``[H, W, C]``) in [0, 1].
    """
    return smoothing.per_image(lambda x: cv2.ximgproc.bilateralTextureFilter(
        x, None, int(radius), int(iterations)), images)


#: name -> (function, grid of keyword arguments tried by :func:`tune`).
FILTERS: dict[str, tuple[Callable[..., np.ndarray], list[dict[str, float]]]] = {
    "tv": (tv, [{"weight": w} for w in (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8)]),
    "gaussian": (gaussian, [{"sigma": s} for s in (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)]),
    "bilateral": (bilateral, [{"sigma_color": c, "sigma_spatial": s}
                              for c in (0.05, 0.1, 0.2, 0.4) for s in (1.0, 2.0, 4.0)]),
    "median": (median, [{"size": k} for k in (3, 5, 7, 9, 13)]),
    "l0": (smoothing.l0_smooth, [{"lam": lam} for lam in (0.002, 0.005, 0.01, 0.02, 0.04)]),
    "rtv": (smoothing.rtv, [{"lam": lam, "sigma": s} for lam in (0.0005, 0.001, 0.002)
                            for s in (1.0, 2.5)]),
    "rolling": (smoothing.rolling_guidance, [{"sigma_s": s, "sigma_r": r}
                                             for s in (2.0, 3.0, 5.0, 8.0) for r in (0.05, 0.1)]),
    "bilateral_texture": (bilateral_texture, [{"radius": r, "iterations": i}
                                              for r in (1, 2, 3, 5) for i in (1, 3)]),
    "pyramid": (smoothing.pyramid_texture, [{"levels": n, "sigma_r": r, "sigma_s": 4.0}
                                            for n in (3, 5, 8) for r in (0.05, 0.1)]),
}


def apply(name: str, images, **params: float) -> np.ndarray:
    """Apply the filter ``name`` (a key of :data:`FILTERS`) with ``params``.

    A batch ``[N, H, W, C]`` is split into one chunk per CPU core, filtered in threads: every
    filter treats each image on its own, and OpenCV, SciPy and NumPy release the GIL for
    most of their time (RTV on 24 pairs of 128²: 1.79 s in one thread, 0.95 s in two on
    2 cores; the results are identical).
    """
    if name not in FILTERS:
        raise ValueError(f"unknown filter {name!r}; choose one of {', '.join(FILTERS)}")
    fn, batch = FILTERS[name][0], np.asarray(images)
    workers = min(os.cpu_count() or 1, len(batch)) if batch.ndim == 4 else 1
    if workers < 2:
        return fn(images, **params)
    with ThreadPoolExecutor(workers) as pool:
        parts = pool.map(lambda chunk: fn(chunk, **params), np.array_split(batch, workers))
        return np.concatenate(list(parts))


def sweep(name: str, textured, structure,
          grid: Sequence[Mapping[str, float]] | None = None) -> list[dict[str, Any]]:
    """Mean PSNR and SSIM of filter ``name`` for every setting of its grid.

    Parameters
    ----------
    textured, structure : array-like
        Validation pairs, ``float32 [N, H, W, 3] in [0, 1]``.
    grid : sequence of dict, optional
        Settings to try (default: the grid of :data:`FILTERS`).

    Returns
    -------
    list of dict
        One ``{"params": {...}, "psnr": float, "ssim": float}`` per setting, in grid order.
    """
    if name not in FILTERS:
        raise ValueError(f"unknown filter {name!r}; choose one of {', '.join(FILTERS)}")
    rows = []
    for params in grid if grid is not None else FILTERS[name][1]:
        scores = metrics.image_scores(apply(name, textured, **params), structure)
        rows.append({"params": dict(params), **scores})
    return rows


def best(sweeps: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The row with the highest PSNR of each filter's sweep (``{name: rows of sweep}``)."""
    return {name: dict(max(rows, key=lambda row: row["psnr"])) for name, rows in sweeps.items()}


def tune(textured, structure, names: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    """Best setting (by mean PSNR) of each filter on validation pairs.

    ``names`` defaults to every filter of :data:`FILTERS`. Tuning all of them costs about
    3 s on 16 pairs of 32² (``smoke``), 28 s on 64 pairs of 64² (``cpu``) and 74 s on 48
    pairs of 128² (2-core CPU); pass ``names`` to tune fewer.

    Returns
    -------
    dict
        ``{name: {"params": {...}, "psnr": float, "ssim": float}}`` for each filter.
    """
    return best({name: sweep(name, textured, structure) for name in names or FILTERS})


def timing(name: str, images, params: Mapping[str, float] | None = None,
           repeats: int = 3, warm_up: bool = True) -> float:
    """Milliseconds per image of filter ``name`` with ``params`` (its defaults if not given).

    One untimed warm-up call on the first image (imports, caches; ``warm_up=False`` skips it
    for a filter already timed in this session, which on one large image would double the
    cost), then the best of ``repeats`` timed calls on all of ``images`` (``[N, H, W, 3]`` in
    [0, 1]) through :func:`apply`, so a batch is filtered on every core; wall time on whatever
    the machine is doing, so compare filters timed in one session.
    """
    batch = _batch(images)
    params = dict(params or {})
    if warm_up:
        apply(name, batch[:1], **params)
    runs = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        apply(name, batch, **params)
        runs.append(time.perf_counter() - start)
    return 1000.0 * min(runs) / len(batch)


# --------------------------------------------------------------------------- texture generation


def matched_noise(exemplar: np.ndarray, size: int, count: int, seed: int = 0) -> np.ndarray:
    """Baseline: independent Gaussian pixels with the exemplar's colour mean and covariance.

    Right colours, no texture at all. Returns ``float32 [count, size, size, 3] in [-1, 1]``.
    """
    rng = np.random.default_rng(seed)
    pixels = np.asarray(exemplar, np.float64).reshape(-1, 3)
    mean, cov = pixels.mean(axis=0), np.cov(pixels.T) + 1e-9 * np.eye(3)
    draws = rng.multivariate_normal(mean, cov, size=(count, size, size), method="eigh")
    return (np.clip(draws, 0.0, 1.0) * 2.0 - 1.0).astype(np.float32)


def phase_randomised(exemplar: np.ndarray, size: int, count: int, seed: int = 0) -> np.ndarray:
    """Baseline: crops of the phase-randomised exemplar.

    The exemplar's Fourier amplitudes are kept and its phases replaced by those of white
    noise (the same for the three channels, so colours stay correlated): the same power
    spectrum, hence the same second-order statistics, but no edges or shapes.
    Returns ``float32 [count, size, size, 3] in [-1, 1]``.
    """
    rng = np.random.default_rng(seed)
    image = np.asarray(exemplar, np.float64)[..., :3]
    mean = image.mean(axis=(0, 1))
    spectrum = np.fft.fft2(image - mean, axes=(0, 1))
    phase = np.exp(1j * np.angle(np.fft.fft2(rng.standard_normal(image.shape[:2]))))
    phase[0, 0] = 1.0
    shuffled = np.real(np.fft.ifft2(spectrum * phase[..., None], axes=(0, 1))) + mean
    return exemplars.patches(np.clip(shuffled, 0.0, 1.0).astype(np.float32), size, count,
                             seed + 1)


def tiled_crop(exemplar: np.ndarray, size: int, count: int, seed: int = 0,
               tiles: int = 2) -> np.ndarray:
    """Baseline: a real crop of ``size / tiles`` repeated ``tiles × tiles`` times.

    Real texture, but periodic with visible seams: it shows what texture statistics do not see.
    Returns ``float32 [count, size, size, 3] in [-1, 1]``.
    """
    small = exemplars.patches(exemplar, -(-size // tiles), count, seed)
    return np.tile(small, (1, tiles, tiles, 1))[:, :size, :size]


def quilted(exemplar: np.ndarray, size: int, count: int, seed: int = 0) -> np.ndarray:
    """Baseline: image quilting (:func:`gandetexture.quilting.quilt`, default block and
    overlap), ``count`` images of ``size²`` with seeds ``seed, ..., seed + count - 1``.

    Real texture without repetition, joined along minimum-error cuts: the classical method a
    texture GAN has to match. Sizes up to the block (96 px for a 512² exemplar) are one
    random block, i.e. a random crop. Returns ``float32 [count, size, size, 3] in [-1, 1]``.
    """
    image = np.asarray(exemplar, np.float32)[..., :3]
    images = np.empty((count, size, size, 3), np.float32)
    for k in range(count):
        images[k] = quilting.quilt(image, size, size, seed=seed + k)
    return images * 2.0 - 1.0


#: Texture-generation baselines: name -> ``f(exemplar, size, count, seed)``. Image quilting
#: comes last, so the other rows of :func:`gandetexture.metrics.texture_report` keep their seeds.
BASELINES = {"matched noise": matched_noise, "phase-randomised": phase_randomised,
             "tiled crop": tiled_crop, "image quilting": quilted}


def candidates(train_half: np.ndarray, generated: np.ndarray, size: int, seed: int = 0
               ) -> dict[str, np.ndarray]:
    """Lesson 06's candidates for judging a texture GAN: one ``size × size`` image each, made
    from the train half only.

    Parameters
    ----------
    train_half : np.ndarray
        ``float32 [H, W, 3] in [0, 1]``.
    generated : np.ndarray
        The GAN's image, ``float32 [size, size, 3] in [-1, 1]`` (as a texture model paints).
    size : int
        Side of every candidate; the phase-randomised one is at most as large as the half's
        shorter side.

    Returns
    -------
    dict
        ``{"image quilting", "GAN", "tiled crop", "phase-randomised": float32 [.., .., 3] in
        [0, 1]}``.
    """
    side = min(size, *train_half.shape[:2])
    return {"image quilting": quilting.quilt(train_half, size, seed=seed),
            "GAN": (np.asarray(generated, np.float32) + 1) / 2,
            "tiled crop": (tiled_crop(train_half, size, 1, seed)[0] + 1) / 2,
            "phase-randomised": (phase_randomised(train_half, side, 1, seed)[0] + 1) / 2}
