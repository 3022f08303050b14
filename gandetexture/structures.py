"""Structure images: piecewise-smooth pictures of shapes, the "clean" half of a training pair.

A structure image is what texture removal should give back: a smooth background (a linear
colour gradient) with a few shapes on top (ellipses, rotated rectangles, regular polygons,
half-planes), each filled with a flat colour or a linear gradient, with a sharp
(anti-aliased) or soft edge. Shapes are drawn from signed distances, so everything is
vectorised over pixels; the same seed gives the same image, byte for byte.
"""

from __future__ import annotations

import numpy as np

#: The shape kinds drawn by :func:`structure`.
SHAPES = ("ellipse", "rectangle", "polygon", "halfplane")


def _signed_distance(kind: str, x: np.ndarray, y: np.ndarray, size: int,
                     rng: np.random.Generator) -> np.ndarray:
    """Approximate signed distance in pixels (negative inside) to a random shape."""
    # Python floats (not NumPy float64 scalars) keep the float32 arrays in float32
    cx, cy = (float(v) for v in rng.uniform(0.1, 0.9, 2) * size)
    angle = float(rng.uniform(0, np.pi))
    c, s = float(np.cos(angle)), float(np.sin(angle))
    xr = (x - cx) * c + (y - cy) * s
    yr = -(x - cx) * s + (y - cy) * c
    if kind == "ellipse":
        a, b = (float(v) for v in rng.uniform(0.08, 0.35, 2) * size)
        q = np.sqrt((xr / a) ** 2 + (yr / b) ** 2)
        return (q - 1.0) * min(a, b)
    if kind == "rectangle":
        a, b = (float(v) for v in rng.uniform(0.08, 0.3, 2) * size)
        return np.maximum(np.abs(xr) - a, np.abs(yr) - b)
    if kind == "polygon":
        sides = int(rng.integers(3, 7))
        radius = float(rng.uniform(0.12, 0.35)) * size
        d = np.full(x.shape, -np.inf, np.float32)
        for k in range(sides):
            phi = 2 * np.pi * k / sides
            d = np.maximum(d, xr * float(np.cos(phi)) + yr * float(np.sin(phi)) - radius)
        return d
    # half-plane through (cx, cy)
    return xr


def _fill(x: np.ndarray, y: np.ndarray, size: int, rng: np.random.Generator,
          gradient: bool) -> np.ndarray:
    """A flat colour or a linear gradient between two colours, ``[H, W, 3]``."""
    first = rng.uniform(0.05, 0.95, 3).astype(np.float32)
    if not gradient:
        return np.broadcast_to(first, (*x.shape, 3))
    second = np.clip(first + rng.uniform(-0.5, 0.5, 3), 0.0, 1.0).astype(np.float32)
    angle = float(rng.uniform(0, 2 * np.pi))
    t = ((x - size / 2) * float(np.cos(angle)) + (y - size / 2) * float(np.sin(angle))) / size \
        + 0.5
    t = np.clip(t, 0.0, 1.0)[..., None]
    return first + t * (second - first)


def structure(size: int, seed: int, n_shapes: int | tuple[int, int] = (2, 6),
              soft: float = 0.3, gradient: float = 0.5) -> np.ndarray:
    """One piecewise-smooth structure image.

    Parameters
    ----------
    size : int
        Height and width in pixels.
    seed : int
        Same seed, same image.
    n_shapes : int or (low, high)
        Number of shapes, or the inclusive range it is drawn from.
    soft : float
        Probability that a shape has a soft edge (1.5 to ``size / 12`` pixels wide) instead
        of a sharp, anti-aliased one.
    gradient : float
        Probability that a fill (and the background) is a linear gradient, not flat.

    Returns
    -------
    np.ndarray
        ``float32 [size, size, 3] in [0, 1]``.
    """
    rng = np.random.default_rng([int(seed), 104729])
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    image = np.array(_fill(x, y, size, rng, gradient=True), dtype=np.float32)
    count = n_shapes if np.isscalar(n_shapes) else int(rng.integers(n_shapes[0],
                                                                    n_shapes[1] + 1))
    for _ in range(int(count)):
        kind = SHAPES[int(rng.choice(len(SHAPES), p=[0.35, 0.3, 0.25, 0.1]))]
        distance = _signed_distance(kind, x, y, size, rng)
        width = float(rng.uniform(1.5, max(2.0, size / 12))) if rng.random() < soft else 1.0
        alpha = np.clip(0.5 - distance / width, 0.0, 1.0)[..., None]
        fill = _fill(x, y, size, rng, gradient=rng.random() < gradient)
        image += alpha * (fill - image)
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def natural_color(rng: np.random.Generator) -> np.ndarray:
    """A colour with the statistics of photographs: mostly of low saturation, the channels
    correlated (a luminance plus a small chroma), ``float32 [3] in [0, 1]``."""
    luminance = float(rng.uniform(0.08, 0.92))
    chroma = rng.normal(0.0, float(rng.choice([0.03, 0.08, 0.18], p=[0.5, 0.35, 0.15])), 3)
    return np.clip(luminance + chroma - chroma.mean(), 0.0, 1.0).astype(np.float32)


