"""Structure images: piecewise-smooth pictures of shapes, the "clean" half of a training pair.

A structure image is what texture removal should give back: a smooth background (a linear
colour gradient) with a few shapes on top (ellipses, rotated rectangles, regular polygons,
half-planes), each filled with a flat colour or a linear gradient, with a sharp
(anti-aliased) or soft edge. Shapes are drawn from signed distances, so everything is
vectorised over pixels; the same seed gives the same image, byte for byte.
"""

from __future__ import annotations

import numpy as np

#: Range of the edge blur ``sigma`` (px) of :func:`flatten`, drawn per image.
EDGE_SIGMA = (0.0, 1.5)

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
          gradient: bool, muted: float = 0.0) -> np.ndarray:
    """A flat colour or a linear gradient between two colours, ``[H, W, 3]``; with
    probability ``muted`` pulled towards its own grey, keeping 0-40% of its colourfulness
    (``muted=0`` draws nothing more from ``rng``, so older images stay the same)."""
    first = rng.uniform(0.05, 0.95, 3).astype(np.float32)
    if not gradient:
        colours = np.broadcast_to(first, (*x.shape, 3))
    else:
        second = np.clip(first + rng.uniform(-0.5, 0.5, 3), 0.0, 1.0).astype(np.float32)
        angle = float(rng.uniform(0, 2 * np.pi))
        t = ((x - size / 2) * float(np.cos(angle)) + (y - size / 2) * float(np.sin(angle))) \
            / size + 0.5
        t = np.clip(t, 0.0, 1.0)[..., None]
        colours = first + t * (second - first)
    if muted > 0 and rng.random() < muted:
        grey = colours.mean(-1, keepdims=True)
        colours = grey + rng.uniform(0.0, 0.4) * (colours - grey)
    return colours


