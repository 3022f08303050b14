"""Histogram matching of an image to an exemplar, at every scale, and its power spectrum
(lesson 06).

Heeger and Bergen (1995) made texture from noise by matching, over and over, the histogram of
each band of an image pyramid to the exemplar's band. Here the same finishing step is applied
to what a texture GAN painted: its tones (the pixel histogram) and the contrast of its edges
at each scale (the band histograms) become the exemplar's, while where things are stays the
GAN's. Lesson 06 measures what it does to the two-sample test.

The bands are undecimated: ``band_l = blur_l − blur_{l+1}`` with Gaussian blurs of
σ = 2^l − 1 pixels (``blur_0`` the image itself), so they add up to the image exactly.
Images are ``float32 [H, W, 3] in [0, 1]``.
"""

from __future__ import annotations

import cv2
import numpy as np
from skimage.exposure import match_histograms


def bands(image, levels: int = 3) -> list[np.ndarray]:
    """Split an image into ``levels`` band-pass images and a low-pass rest.

    Parameters
    ----------
    image : array-like
        ``float32 [H, W, C]``.
    levels : int
        Band-pass levels (≥ 1); level ``l`` holds detail between the blurs of σ = 2^l − 1
        and 2^(l+1) − 1 pixels.

    Returns
    -------
    list of np.ndarray
        ``levels + 1`` arrays of the image's shape (the last the low-pass rest); their sum
        is the image.
    """
    if int(levels) != levels or levels < 1:
        raise ValueError(f"levels must be a whole number of at least 1, got {levels!r}")
    current = np.asarray(image, np.float32)
    out = []
    for level in range(int(levels)):
        sigma = 2.0 ** (level + 1) - 1.0
        blurred = cv2.GaussianBlur(current, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
        blurred = blurred.reshape(current.shape)  # cv2 drops a last axis of 1
        out.append(current - blurred)
        current = blurred
    out.append(current)
    return out


def radial_power(image, tile: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Power of an image's luminance per spatial frequency, averaged over directions.

    Welch's estimate: the mean ``|FFT|²`` of ``tile × tile`` windows (half overlapping, each
    less its mean, under a Hann window), averaged over rings of ``tile / 2 + 1`` equal widths
    from 0 to the corner frequency ``√2 / 2`` cycles per pixel (the diagonals count too).

    Returns
    -------
    (np.ndarray, np.ndarray)
        Ring centres in cycles per pixel and the mean power in each, ``float64 [tile/2 + 1]``.
    """
    g = np.asarray(image, np.float64)
    g = g.mean(axis=-1) if g.ndim == 3 else g
    if min(g.shape) < tile:
        raise ValueError(f"radial_power: an image of {g.shape[0]}×{g.shape[1]} pixels is "
                         f"smaller than one {tile}-px window")
    window = np.outer(np.hanning(tile), np.hanning(tile))
    step = tile // 2
    windows = np.stack([g[y:y + tile, x:x + tile]
                        for y in range(0, g.shape[0] - tile + 1, step)
                        for x in range(0, g.shape[1] - tile + 1, step)])
    windows = (windows - windows.mean(axis=(1, 2), keepdims=True)) * window
    power = (np.abs(np.fft.fft2(windows)) ** 2).mean(axis=0)
    f = np.fft.fftfreq(tile)
    radius = np.hypot(f[:, None], f[None, :])
    edges = np.linspace(0.0, 0.5 * np.sqrt(2.0), tile // 2 + 2)
    ring = np.clip(np.digitize(radius.ravel(), edges) - 1, 0, len(edges) - 2)
    counts = np.bincount(ring, minlength=len(edges) - 1)
    sums = np.bincount(ring, weights=power.ravel(), minlength=len(edges) - 1)
    return 0.5 * (edges[:-1] + edges[1:]), sums / np.maximum(counts, 1)


def match_spectrum(image, exemplar, tile: int = 64) -> np.ndarray:
    """``image`` with the radially averaged power spectrum of ``exemplar``.

    A zero-phase filter: each frequency's amplitude is multiplied by ``√(P_exemplar /
    P_image)`` at its radius (:func:`radial_power`, interpolated between rings, at most 4× up
    or down; the mean is kept), the same gain for every channel, so where things are stays
    the image's and only how much detail each scale holds changes. The image is mirrored by
    ``tile / 2`` pixels on every side while it is filtered, so its borders add no frequencies
    of their own.

    Parameters
    ----------
    image, exemplar : array-like
        ``float32 [H, W, C] in [0, 1]``; the sizes may differ, both at least ``tile`` wide.

    Returns
    -------
    np.ndarray
        ``float32`` of the image's shape, clipped to [0, 1].
    """
    x = np.asarray(image, np.float32)
    if x.ndim != 3:
        raise ValueError(f"match_spectrum takes an image [H, W, C]; got {x.shape}")
    centres, wanted = radial_power(exemplar, tile)
    _, have = radial_power(x, tile)
    # at most 4× either way: a nearly flat image must not have its noise blown up into
    # texture (the GAN's paintings need between about 0.6 and 2)
    gain = np.clip(np.sqrt(np.maximum(wanted, 1e-12) / np.maximum(have, 1e-12)), 0.25, 4.0)
    gain[0] = 1.0  # the lowest ring holds the mean: keep it
    pad = tile // 2
    padded = np.pad(x, ((pad, pad), (pad, pad), (0, 0)), mode="reflect")
    fy, fx = np.fft.fftfreq(padded.shape[0]), np.fft.fftfreq(padded.shape[1])
    h = np.interp(np.hypot(fy[:, None], fx[None, :]), centres, gain)
    out = np.real(np.fft.ifft2(np.fft.fft2(padded, axes=(0, 1)) * h[..., None], axes=(0, 1)))
    return np.clip(out[pad:-pad, pad:-pad], 0.0, 1.0).astype(np.float32)


def match(image, exemplar, levels: int = 3, iterations: int = 2,
          spectrum: bool = False) -> np.ndarray:
    """``image`` with the pixel histogram and the band histograms of ``exemplar``.

    Parameters
    ----------
    image, exemplar : array-like
        ``float32 [H, W, 3] in [0, 1]``; the sizes may differ.
    levels : int
        Band-pass levels matched (:func:`bands`).
    iterations : int
        Rounds of matching every band, then the pixels (matching one undoes a little of the
        other; two rounds settle it).
    spectrum : bool
        First give the image the exemplar's power spectrum (:func:`match_spectrum`; lesson
        06 measures what it adds).

    Returns
    -------
    np.ndarray
        ``float32`` of the image's shape, in [0, 1]; its pixel histogram per channel is the
        exemplar's (the last step matches it).
    """
    x = np.asarray(image, np.float32)
    reference = np.asarray(exemplar, np.float32)
    if x.ndim != 3 or reference.ndim != 3 or x.shape[-1] != reference.shape[-1]:
        raise ValueError(f"match takes two images [H, W, C] with the same C; got {x.shape} "
                         f"and {reference.shape}")

    def matched(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return match_histograms(a, b, channel_axis=-1).astype(np.float32)

    targets = bands(reference, levels)
    if spectrum:
        x = match_spectrum(x, reference)
    x = matched(x, reference)
    for _ in range(int(iterations)):
        x = np.sum([matched(a, b) for a, b in zip(bands(x, levels), targets)], axis=0)
        x = matched(np.clip(x, 0.0, 1.0), reference)
    return x
