"""Image quilting: texture synthesis by stitching together blocks of the exemplar.

Image quilting (Efros & Freeman, "Image Quilting for Texture Synthesis and Transfer",
SIGGRAPH 2001) makes a new image of any size from real pieces of the exemplar: it lays
square blocks in raster order, each overlapping its left and top neighbours by a few pixels.
Every block is chosen among *all* blocks of the exemplar for how well it agrees with what is
already there in the overlap (sum of squared differences; any block within a tolerance of the
best one is drawn at random, so the result is not a copy), and is then pasted only on its side
of the *minimum-error boundary cut*, the path through the overlap where old and new pixels
differ least, found by dynamic programming. Nothing is learnt and every pixel is an exemplar
pixel, so it is the classical anchor a texture GAN is compared with: real texture with
plausible, seldom visible seams, but no new shapes.

:func:`quilt` is the algorithm; :func:`gandetexture.baselines.quilted` wraps it as a
texture-generation baseline.
"""

from __future__ import annotations

import cv2
import numpy as np

from gandetexture import exemplars

#: Mean squared difference per value (about 1/255 RMS) below which an overlap error counts as
#: zero: OpenCV's float32 ``TM_SQDIFF`` (a Fourier-domain correlation) leaves rounding noise
#: there, and an exact match (a periodic exemplar) must not lose to it.
ERROR_FLOOR = 2e-5