def structure(size: int, seed: int, n_shapes: int | tuple[int, int] = (2, 6),
              soft: float = 0.3, gradient: float = 0.5, muted: float = 0.0) -> np.ndarray:
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
    muted : float
        Probability that a fill (and the background) is muted: pulled towards its own grey,
        keeping 0-40% of its colourfulness. Each channel of a fill is drawn on its own, so
        without this a muted picture is rare; photographs are mostly muted.

    Returns
    -------
    np.ndarray
        ``float32 [size, size, 3] in [0, 1]``.
    """
    rng = np.random.default_rng([int(seed), 104729])
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    image = np.array(_fill(x, y, size, rng, gradient=True, muted=muted), dtype=np.float32)
    count = n_shapes if np.isscalar(n_shapes) else int(rng.integers(n_shapes[0],
                                                                    n_shapes[1] + 1))
    for _ in range(int(count)):
        kind = SHAPES[int(rng.choice(len(SHAPES), p=[0.35, 0.3, 0.25, 0.1]))]
        distance = _signed_distance(kind, x, y, size, rng)
        width = float(rng.uniform(1.5, max(2.0, size / 12))) if rng.random() < soft else 1.0
        alpha = np.clip(0.5 - distance / width, 0.0, 1.0)[..., None]
        fill = _fill(x, y, size, rng, gradient=rng.random() < gradient, muted=muted)
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


def flatten(image: np.ndarray, rng: np.random.Generator,
            edge_sigma: float | None = None) -> tuple[np.ndarray, np.ndarray, dict]:
    """Flatten a photograph into regions of constant or linearly varying colour.

    Parameters
    ----------
    image : np.ndarray
        ``float32 [S, S, 3] in [0, 1]``.
    rng : np.random.Generator
        Draws the segmentation's coarseness, the share of ramp-filled regions, which regions
        get a ramp, and the edge blur.
    edge_sigma : float, optional
        Gaussian blur of the result in px (0: hard edges); default drawn in
        :data:`EDGE_SIGMA`.

    Returns
    -------
    flat : np.ndarray
        ``float32 [S, S, 3] in [0, 1]``.
    labels : np.ndarray
        ``int [S, S]``, the region of each pixel (``0 .. regions - 1``).
    info : dict
        ``regions`` (count), ``ramps`` (how many of them are ramps), ``edge_sigma``.
    """
    from skimage.filters import gaussian
    from skimage.segmentation import felzenszwalb

    size = image.shape[0]
    coarseness = float(np.exp(rng.uniform(np.log(40.0), np.log(200.0))))
    labels = felzenszwalb(image, scale=coarseness, sigma=0.8, min_size=max(8, size // 3))
    flat_labels = labels.ravel()
    n = int(flat_labels.max()) + 1
    ramp = rng.random(n) < rng.uniform(0.0, 1.0)
    sigma = float(rng.uniform(*EDGE_SIGMA)) if edge_sigma is None else float(edge_sigma)

    def total(values):  # per-region sums, [n]
        return np.bincount(flat_labels, values.ravel(), n)

    y, x = (np.mgrid[0:size, 0:size].astype(np.float64) + 0.5) / size
    count = np.bincount(flat_labels, minlength=n).astype(np.float64)
    mean_y, mean_x = total(y) / count, total(x) / count
    dy, dx = y.ravel() - mean_y[flat_labels], x.ravel() - mean_x[flat_labels]
    # centred second moments, with a ridge of one pixel² so thin regions stay well-posed
    ridge = count / size ** 2
    cyy, cxx, cxy = total(dy * dy) + ridge, total(dx * dx) + ridge, total(dx * dy)
    det = cyy * cxx - cxy ** 2
    flat = np.empty((size * size, 3), np.float64)
    for c in range(3):
        v = image[..., c].astype(np.float64).ravel()
        mean_v = total(v) / count
        vy, vx = total(dy * v), total(dx * v)
        gy = np.where(ramp, (cxx * vy - cxy * vx) / det, 0.0)
        gx = np.where(ramp, (cyy * vx - cxy * vy) / det, 0.0)
        flat[:, c] = mean_v[flat_labels] + gy[flat_labels] * dy + gx[flat_labels] * dx
    flat = np.clip(flat.reshape(size, size, 3), 0.0, 1.0)
    if sigma > 0.0:
        flat = gaussian(flat, sigma=sigma, mode="nearest", channel_axis=-1,
                        preserve_range=True)
    info = {"regions": n, "ramps": int(ramp.sum()), "edge_sigma": sigma}
    return flat.astype(np.float32), labels, info


def flattened(size: int, seed: int) -> np.ndarray:
    """A procedural picture flattened like a photograph (:func:`flatten`).

    The source is a :func:`natural` dead-leaves picture under smooth, irregular light and
    colour variations (fractal noise at a third of the image), so the regions :func:`flatten`
    finds have the irregular outlines and ramps of a flattened photograph, while nothing comes
    from a photograph. Returns ``float32 [size, size, 3] in [0, 1]``.
    """
    from gandetexture.textures import fbm

    rng = np.random.default_rng([int(seed), 611953])
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / (size / 3.0)
    keys = rng.integers(0, 2**31, 2)
    light = 0.7 + 0.6 * fbm(x, y, int(keys[0]))
    tint = (fbm(y, x, int(keys[1])) - 0.5)[..., None] * rng.normal(0.0, 0.3, 3)
    source = np.clip(natural(size, seed) * light[..., None] + tint, 0.0, 1.0)
    return flatten(source.astype(np.float32), rng)[0]


#: What :func:`make_structures` can draw: shapes on a gradient, dead leaves, flattened
#: pictures, or shapes and dead leaves alternately.
KINDS = ("shapes", "natural", "flattened", "mixed")


def make_structures(n: int, size: int, seed: int, kind: str = "shapes",
                    **options) -> np.ndarray:
    """``n`` structure images, image ``i`` drawn with seed ``hash(seed, i)``.

    ``kind``: ``"shapes"`` (:func:`structure`), ``"natural"`` (:func:`natural`),
    ``"flattened"`` (:func:`flattened`) or ``"mixed"`` (even images shapes, odd ones
    natural). ``options`` go to the drawing function.

    Returns
    -------
    np.ndarray
        ``float32 [n, size, size, 3] in [0, 1]``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown structure kind {kind!r}; choose one of {', '.join(KINDS)}")
    seeds = np.random.default_rng([int(seed), 15485863]).integers(0, 2**31, n)
    draw = [flattened if kind == "flattened" else
            natural if kind == "natural" or (kind == "mixed" and i % 2) else structure
            for i in range(n)]
    return np.stack([f(size, int(s), **options) for f, s in zip(draw, seeds)]) if n else \
        np.zeros((0, size, size, 3), np.float32)
