"""Histogram matching of an image to an exemplar, at every scale (lesson 06).

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


def match(image, exemplar, levels: int = 3, iterations: int = 2) -> np.ndarray:
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
    x = matched(x, reference)
    for _ in range(int(iterations)):
        x = np.sum([matched(a, b) for a, b in zip(bands(x, levels), targets)], axis=0)
        x = matched(np.clip(x, 0.0, 1.0), reference)
    return x