def default_block(height: int, width: int) -> int:
    """Block side for an exemplar of ``height × width``: a quarter of its short side, in
    [16, 96] (large enough to hold a texture's largest element, e.g. a brick and its mortar,
    small enough that the exemplar offers many blocks to choose from)."""
    return int(np.clip(min(height, width) // 4, 16, 96))


def default_overlap(block: int) -> int:
    """Overlap of neighbouring blocks: a sixth of the block, at least 2 pixels (the paper's
    choice; wide enough for the boundary cut to go round an element)."""
    return max(2, block // 6)


def _checked(exemplar, block: int | None, overlap: int | None) -> tuple[np.ndarray, int, int]:
    """The exemplar as ``float32 [H, W, C]`` and the block and overlap sizes, validated."""
    image = np.asarray(exemplar, np.float32)
    if image.ndim != 3 or image.shape[-1] not in (1, 3):
        raise exemplars.ExemplarError(
            f"an exemplar to quilt must be [H, W, 1] or [H, W, 3]; got shape {image.shape} "
            f"(add a channel axis to a grey image: image[..., None])")
    if not np.all(np.isfinite(image)):
        raise exemplars.ExemplarError("the exemplar holds non-finite values (NaN or inf); "
                                      "quilt an image with values in [0, 1]")
    h, w = image.shape[:2]
    block = default_block(h, w) if block is None else int(block)
    overlap = default_overlap(block) if overlap is None else int(overlap)
    if overlap < 1 or block <= overlap:
        raise ValueError(f"block ({block} px) must be larger than overlap ({overlap} px), and "
                         f"overlap at least 1; e.g. overlap = block // 6")
    if h < block + 1 or w < block + 1:
        raise exemplars.ExemplarError(
            f"the exemplar is {h}×{w} pixels, too small for {block}×{block} blocks (it must be "
            f"at least {block + 1}×{block + 1} so there is a choice of blocks); pass a smaller "
            f"block or a larger exemplar")
    return image, block, overlap


def _sqdiff(image: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Sum of squared differences (over pixels and channels) between ``template [t, s, C]``
    and every ``t × s`` window of ``image [h, w, C]``: ``float32 [h - t + 1, w - s + 1]``."""
    if image.shape[-1] == 1:  # OpenCV wants a 2-D array for one channel
        image, template = image[..., 0], template[..., 0]
    return cv2.matchTemplate(image, np.ascontiguousarray(template), cv2.TM_SQDIFF)


def overlap_error(source: np.ndarray, done: np.ndarray, block: int, overlap: int,
                  left: bool, top: bool) -> np.ndarray:
    """Overlap error of every block of the exemplar against what the canvas already holds.

    Parameters
    ----------
    source : np.ndarray
        The exemplar, ``float32 [H, W, C]``.
    done : np.ndarray
        The canvas under the new block, ``float32 [block, block, C]``; only its left
        ``overlap`` columns (if ``left``) and top ``overlap`` rows (if ``top``) are read.
    block, overlap : int
        Block side and overlap width.
    left, top : bool
        Which overlaps the new block has (both: the L-shape).

    Returns
    -------
    np.ndarray
        ``float32 [H - block + 1, W - block + 1]``: at ``(y, x)`` the sum of squared
        differences over the overlap between ``done`` and the exemplar's block whose top-left
        corner is ``(y, x)``; zeros when there is no overlap (the first block).
    """
    h, w = source.shape[:2]
    error = np.zeros((h - block + 1, w - block + 1), np.float32)
    if left:
        error += _sqdiff(source[:, :w - block + overlap], done[:, :overlap])
    if top:
        # in the L-shape the corner is already in the left strip: match only the rest
        skip = overlap if left else 0
        error += _sqdiff(source[:h - block + overlap, skip:], done[:overlap, skip:])
    return np.maximum(error, 0.0)  # rounding can make an exact match slightly negative


def _pick(error: np.ndarray, tolerance: float, floor: float,
          rng: np.random.Generator) -> tuple[int, int]:
    """``(y, x)`` drawn uniformly among the positions whose error is at most
    ``(1 + tolerance) × min + floor``."""
    limit = (1.0 + tolerance) * float(error.min()) + floor
    candidates = np.flatnonzero(error <= limit)
    y, x = divmod(int(candidates[rng.integers(candidates.size)]), error.shape[1])
    return y, x


def min_cut(cost: np.ndarray) -> np.ndarray:
    """Minimum-error boundary cut from the top row to the bottom row of an error surface.

    Dynamic programming: ``total[i, j] = cost[i, j] + min(total[i-1, j-1 : j+2])``, then a
    walk back up from the cheapest end; the path moves at most one column per row. One
    Python step per row (the recursion runs along the cut), each vectorised over the
    overlap's width.

    Parameters
    ----------
    cost : np.ndarray
        ``[n, k]``: the squared difference of old and new pixels in a vertical overlap of
        ``n`` rows and ``k`` columns (transpose a horizontal one).

    Returns
    -------
    np.ndarray
        ``int [n]``: per row, the first column that takes the new block's pixels (the cut
        pixel itself is new).
    """
    n, k = cost.shape
    total = np.full((n, k + 2), np.inf)  # an inf column each side: no path leaves the strip
    total[:, 1:-1] = cost
    best = np.empty(k)
    for i in range(1, n):
        above = total[i - 1]
        np.minimum(above[:-2], above[1:-1], out=best)
        np.minimum(best, above[2:], out=best)
        total[i, 1:-1] += best
    path = np.empty(n, np.intp)
    path[-1] = int(np.argmin(total[-1, 1:-1]))
    for i in range(n - 2, -1, -1):
        j = path[i + 1]  # padded columns j, j + 1, j + 2 are columns j - 1, j, j + 1
        path[i] = j - 1 + int(np.argmin(total[i, j:j + 3]))
    return path


def _new_side(new: np.ndarray, done: np.ndarray, overlap: int, left: bool,
              top: bool) -> np.ndarray:
    """``bool [block, block]``: where the new block is pasted, i.e. right of the vertical cut
    through the left overlap and below the horizontal cut through the top overlap (for the
    L-shape both, as in the paper)."""
    block = new.shape[0]
    mask = np.ones((block, block), bool)
    steps = np.arange(overlap)
    if left:
        cost = np.sum((new[:, :overlap] - done[:, :overlap]) ** 2, axis=-1)
        mask[:, :overlap] &= steps[None, :] >= min_cut(cost)[:, None]
    if top:
        cost = np.sum((new[:overlap] - done[:overlap]) ** 2, axis=-1)
        mask[:overlap] &= steps[:, None] >= min_cut(cost.T)[None, :]
    return mask


def quilt(exemplar: np.ndarray, height: int, width: int | None = None, block: int | None = None,
          overlap: int | None = None, tolerance: float = 0.1, seed: int = 0) -> np.ndarray:
    """Synthesise a texture of any size by image quilting (Efros & Freeman 2001).

    Parameters
    ----------
    exemplar : np.ndarray
        ``float32 [H, W, C] in [0, 1]``, ``C`` = 1 or 3, at least ``block + 1`` pixels each
        way.
    height, width : int
        Output size (``width`` defaults to ``height``); any size: a canvas of whole blocks is
        quilted and cropped.
    block : int, optional
        Block side in pixels; it should hold the texture's largest element. Default
        :func:`default_block` (96 for a 512×512 exemplar).
    overlap : int, optional
        Overlap of neighbouring blocks, less than ``block``. Default :func:`default_overlap`
        (``block // 6``, at least 2).
    tolerance : float
        Blocks whose overlap error is within ``(1 + tolerance)`` of the best are equally
        likely (0: always one of the best; larger: more variety, more visible seams).
    seed : int
        Seeds ``numpy.random.default_rng``; the same seed gives byte-identical output.

    Returns
    -------
    np.ndarray
        ``float32 [height, width, C]``: every pixel a pixel of the exemplar (so within its
        range).

    Raises
    ------
    gandetexture.exemplars.ExemplarError
        If the exemplar has the wrong shape, non-finite values, or is smaller than
        ``block + 1`` either way (a ``ValueError``, naming the sizes).
    ValueError
        If ``block <= overlap``, ``overlap < 1``, a size below 1 or a negative tolerance.
    """
    width = height if width is None else width
    height, width = int(height), int(width)
    if height < 1 or width < 1:
        raise ValueError(f"output size must be at least 1×1; got {height}×{width}")
    if not tolerance >= 0.0:
        raise ValueError(f"tolerance must be a number >= 0; got {tolerance}")
    source, block, overlap = _checked(exemplar, block, overlap)
    # A grey image stored as RGB matches on one channel: the same choices at a third the cost.
    gray = source.shape[-1] == 3 and exemplars.is_gray(source)
    match = np.ascontiguousarray(source[..., :1]) if gray else source
    step = block - overlap
    rows = max(1, -(-(height - overlap) // step))  # ceil: blocks needed to cover the output
    cols = max(1, -(-(width - overlap) // step))
    canvas = np.zeros((rows * step + overlap, cols * step + overlap, source.shape[-1]),
                      np.float32)
    rng = np.random.default_rng(seed)
    for i in range(rows):
        for j in range(cols):
            top, left = i > 0, j > 0
            y0, x0 = i * step, j * step
            done = canvas[y0:y0 + block, x0:x0 + block]
            seen = done[..., :match.shape[-1]]
            error = overlap_error(match, seen, block, overlap, left, top)
            values = (left * block + top * (block - left * overlap)) * overlap
            y, x = _pick(error, tolerance, ERROR_FLOOR * values * match.shape[-1], rng)
            mask = _new_side(match[y:y + block, x:x + block], seen, overlap, left, top)
            done[mask] = source[y:y + block, x:x + block][mask]  # a view: writes the canvas
    return canvas[:height, :width].copy()
