"""Re-texturing (lesson 08): take a photograph's texture off, put another one on.

The course's blend model (:func:`gandetexture.datasets.compose`) says how a texture sits on a
structure. With ``t = 2 T − 1`` the centred texture in ``[-1, 1]`` and ``a`` its amplitude::

    multiplicative:  image = s · (1 + a·t)        so  a·t = image / s − 1
    additive:        image = s + a·t              so  a·t = image − s

Once the remover (lesson 05) has given back the structure ``s`` (:func:`structure_of`: run
twice, so that the remover keeps what it gave), the formula read backwards gives the
**texture layer** ``L = a·t`` it took away (:func:`texture_layer`). Then

- :func:`strength` measures how strong a layer is (its root mean square);
- :func:`retexture` paints a new texture of the image's size (image quilting of an exemplar,
  or a trained texture model of lesson 06), scales it to a chosen strength or to the old
  layer's, and composes it onto the structure, optionally inside a mask only;
- :func:`transfer` makes the layer removed from photograph A the exemplar painted onto
  photograph B's structure (:func:`layer_exemplar` turns a layer into an exemplar that
  quilting, or the spatial GAN, can learn);
- :func:`blend_strength` is the strength slider's logic, :func:`mask_from_point` picks one
  region of a structure; :func:`layer_distance` compares two layers' statistics and
  :func:`layer_correlation` their pixels.

The ``"mix"`` blend ``(1 − a)·s + a·T`` is not read backwards: its layer ``a·(T − s)``
depends on the structure, so ``a`` and ``T`` cannot be told apart from one image.
Images are ``float32 in [0, 1]``, layers ``float32 in [-1, 1]``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from gandetexture import datasets, exemplars, io, quilting, removal

#: Blend modes whose layer can be read backwards (see the module docstring).
MODES = ("multiplicative", "additive")

#: Smallest structure value a multiplicative layer divides by. Below it (a near-black
#: structure) ``image / s`` would multiply the remover's errors by more than 20, and a
#: texture on black is invisible anyway (``0 · (1 + a·t) = 0``).
EPS = 0.05

#: How many times :func:`structure_of` runs the remover: after one pass, the remover changes
#: 5 of lesson 08's 16 validation structures again (below 30 dB PSNR), after two none. The
#: new texture, removed, must give back the structure it was put on.
PASSES = 2

#: Root mean square of the exemplar :func:`layer_exemplar` makes, around 0.5: a layer's
#: values within 2.5 times its RMS of 0 stay inside ``[0, 1]``.
SPREAD = 0.2


@dataclasses.dataclass
class Retextured:
    """What :func:`retexture` returns: the new image and the pieces it was made of.

    Attributes
    ----------
    image : np.ndarray
        ``float32`` in [0, 1], the input's shape (grey in, grey out; alpha copied).
    structure : np.ndarray
        ``float32 [H, W, 3] in [0, 1]``: the remover's output (:func:`structure_of`).
    old_layer, new_layer : np.ndarray
        ``float32 [H, W, 3] in [-1, 1]``: the layer taken away, the layer put on.
    old_strength, strength : float
        :func:`strength` of the two layers, weighted by :func:`strength_weights` (so inside
        the mask, when there is one).
    mask : np.ndarray or None
        ``float32 [H, W] in [0, 1]``: where the new texture replaced the old one.
    """

    image: np.ndarray
    structure: np.ndarray
    old_layer: np.ndarray
    new_layer: np.ndarray
    old_strength: float
    strength: float
    mask: np.ndarray | None = None


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"blend mode {mode!r} cannot be read backwards; choose one of "
                         f"{', '.join(MODES)} (the 'mix' layer depends on the structure)")


def structure_of(image, remover, passes: int = PASSES, ensemble: int = 1) -> np.ndarray:
    """The structure re-texturing builds on: the remover run ``passes`` (≥ 1) times, each pass
    on the last one's output and averaging ``ensemble`` flips and turns. ``image`` as
    :func:`gandetexture.removal.remove_texture` takes it (any size, one image or a batch); the
    result is ``float32`` in [0, 1], of its shape. A second pass takes off what the first left
    of strong textures, and a further pass keeps what it gives (:data:`PASSES`), at the price
    of some detail (lesson 08 measures both)."""
    if isinstance(passes, bool) or int(passes) != passes or passes < 1:
        raise ValueError(f"passes must be a whole number of at least 1, got {passes!r}")
    structure = image
    for _ in range(int(passes)):
        structure = removal.remove_texture(structure, remover, ensemble=ensemble)
    return np.asarray(structure, np.float32)


def texture_layer(image, structure, mode: str = "multiplicative") -> np.ndarray:
    """The blend model read backwards: the texture layer ``a·t`` that lies between a textured
    image and its structure.

    Parameters
    ----------
    image, structure : array-like
        ``float32 [..., H, W, C] in [0, 1]``, the same shape.
    mode : str
        ``"multiplicative"``: ``image / s − 1``, and 0 where ``s < EPS`` (:data:`EPS`:
        near-black structure would blow up the remover's errors); ``"additive"``:
        ``image − s``.

    Returns
    -------
    np.ndarray
        ``float32``, the same shape, clipped to ``[-1, 1]`` (the range of ``a·t`` for
        ``a ≤ 1``: larger values are the remover's errors, not texture).
    """
    _check_mode(mode)
    x, s = np.asarray(image, np.float32), np.asarray(structure, np.float32)
    if x.shape != s.shape:
        raise ValueError(f"image {x.shape} and structure {s.shape} must have the same shape")
    if mode == "multiplicative":
        # a near-black structure says nothing about the texture on it: no layer there
        layer = np.where(s >= EPS, x / np.maximum(s, EPS) - 1.0, 0.0)
    else:
        layer = x - s
    return np.clip(layer, -1.0, 1.0).astype(np.float32)


def apply_layer(structure, layer, mode: str = "multiplicative") -> np.ndarray:
    """The blend model forwards: :func:`gandetexture.datasets.compose` with the layer as a
    texture of amplitude 1 (``T = (1 + L) / 2``, so ``a·t = L``). ``float32 [..., H, W, 3]
    in [0, 1]`` out, clipped like every composed image."""
    _check_mode(mode)
    return datasets.compose(structure, (1.0 + np.asarray(layer, np.float32)) / 2.0, mode, 1.0)


def strength(layer, mask=None) -> float:
    """How strong a layer is: its root mean square over pixels and channels (weighted by
    ``mask`` when given). 0 = no texture; a multiplicative layer of strength 0.1 moves a
    pixel by about 10 % of its structure's value.

    Parameters
    ----------
    layer : array-like
        ``float32 [H, W, C] in [-1, 1]``.
    mask : array-like, optional
        ``[H, W]`` weights ≥ 0 (a region, or how much each pixel counts).
    """
    squares = np.square(np.asarray(layer, np.float64)).mean(axis=-1)
    if mask is None:
        return float(np.sqrt(squares.mean()))
    weights = np.asarray(mask, np.float64)
    total = weights.sum()
    return float(np.sqrt((squares * weights).sum() / total)) if total > 0 else 0.0


_strength = strength  # retexture's argument of the same name hides the function there


def strength_weights(structure, mode: str = "multiplicative", mask=None) -> np.ndarray:
    """How much each pixel counts when :func:`retexture` measures a strength: ``mask`` (or 1)
    times, for a multiplicative layer, the structure's brightness squared.

    A multiplicative layer is read through ``1 / s``: on dark structure a photograph's
    additive or mixed texture, or the remover's small errors, make it look far stronger than
    it is to the eye. Weighting by ``s²`` measures it in pixel units (``s · L`` is what the
    texture adds to a pixel) and leaves the strength of a truly multiplicative, stationary
    texture unchanged.

    Parameters
    ----------
    structure : array-like
        ``float32 [H, W, 3] in [0, 1]``.
    mask : array-like, optional
        ``[H, W]`` in [0, 1].

    Returns
    -------
    np.ndarray
        ``float32 [H, W]``, ≥ 0.
    """
    _check_mode(mode)
    s = np.asarray(structure, np.float32)
    weights = np.square(s.mean(axis=-1)) if mode == "multiplicative" else np.ones(s.shape[:2])
    return (weights if mask is None else weights * np.asarray(mask)).astype(np.float32)


def _scaled(layer: np.ndarray, target: float, mask=None) -> np.ndarray:
    """``layer`` rescaled to strength ``target`` (all zeros stay zeros), clipped to [-1, 1]."""
    now = strength(layer, mask)
    factor = target / now if now > 0 else 0.0
    return np.clip(layer * factor, -1.0, 1.0).astype(np.float32)


def blend_strength(structure, layer, value: float, mode: str = "multiplicative") -> np.ndarray:
    """The strength slider's logic: the structure with ``layer`` rescaled to strength
    ``value`` (weighted as :func:`retexture` weighs it, :func:`strength_weights`; 0: the bare
    structure).

    Parameters
    ----------
    structure : array-like
        ``float32 [H, W, 3] in [0, 1]``.
    layer : array-like
        ``float32 [H, W, 3] in [-1, 1]``.
    value : float
        The strength wanted, ≥ 0.

    Returns
    -------
    np.ndarray
        ``float32 [H, W, 3] in [0, 1]``.
    """
    if not value >= 0.0:
        raise ValueError(f"strength must be a number >= 0; got {value}")
    weights = strength_weights(structure, mode)
    return apply_layer(structure, _scaled(np.asarray(layer, np.float32), float(value), weights),
                       mode)


def layer_exemplar(layer, spread: float = SPREAD) -> np.ndarray:
    """A layer as an exemplar that quilting or the spatial GAN can learn:
    ``0.5 + layer · spread / strength(layer)``, clipped to [0, 1] (the contrast is free:
    :func:`retexture` rescales what it paints to the strength it wants).
    ``float32 [H, W, 3] in [0, 1]`` out."""
    centred = _scaled(np.asarray(layer, np.float32), spread)  # all zeros stay zeros
    return np.clip(0.5 + centred, 0.0, 1.0).astype(np.float32)


def paint(source, height: int, width: int, seed: int = 0, scale: float = 1.0) -> np.ndarray:
    """A new texture of ``height × width``, ``float32 [height, width, 3] in [0, 1]``.

    Parameters
    ----------
    source
        An exemplar (a name of :data:`gandetexture.exemplars.BUNDLED`, a procedural family,
        an image path or an array ``[H, W, 3]`` in [0, 1]), quilted with
        :func:`gandetexture.quilting.quilt`; or a trained
        :class:`gandetexture.texture.TextureModel`, which generates it.
    seed : int
        The same seed paints the same texture.
    scale : float
        Resize an exemplar by this factor first (0.25: its features 4 times smaller, the
        exemplar a sixteenth of its area); a texture model paints at its own scale (1 only).
    """
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a number > 0; got {scale}")
    if hasattr(source, "generate"):  # a TextureModel of lesson 06
        if scale != 1.0:
            raise ValueError("a texture model paints at the scale it was trained at; "
                             "scale applies to exemplars only")
        return ((source.generate(height, width, seed=seed)[0] + 1.0) / 2.0).astype(np.float32)
    exemplar = exemplars.load(source)
    if scale != 1.0:
        shape = tuple(max(1, round(side * scale)) for side in exemplar.shape[:2])
        exemplar = np.clip(io.resize(exemplar, shape), 0.0, 1.0)  # bicubic may overshoot
    return quilting.quilt(exemplar, height, width, seed=seed)


def _as_rgb(image) -> tuple[np.ndarray, tuple[int, ...]]:
    """One image ``[H, W]`` or ``[H, W, C]`` (C in 1, 3, 4; ``uint8`` divided by 255) as
    ``float32 [H, W, 3+]`` in [0, 1] (grey repeated, alpha kept last), and its shape."""
    array = np.asarray(image)
    shape = array.shape
    array = array.astype(np.float32) / 255.0 if array.dtype == np.uint8 else \
        array.astype(np.float32)
    if array.ndim == 2:
        array = array[..., None]
    if array.ndim != 3 or array.shape[-1] not in (1, 3, 4) or 0 in array.shape:
        raise ValueError(f"retexture takes one image [H, W] or [H, W, C] with C in 1, 3, 4; "
                         f"got shape {shape} (loop over a batch)")
    if not np.all(np.isfinite(array)):
        raise ValueError("the image holds non-finite values (NaN or inf)")
    array = np.clip(array, 0.0, 1.0)
    return (np.repeat(array, 3, axis=-1) if array.shape[-1] == 1 else array), shape


def _checked_mask(mask, shape: tuple[int, int]) -> np.ndarray | None:
    if mask is None:
        return None
    m = np.asarray(mask, np.float32)
    m = m[..., 0] if m.ndim == 3 and m.shape[-1] == 1 else m
    if m.shape != shape:
        raise ValueError(f"the mask must be [H, W] = {shape}, like the image; got {m.shape}")
    if not (np.all(np.isfinite(m)) and m.min() >= 0.0 and m.max() <= 1.0):
        raise ValueError("the mask's values must be in [0, 1] (booleans or weights)")
    return m


def retexture(image, remover, new_texture=None, strength: float | None = None, mask=None,
              seed: int = 0, scale: float = 1.0, mode: str = "multiplicative",
              ensemble: int = 1, structure=None, passes: int = PASSES) -> Retextured:
    """Replace the texture of an image: remove it, paint a new one, compose it on.

    Parameters
    ----------
    image : array-like
        One image ``[H, W]``, ``[H, W, C]`` (C = 1 grey, 3 RGB, 4 RGBA, alpha kept), any
        size, values in [0, 1] (``uint8`` is divided by 255).
    remover : keras.Model or path
        A texture remover, or the run folder of ``train-remover``
        (:func:`gandetexture.removal.remove_texture` runs it at any size).
    new_texture : optional
        What to paint (:func:`paint`): an exemplar to quilt (a bundled name such as
        ``"brick"``, a path, an array ``[H, W, 3]`` in [0, 1]) or a trained texture model.
        ``None`` keeps the image's own layer: only its strength changes.
    strength : float, optional
        :func:`strength` of the new layer, in [0, 1], weighted by :func:`strength_weights`;
        ``None`` matches the old layer's (measured inside the mask, when there is one).
    mask : array-like, optional
        ``[H, W]`` in [0, 1] (e.g. :func:`mask_from_point`): the new texture replaces the
        old only there (weights blend the two images); outside, the image is unchanged.
    seed : int
        Seeds the painting: the same arguments give byte-identical output.
    scale : float
        Resize the exemplar by this factor before quilting (:func:`paint`).
    mode : str
        Blend model of :data:`MODES`.
    ensemble, passes : int
        How :func:`structure_of` makes the structure (flips and turns, remover passes).
    structure : array-like, optional
        The structure for this image, ``[H, W, 3]``, if already computed (the remover is
        then not run).

    Returns
    -------
    Retextured
        The new image (the input's shape) and the structure, layers and strengths.

    Raises
    ------
    ValueError
        For a wrong image shape, non-finite values, a bad mask, strength or mode, or an
        exemplar that cannot be used (naming it).
    """
    _check_mode(mode)
    rgba, shape = _as_rgb(image)
    rgb = rgba[..., :3]
    h, w = rgb.shape[:2]
    m = _checked_mask(mask, (h, w))
    if strength is not None and not (np.isfinite(strength) and 0.0 <= strength <= 1.0):
        raise ValueError(f"strength must be a number in [0, 1] or None (matched); "
                         f"got {strength}")
    if structure is None:
        structure = structure_of(rgb, remover, passes, ensemble)
    structure = np.asarray(structure, np.float32)
    if structure.shape != rgb.shape:
        raise ValueError(f"structure {structure.shape} must be the image's [H, W, 3] "
                         f"{rgb.shape}")
    old = texture_layer(rgb, structure, mode)
    weights = strength_weights(structure, mode, m)
    old_strength = _strength(old, weights)
    target = old_strength if strength is None else float(strength)
    if new_texture is None:
        fresh = old
    else:  # centred like the course's textures, so the layer averages 0
        fresh = 2.0 * datasets.centre_texture(paint(new_texture, h, w, seed, scale)) - 1.0
    new = _scaled(fresh, target, weights)
    out = apply_layer(structure, new, mode)
    if m is not None:
        out = m[..., None] * out + (1.0 - m[..., None]) * rgb
    if len(shape) == 2 or shape[-1] == 1:
        out = out.mean(axis=-1, keepdims=True)
    elif shape[-1] == 4:
        out = np.concatenate([out, rgba[..., 3:]], axis=-1)
    return Retextured(out.reshape(shape).astype(np.float32), structure, old, new,
                      old_strength, _strength(new, weights), m)


def transfer(source, target, remover, strength: float | None = None, seed: int = 0,
             mode: str = "multiplicative", ensemble: int = 1,
             passes: int = PASSES) -> Retextured:
    """Texture transfer: the layer removed from ``source`` (photograph A), quilted, painted
    onto the structure of ``target`` (photograph B), at A's strength unless ``strength`` is
    given. Images and ``passes`` as in :func:`retexture`; A must be at least 33 pixels a side
    (quilting's smallest block plus one)."""
    rgb = _as_rgb(source)[0][..., :3]
    structure = structure_of(rgb, remover, passes, ensemble)
    layer = texture_layer(rgb, structure, mode)
    if strength is None:
        strength = _strength(layer, strength_weights(structure, mode))
    return retexture(target, remover, layer_exemplar(layer), strength, seed=seed, mode=mode,
                     ensemble=ensemble, passes=passes)


def mask_from_point(structure, point: tuple[int, int], tolerance: float = 0.1) -> np.ndarray:
    """One region of a structure: the pixels connected to ``point`` whose colour is within
    ``tolerance`` of the colour there (a flood fill; a colour ramp wider than the tolerance
    is cut).

    Parameters
    ----------
    structure : array-like
        ``float32 [H, W, 3] in [0, 1]`` (or ``[H, W]``).
    point : (int, int)
        ``(y, x)`` inside the image.
    tolerance : float
        Largest difference of any channel from the colour at ``point``.

    Returns
    -------
    np.ndarray
        ``bool [H, W]``, true in the region (``point`` included).
    """
    from skimage.segmentation import flood

    s = np.asarray(structure, np.float32)
    s = s[..., None] if s.ndim == 2 else s
    y, x = (int(v) for v in point)
    if not (0 <= y < s.shape[0] and 0 <= x < s.shape[1]):
        raise ValueError(f"point {point} lies outside the {s.shape[0]}×{s.shape[1]} image")
    if not tolerance >= 0.0:
        raise ValueError(f"tolerance must be a number >= 0; got {tolerance}")
    distance = np.abs(s - s[y, x]).max(axis=-1)  # 0 at the point
    return flood(distance, (y, x), tolerance=float(tolerance))


def layer_distance(a, b, levels: int = 3, seed: int = 0) -> float:
    """How different two layers' textures are (≥ 0; 0 for identical layers): the mean over
    pyramid levels of :func:`gandetexture.yardstick.pyramid_gram_distance`, each layer first
    scaled to the same strength (0.5), so that pattern, not amplitude, is compared (strength
    is compared apart, with :func:`strength`). ``a, b``: layers ``[H, W, 3]`` or
    ``[N, H, W, 3]`` in [-1, 1], at least ``32 · 2**(levels-1)`` pixels a side."""
    from gandetexture import yardstick

    def unit(x):
        x = np.asarray(x, np.float32)
        x = x[None] if x.ndim == 3 else x
        return np.stack([_scaled(one, 0.5) for one in x])

    return float(np.mean(yardstick.pyramid_gram_distance(unit(a), unit(b), levels, seed)))


def layer_correlation(a, b) -> float:
    """Pixel-by-pixel correlation of two layers ``[H, W, C]`` (Pearson, over pixels and
    channels): 1 where ``a`` is ``b`` at a larger or smaller strength, about 0 for two
    unrelated textures. Unlike :func:`layer_distance` it asks whether *this* texture lies at
    *these* places. 0 when either layer is constant."""
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    a, b = a - a.mean(), b - b.mean()
    norm = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / norm) if norm > 0 else 0.0
