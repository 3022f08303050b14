"""Procedural textures: seventeen families, vectorised over pixels, deterministic for a seed.

Every family is a function of pixel coordinates that have been rotated by ``orientation``
and divided by ``scale`` (the size of one repeat, in pixels), so the same four knobs work for
all of them:

- ``scale``: size of one repeat (stripe period, brick height, cell size...) in pixels;
- ``orientation``: rotation in degrees;
- ``contrast``: 1 keeps the full ``[0, 1]`` range, 0.5 halves it around mid-grey;
- ``color``: ``None`` (grey), one RGB colour (the light tone; the dark tone is a shade of it)
  or two RGB colours ``(dark, light)``.

Randomness (phases, cell positions, per-brick shades) comes from an integer hash of the
lattice coordinates keyed by ``seed``: no hidden global state, and the same arguments give
byte-identical images. :data:`DRAWN` are the families drawn at random by default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: Defaults of the parameters shared by every family.
DEFAULTS = {"scale": 8.0, "orientation": 0.0, "contrast": 1.0, "color": None}

_M32 = np.uint32(0xFFFFFFFF)


# --------------------------------------------------------------------------- helpers


def _hash(i: np.ndarray, j: np.ndarray, key: int, parts: int = 0):
    """Uniform ``float32 in [0, 1)`` from integer lattice coordinates and a key (vectorised);
    with ``parts`` (1 to 4): a list of that many independent 8-bit values, from one hash."""
    with np.errstate(over="ignore"):
        # lattice coordinates are small integers (|i| < 2**31): int32, reinterpreted as uint32
        a = np.asarray(np.asarray(i).astype(np.int32)).view(np.uint32)
        b = np.asarray(np.asarray(j).astype(np.int32)).view(np.uint32)
        k = np.uint32((int(key) * 0x9E3779B1 + 0x7F4A7C15) & 0xFFFFFFFF)
        x = (a * np.uint32(0x8DA6B343)) ^ (b * np.uint32(0xD8163841)) ^ k
        x ^= x >> np.uint32(16)
        x *= np.uint32(0x7FEB352D)
        x ^= x >> np.uint32(15)
        x *= np.uint32(0x846CA68B)
        x ^= x >> np.uint32(16)
    if parts:
        return [((x >> np.uint32(8 * m)) & np.uint32(255)).astype(np.float32) / np.float32(256)
                for m in range(parts)]
    return (x >> np.uint32(8)).astype(np.float32) * np.float32(1.0 / (1 << 24))


def _smooth(t: np.ndarray) -> np.ndarray:
    return t * t * (3.0 - 2.0 * t)


def _aa_step(edge: np.ndarray | float, x: np.ndarray, width: float) -> np.ndarray:
    """Anti-aliased step: 0 below ``edge``, 1 above, a ramp ``width`` wide."""
    return np.clip((x - edge) / max(width, 1e-6) + 0.5, 0.0, 1.0)


def value_noise(u: np.ndarray, v: np.ndarray, key: int) -> np.ndarray:
    """Smooth value noise in ``[0, 1]`` at lattice coordinates ``(u, v)`` (one unit per cell)."""
    iu, iv = np.floor(u), np.floor(v)
    fu, fv = _smooth(u - iu), _smooth(v - iv)
    n00, n10 = _hash(iu, iv, key), _hash(iu + 1, iv, key)
    n01, n11 = _hash(iu, iv + 1, key), _hash(iu + 1, iv + 1, key)
    top = n00 + (n10 - n00) * fu
    bottom = n01 + (n11 - n01) * fu
    return top + (bottom - top) * fv


def fbm(u: np.ndarray, v: np.ndarray, key: int, octaves: int = 4) -> np.ndarray:
    """Fractal (fBm) value noise in about ``[0, 1]``: octaves of halving size and weight."""
    total = np.zeros_like(u)
    weight, norm = 1.0, 0.0
    for octave in range(octaves):
        f = 2.0 ** octave
        total += weight * value_noise(u * f, v * f, key + 101 * octave)
        norm += weight
        weight *= 0.5
    return total / norm


def _worley(u: np.ndarray, v: np.ndarray, key: int, offsets: bool = False):
    """Distances to the nearest and second-nearest jittered lattice point, and its cell id;
    with ``offsets``, also ``(u, v)`` minus the nearest and the second-nearest point."""
    iu, iv = np.floor(u), np.floor(v)
    f1 = np.full(u.shape, np.inf, np.float32)
    f2 = np.full(u.shape, np.inf, np.float32)
    cell = np.zeros(u.shape, np.float32)
    near = [np.zeros_like(cell) for _ in range(4)] if offsets else []
    for du in (-1, 0, 1):
        for dv in (-1, 0, 1):
            cu, cv = iu + du, iv + dv
            pu = cu + _hash(cu, cv, key)
            pv = cv + _hash(cu, cv, key + 1)
            d = np.hypot(u - pu, v - pv)
            closer = d < f1
            if offsets:
                second = d < f2
                near[2:] = [np.where(closer, o, np.where(second, n, p))
                            for o, n, p in zip(near[:2], (u - pu, v - pv), near[2:])]
                near[:2] = [np.where(closer, n, o) for o, n in zip(near[:2], (u - pu, v - pv))]
            f2 = np.where(closer, f1, np.minimum(f2, d))
            cell = np.where(closer, _hash(cu, cv, key + 2), cell)
            f1 = np.minimum(f1, d)
    return (f1, f2, cell, near) if offsets else (f1, f2, cell)


def _rotate(u, v, angle):
    """``(u, v)`` rotated by ``-angle`` radians (the frame turned by ``angle``)."""
    c, s = np.float32(np.cos(angle)), np.float32(np.sin(angle))
    return u * c + v * s, v * c - u * s


def _fine(f, px):
    """Weight of detail of ``f`` cycles per unit: 1 when well sampled, 0 near Nyquist."""
    return float(np.clip(2.0 - 4.0 * f * px, 0.0, 1.0))


# --------------------------------------------------------------------------- the families
# Each takes (u, v, key, px): u, v the rotated coordinates in units of `scale`, `key` the seed,
# `px` the size of one pixel in those units (for anti-aliasing); returns [H, W] in [0, 1].


def stripes(u, v, key, px):
    """Parallel sinusoidal stripes with a slight wobble."""
    wobble = 0.15 * (value_noise(v * 0.25, u * 0.0, key) - 0.5)
    return 0.5 + 0.5 * np.sin(2 * np.pi * (u + wobble) + 6.283 * _hash(0, 0, key))


def checker(u, v, key, px):
    """A checkerboard (anti-aliased)."""
    phase = _hash(0, 0, key)
    s = np.sin(np.pi * (u + phase)) * np.sin(np.pi * (v + phase))
    return np.clip(0.5 + s / (2 * np.pi * px + 1e-6), 0.0, 1.0)


def dots(u, v, key, px):
    """Halftone dots on a square lattice; dot radius varies slowly, as in print."""
    du, dv = u - np.floor(u) - 0.5, v - np.floor(v) - 0.5
    radius = 0.18 + 0.22 * value_noise(u * 0.15, v * 0.15, key)
    return 1.0 - _aa_step(radius, np.hypot(du, dv), px)


def noise(u, v, key, px):
    """Fractal value noise (clouds, plaster)."""
    n = fbm(u * 0.5, v * 0.5, key)
    return np.clip((n - 0.5) * 2.2 + 0.5, 0.0, 1.0)


def cells(u, v, key, px):
    """Voronoi cells shaded by the distance to their centre (pebbles, scales)."""
    f1, _, _ = _worley(u, v, key)
    return np.clip(1.0 - f1 * 1.3, 0.0, 1.0)


def weave(u, v, key, px):
    """Plain-weave fabric: warp and weft threads crossing over and under."""
    iu, iv = np.floor(u), np.floor(v)
    fu, fv = u - iu, v - iv
    over = (iu + iv) % 2 == 0
    across = np.where(over, fu, fv)
    along = np.where(over, fv, fu)
    thread = np.sqrt(np.clip(np.sin(np.pi * across), 0, 1))
    bulge = 0.75 + 0.25 * np.sin(np.pi * along)
    fibre = 0.9 + 0.1 * value_noise(u * 6.0, v * 6.0, key)
    return thread * bulge * fibre


def bricks(u, v, key, px):
    """Running-bond bricks (twice as long as high) with mortar and per-brick shade."""
    row = np.floor(v)
    bu = u / 2.0 + 0.5 * (row % 2)
    col = np.floor(bu)
    fu, fv = (bu - col) * 2.0, v - row
    mortar = 0.08
    edge = np.minimum(np.minimum(fu, 2.0 - fu), np.minimum(fv, 1.0 - fv))
    inside = _aa_step(mortar, edge, px)
    shade = 0.55 + 0.35 * _hash(col, row, key) + 0.1 * (value_noise(u * 3, v * 3, key) - 0.5)
    return 0.15 + inside * (shade - 0.15)


def wood(u, v, key, px):
    """Wood grain: rings stretched along the board, warped by noise."""
    warp = fbm(u * 0.15, v * 0.6, key) - 0.5
    rings = v + 2.5 * warp
    saw = rings - np.floor(rings)
    fibre = value_noise(u * 0.5, v * 8.0, key + 5)
    return (0.3 + 0.7 * (1.0 - saw ** 4)) * (0.85 + 0.15 * fibre)


def tiles(u, v, key, px):
    """Mosaic: flat-coloured Voronoi tiles separated by dark grout."""
    f1, f2, cell = _worley(u, v, key)
    grout = _aa_step(0.06, (f2 - f1) * 0.5, px)
    return (0.3 + 0.7 * cell) * grout


def cracks(u, v, key, px):
    """Dried mud or old paint: a light surface split by a network of thin dark cracks."""
    warp = 0.35 * (fbm(u * 0.5, v * 0.5, key + 7) - 0.5)
    f1, f2, _ = _worley(u + warp, v - warp, key)
    crack = 1.0 - _aa_step(0.03, (f2 - f1) * 0.5, px)
    surface = 0.8 + 0.2 * value_noise(u * 2, v * 2, key + 3)
    return surface * (1.0 - 0.85 * crack)


def scratches(u, v, key, px):
    """Brushed metal: many thin scratches of random length along one direction."""
    out = np.full(u.shape, 0.85, np.float32)
    lane = np.floor(v * 3.0)
    for k in range(3):
        jitter = _hash(lane, k, key)
        centre = (lane + jitter) / 3.0
        width = 0.01 + 0.04 * _hash(lane, k, key + 1)
        start = _hash(lane, k, key + 2) * 8.0 - 4.0
        length = 1.0 + 6.0 * _hash(lane, k, key + 3)
        along = np.abs(((u - start) % 8.0) - length / 2.0) < length / 2.0
        line = 1.0 - _aa_step(width, np.abs(v - centre), px)
        out = out - 0.7 * line * along * (0.4 + 0.6 * _hash(lane, k, key + 4))
    return np.clip(out, 0.0, 1.0)


def ripples(u, v, key, px):
    """Water ripples: interference of three plane waves of nearby directions."""
    out = np.zeros(u.shape, np.float32)
    for k in range(3):
        angle = (k - 1) * 0.5 + 0.3 * (_hash(k, 1, key) - 0.5)
        phase = 6.283 * _hash(k, 2, key)
        out += np.sin(2 * np.pi * (u * np.cos(angle) + v * np.sin(angle)) + phase)
    return 0.5 + out / 6.0


def stones(u, v, key, px):
    """Gravel, pebbles: irregular stones with rounded rims, lit from one side, each its own
    shade, grainy, with dark irregular gaps between them."""
    warp = 0.6 * (fbm(u * 0.4, v * 0.4, key + 11, 2) - 0.5)
    f1, f2, cell, (au, av, bu, bv) = _worley(u + warp, v - warp, key, offsets=True)
    depth = 0.5 * (f2 - f1) - 0.02 - 0.14 * value_noise(u * 1.3, v * 1.3, key + 12) ** 2
    rim = 1.0 - np.clip(depth / 0.45, 0.0, 1.0)
    slope = 0.5 * rim / np.sqrt(np.maximum(1.0 - rim * rim, 0.02))
    inv1, inv2 = slope / (f1 + 1e-6), slope / (f2 + 1e-6)
    nu, nv = au * inv1 - bu * inv2, av * inv1 - bv * inv2  # the surface normal is (nu, nv, 1)
    light = np.clip((0.7 - 0.45 * nu - 0.55 * nv) / np.sqrt(1.0 + nu * nu + nv * nv), 0.0, 1.0)
    grain = _fine(4.0, px) * (value_noise(u * 4.0, v * 4.0, key + 13) - 0.5)
    stone = (0.55 + 0.3 * cell + 0.3 * grain) * (0.25 + 0.85 * light)
    return 0.05 + _aa_step(0.0, depth, px) * (stone - 0.05)


def blades(u, v, key, px):
    """Grass: overlapping thin blades, pointed at the tip, of random length, shade and tilt."""
    out = 0.05 + 0.2 * fbm(u * 0.3, v * 0.3, key + 3, 2)
    for layer in range(6):  # one blade per 4 x 1 cell; a blade reaches < half a cell, so
        k = key + 97 * layer  # the two nearest cells along and across hold all that cover it
        a, b = _rotate(u + 0.37 * layer, v + 0.5 * layer, 1.2 * (_hash(layer, 1, k) - 0.5))
        ia, ib = np.floor(a / 4.0 - 0.5), np.floor(b - 0.5)
        for ca, cb in ((ia, ib), (ia + 1, ib), (ia, ib + 1), (ia + 1, ib + 1)):
            h = _hash(ca, cb, k, 4) + _hash(ca, cb, k + 1, 2)
            along, across = a - 4.0 * (ca + h[0]), b - cb - h[1]
            tilt = 0.2 * (h[2] - 0.5)  # small: sheared rather than rotated
            along, across = along + tilt * across, across - tilt * along
            t = along / (1.0 + 0.9 * h[3])
            across = across - 0.05 * (h[4] - 0.5) * along * along
            width = 0.12 * np.maximum(1.0 - t, 0.0) * np.sqrt(np.maximum(1.0 + t, 0.0))
            cover = 1.0 - _aa_step(width, np.abs(across), px)
            rib = 1.0 - 0.35 * np.minimum(across * across / (width * width + 1e-6), 1.0)
            out = out + cover * ((0.35 + 0.65 * h[5]) * (0.4 + 0.12 * layer) * rib - out)
    return out


def fibres(u, v, key, px):
    """Hair, fabric, paper or wood grain: long thin tapering fibres, light and dark, over
    streaks; mostly parallel, crossing at a few angles for some seeds (paper, felt)."""
    spread = np.pi * _hash(5, 5, key) ** 3
    out = 0.5 + 0.2 * (value_noise(u * 0.1, v * 1.5, key + 1) - 0.5)
    for k in range(4):
        s, t = _rotate(u, v, spread * (_hash(k, 7, key) - 0.5))
        t = t + 0.8 * (value_noise(s * 0.08, t * 0.0 + k, key + 2) - 0.5)
        lane = np.floor(t)
        length = 3.0 + 9.0 * _hash(lane, k, key + 1)
        along = (s + 50.0 * _hash(lane, k, key)) / length
        piece = np.floor(along)
        taper = np.clip(np.minimum(along - piece, piece + 1.0 - along) * length, 0.0, 1.0)
        width = (0.05 + 0.12 * _hash(lane, k, key + 2)) * taper
        line = 1.0 - _aa_step(width, np.abs(t - lane - 0.5), px)
        tone = (_hash(piece, lane, key + k) - 0.45) * (_hash(piece, lane, key + 9) < 0.8)
        out = out + 0.8 * tone * line
    return np.clip(out, 0.0, 1.0)


def halftone(u, v, key, px):
    """Print: ink dots on two rotated screens (as in colour print) whose size follows a smooth
    picture; dots grow, touch and become holes in the shadows."""
    out = np.ones_like(u)
    for k, angle in enumerate((0.0, 0.785 + 0.4 * (_hash(2, 2, key) - 0.5))):
        a, b = _rotate(u, v, angle)
        tone = np.clip(1.4 * fbm(u * 0.12, v * 0.12, key + 5 * k, 3) - 0.2, 0.08, 0.92)
        tone = tone + 0.06 * _fine(3.0, px) * (value_noise(u * 3, v * 3, key + 9) - 0.5)
        ca, cb = np.cos(2 * np.pi * a), np.cos(2 * np.pi * b)
        slope = np.pi / 2 * np.sqrt(np.maximum(2.0 - ca * ca - cb * cb, 0.0))  # of the spot
        ink = np.clip((0.25 * (ca + cb) + tone - 0.5) / (slope * px + 1e-3) + 0.5, 0.0, 1.0)
        out = out * (1.0 - (0.85 - 0.35 * k) * ink)
    return out


def speckle(u, v, key, px):
    """Film grain, stucco, sand: noise with a 1/f amplitude spectrum from the scale down to
    single pixels (the fall-off varies with the seed)."""
    beta, total, norm, f, k = 0.7 + 0.6 * _hash(6, 6, key), np.zeros_like(u), 0.0, 2.0, 0
    while k == 0 or f * px <= 0.8:
        a, b = _rotate(u * f, v * f, 2.39996 * k)
        total += (value_noise(a, b, key + 37 * k) - 0.5) / f ** beta
        norm += 1.0 / f ** (2 * beta)
        f, k = 2.0 * f, k + 1
    return 0.5 + 0.9 * total / np.sqrt(norm)


#: Every texture family, by name.
FAMILIES: dict[str, Callable] = {
    "stripes": stripes, "checker": checker, "dots": dots, "noise": noise, "cells": cells,
    "weave": weave, "bricks": bricks, "wood": wood, "tiles": tiles, "cracks": cracks,
    "scratches": scratches, "ripples": ripples, "stones": stones, "blades": blades,
    "fibres": fibres, "halftone": halftone, "speckle": speckle,
}
#: What :func:`random_params` draws from by default (the remover's training world): the first
#: twelve. With the five photo-like ones the remover scored no better on the photograph
#: benchmark's validation split (26.06 against 26.12 dB after 2000 cpu steps).
DRAWN = tuple(FAMILIES)[:12]


# --------------------------------------------------------------------------- public API


def _colors(color) -> tuple[np.ndarray, np.ndarray]:
    if color is None:
        return np.zeros(3, np.float32), np.ones(3, np.float32)
    array = np.asarray(color, dtype=np.float32)
    if array.shape == (3,):
        light = np.clip(array, 0, 1)
        return light * 0.25, light
    if array.shape == (2, 3):
        return np.clip(array[0], 0, 1), np.clip(array[1], 0, 1)
    raise ValueError(f"color must be None, one RGB triple or two (dark, light); got shape "
                     f"{array.shape}")


def render(name: str, size: int | tuple[int, int], seed: int = 0, scale: float = 8.0,
           orientation: float = 0.0, contrast: float = 1.0, color=None) -> np.ndarray:
    """Render one texture.

    Parameters
    ----------
    name : str
        A key of :data:`FAMILIES`.
    size : int or (H, W)
        Image size in pixels.
    seed : int
        Same seed, same image (byte for byte).
    scale : float
        Size of one repeat in pixels (> 0).
    orientation : float
        Rotation in degrees.
    contrast : float
        Range around mid-grey: 1 spans ``[0, 1]``, 0 is flat grey.
    color : None, RGB or (dark RGB, light RGB)
        Colours of the dark and light tones (RGB in ``[0, 1]``).

    Returns
    -------
    np.ndarray
        ``float32 [H, W, 3] in [0, 1]``.
    """
    pattern = render_gray(name, size, seed, scale, orientation, contrast)
    dark, light = _colors(color)
    return (dark + pattern[..., None] * (light - dark)).astype(np.float32)


def render_gray(name: str, size: int | tuple[int, int], seed: int = 0, scale: float = 8.0,
                orientation: float = 0.0, contrast: float = 1.0) -> np.ndarray:
    """Like :func:`render`, without colour: ``float32 [H, W] in [0, 1]``."""
    if name not in FAMILIES:
        raise ValueError(f"unknown texture family {name!r}; choose one of {', '.join(FAMILIES)}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    h, w = (size, size) if np.isscalar(size) else size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    theta = np.deg2rad(orientation)
    c, s = np.float32(np.cos(theta)), np.float32(np.sin(theta))
    # a seeded offset, so textures of different seeds are not aligned to the image corner
    ou = 1000.0 * _hash(1, 2, seed)
    ov = 1000.0 * _hash(3, 4, seed)
    u = (x * c + y * s) / np.float32(scale) + ou
    v = (-x * s + y * c) / np.float32(scale) + ov
    pattern = FAMILIES[name](u, v, int(seed), 1.0 / float(scale))
    pattern = 0.5 + float(contrast) * (np.asarray(pattern, np.float32) - 0.5)
    return np.clip(pattern, 0.0, 1.0).astype(np.float32)


def random_params(seed: int, families: Sequence[str] | None = None,
                  scale_range: tuple[float, float] = (3.0, 12.0),
                  colored: bool = True) -> dict:
    """Draw a family and its parameters (the keyword arguments of :func:`render`).

    Parameters
    ----------
    seed : int
        Same seed, same draw.
    families : sequence of str, optional
        Families to choose from (default: :data:`DRAWN`).
    scale_range : (float, float)
        Scale is drawn log-uniformly in this range (pixels).
    colored : bool
        Draw a random tint (else grey).
    """
    names = list(families or DRAWN)
    for name in names:
        if name not in FAMILIES:
            raise ValueError(f"unknown texture family {name!r}; choose from {', '.join(FAMILIES)}")
    rng = np.random.default_rng([int(seed), 7919])
    name = names[int(rng.integers(len(names)))]
    lo, hi = scale_range
    scale = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    orientation = float(rng.uniform(0.0, 180.0))
    contrast = float(rng.uniform(0.6, 1.0))
    color = None
    if colored:
        light = rng.uniform(0.55, 1.0, 3)
        dark = light * rng.uniform(0.0, 0.45)
        color = (tuple(float(c) for c in dark), tuple(float(c) for c in light))
    return {"name": name, "seed": int(rng.integers(2**31)), "scale": scale,
            "orientation": orientation, "contrast": contrast, "color": color}


def random_texture(size: int, seed: int, families: Sequence[str] | None = None,
                   scale_range: tuple[float, float] = (3.0, 12.0),
                   colored: bool = True) -> tuple[np.ndarray, dict]:
    """A random texture from the families of :data:`DRAWN` (or from ``families``).

    Returns
    -------
    image : np.ndarray
        ``float32 [size, size, 3] in [0, 1]``.
    params : dict
        The drawn keyword arguments; ``render(size=size, **params)`` gives the same image.
    """
    params = random_params(seed, families, scale_range, colored)
    return render(size=size, **params), params