def natural(size: int, seed: int, n_shapes: tuple[int, int] = (20, 100)) -> np.ndarray:
    """A structure image closer to a photograph than :func:`structure`.

    A *dead leaves* picture (occluding shapes of every size, from 2 pixels to half the image,
    as many per octave of size: scale-invariant, like natural images), each shape filled with a
    :func:`natural_color` and a gentle linear shading, with hard or soft edges, over a shaded
    background.

    Returns
    -------
    np.ndarray
        ``float32 [size, size, 3] in [0, 1]``; the same seed gives the same image.
    """
    rng = np.random.default_rng([int(seed), 130363])
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    image = _shade(x, y, size, rng, natural_color(rng))
    count = int(rng.integers(n_shapes[0], n_shapes[1] + 1))
    # radii log-uniform from 2 px to half the image: as many shapes per octave of size, so
    # small regions are many and the large ones still cover the picture (dead leaves)
    radii = np.exp(rng.uniform(np.log(2.0), np.log(size / 2.0), count))
    for radius in np.sort(radii)[::-1]:  # large shapes first, small ones on top
        distance = _leaf(x, y, size, float(radius), rng)
        width = float(rng.uniform(1.0, 4.0)) if rng.random() < 0.4 else 1.0
        alpha = np.clip(0.5 - distance / width, 0.0, 1.0)[..., None]
        image += alpha * (_shade(x, y, size, rng, natural_color(rng)) - image)
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def _leaf(x: np.ndarray, y: np.ndarray, size: int, radius: float,
          rng: np.random.Generator) -> np.ndarray:
    """Signed distance in pixels (negative inside) to an ellipse, a rectangle or a polygon of
    about ``radius`` pixels, centred anywhere in the image, at a random angle."""
    cx, cy = (float(v) for v in rng.uniform(0.0, 1.0, 2) * size)
    angle = float(rng.uniform(0, np.pi))
    c, s = float(np.cos(angle)), float(np.sin(angle))
    xr, yr = (x - cx) * c + (y - cy) * s, -(x - cx) * s + (y - cy) * c
    a, b = (radius * float(v) for v in rng.uniform(0.5, 1.5, 2))
    kind = int(rng.choice(3, p=[0.45, 0.3, 0.25]))
    if kind == 0:  # ellipse
        return (np.sqrt((xr / a) ** 2 + (yr / b) ** 2) - 1.0) * min(a, b)
    if kind == 1:  # rectangle
        return np.maximum(np.abs(xr) - a, np.abs(yr) - b)
    sides = int(rng.integers(3, 7))  # regular polygon
    phis = 2 * np.pi * np.arange(sides) / sides
    return np.max([xr * float(np.cos(p)) + yr * float(np.sin(p)) - a for p in phis], axis=0)


def _shade(x: np.ndarray, y: np.ndarray, size: int, rng: np.random.Generator,
           color: np.ndarray) -> np.ndarray:
    """``color`` under a gentle linear shading (light falling across it), ``[H, W, 3]``."""
    angle = float(rng.uniform(0, 2 * np.pi))
    strength = float(rng.uniform(0.0, 0.25))
    t = ((x - size / 2) * float(np.cos(angle)) + (y - size / 2) * float(np.sin(angle))) / size
    return color * (1.0 + strength * t)[..., None]


#: What :func:`make_structures` can draw: shapes on a gradient, or dead leaves.
KINDS = ("shapes", "natural", "mixed")


def make_structures(n: int, size: int, seed: int, kind: str = "shapes",
                    **options) -> np.ndarray:
    """``n`` structure images, image ``i`` drawn with seed ``hash(seed, i)``.

    ``kind``: ``"shapes"`` (:func:`structure`), ``"natural"`` (:func:`natural`) or
    ``"mixed"`` (even images shapes, odd ones natural). ``options`` go to the drawing function.

    Returns
    -------
    np.ndarray
        ``float32 [n, size, size, 3] in [0, 1]``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown structure kind {kind!r}; choose one of {', '.join(KINDS)}")
    seeds = np.random.default_rng([int(seed), 15485863]).integers(0, 2**31, n)
    draw = [natural if kind == "natural" or (kind == "mixed" and i % 2) else structure
            for i in range(n)]
    return np.stack([f(size, int(s), **options) for f, s in zip(draw, seeds)]) if n else \
        np.zeros((0, size, size, 3), np.float32)
