"""Structure–texture filters written for this package (vectorised NumPy/SciPy, OpenCV kernels).

Each function takes images ``float32 [N, H, W, C]`` (or one ``[H, W, C]``) in [0, 1] and returns
the smooth structure, ``float32``, same shape, clipped to [0, 1]. :mod:`gandetexture.baselines`
registers them with their tuning grids.

- :func:`l0_smooth` — L0 gradient minimisation (Xu, Lu, Xu, Jia 2011): keeps only the largest
  gradients, flattens everything else. Written here (half-quadratic splitting, solved with
  DCTs) because ``cv2.ximgproc.l0Smooth`` (OpenCV 4.10, 4.14, 5.0) mixes replicated and reflected
  borders with a periodic solver: its output drifts (values of -1.2 for an input in [0, 1],
  and far from the input even for ``lambda = 1e-6``).
- :func:`rtv` — relative total variation (Xu, Yan, Xia, Jia 2012): texture has large total
  variation in a window but small *inherent* variation (its gradients cancel), edges have both.
- :func:`rolling_guidance` — rolling guidance filter (Zhang, Shen, Xu, Jia 2014): a Gaussian
  removes small structures, joint bilateral iterations bring the large edges back.
- :func:`pyramid_texture` — pyramid texture filtering (Zhang, Jiang, Nie, Zheng 2023): the
  coarsest level of a Gaussian pyramid holds structure without texture; it is upsampled level
  by level with joint bilateral filters guided by the Gaussian and Laplacian pyramids.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np
from scipy import fft, ndimage


def as_batch(images) -> np.ndarray:
    """``float32 [N, H, W, C]`` from ``[N, H, W, C]`` or one ``[H, W, C]``; a clear
    ``ValueError`` for any other rank."""
    array = np.asarray(images, np.float32)
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4:
        raise ValueError(f"filters take images [N, H, W, C] or [H, W, C], got {array.shape}")
    return array


def finish(out: np.ndarray, images) -> np.ndarray:
    """``out`` (a batch) as ``float32`` in [0, 1], reshaped to the caller's ``images`` shape."""
    return np.clip(out, 0.0, 1.0).astype(np.float32).reshape(np.shape(images))


def per_image(fn: Callable[[np.ndarray], np.ndarray], images) -> np.ndarray:
    """Apply an OpenCV-style ``fn(image [H, W, C]) -> [H, W, C]`` to every image.

    OpenCV's filters take 1 or 3 channels: other channel counts go through ``fn`` one channel
    at a time. Returns ``float32``, the shape of ``images``, clipped to [0, 1].
    """
    batch = as_batch(images)
    channels = batch.shape[-1]
    out = np.empty_like(batch)
    for i, image in enumerate(batch):
        if channels in (1, 3):
            out[i] = np.reshape(fn(np.ascontiguousarray(image)), image.shape)
        else:
            for c in range(channels):
                plane = np.ascontiguousarray(image[..., c:c + 1])
                out[i, ..., c] = np.reshape(fn(plane), plane.shape[:2])
    return finish(out, images)


# ------------------------------------------------------------------ finite differences


def _dx(x: np.ndarray) -> np.ndarray:
    """Forward differences along W of ``[N, H, W, C]`` -> ``[N, H, W - 1, C]``."""
    return x[:, :, 1:] - x[:, :, :-1]


def _dy(x: np.ndarray) -> np.ndarray:
    """Forward differences along H of ``[N, H, W, C]`` -> ``[N, H - 1, W, C]``."""
    return x[:, 1:] - x[:, :-1]


def _dxt(g: np.ndarray) -> np.ndarray:
    """Adjoint of :func:`_dx` (a negative divergence), ``[N, H, W - 1, C]`` -> ``[N, H, W, C]``."""
    out = np.zeros((*g.shape[:2], g.shape[2] + 1, g.shape[3]), g.dtype)
    out[:, :, 1:] += g
    out[:, :, :-1] -= g
    return out


def _dyt(g: np.ndarray) -> np.ndarray:
    """Adjoint of :func:`_dy`, ``[N, H - 1, W, C]`` -> ``[N, H, W, C]``."""
    out = np.zeros((g.shape[0], g.shape[1] + 1, *g.shape[2:]), g.dtype)
    out[:, 1:] += g
    out[:, :-1] -= g
    return out


# ------------------------------------------------------------------ L0 gradient minimisation


def l0_smooth(images, lam: float = 0.02, kappa: float = 2.0) -> np.ndarray:
    """L0 gradient smoothing (Xu et al. 2011) of ``[N, H, W, C]`` (or ``[H, W, C]``) in [0, 1].

    Minimises ``|S - I|² + lam * #{p : ∇S_p ≠ 0}`` by half-quadratic splitting: auxiliary
    gradients ``(h, v)`` are set to ``∇S`` where ``|∇S|² > lam / beta`` (summed over channels)
    and to 0 elsewhere, then ``(1 + beta DᵀD) S = I + beta Dᵀ(h, v)`` is solved exactly;
    ``beta`` grows from ``2 lam`` by ``kappa`` until 1e5 (the paper's schedule). Borders are
    reflective (Neumann), so the system is diagonal in the DCT-II basis (the paper's FFT
    wraps the image around instead).

    Parameters
    ----------
    lam : float
        Weight of the gradient count: larger flattens more (0.02 in the paper; validation
        here picks 0.002–0.01).
    kappa : float
        Growth of ``beta`` per iteration (> 1; 2 in the paper; larger is faster and coarser).
    """
    if lam <= 0 or kappa <= 1:
        raise ValueError(f"l0_smooth needs lam > 0 and kappa > 1, got {lam}, {kappa}")
    batch = as_batch(images)
    step = max(1, 2 ** 20 // (batch.shape[1] * batch.shape[2]))  # about 100 MB of float64 each
    out = [_l0_chunk(batch[i:i + step].astype(np.float64), lam, kappa)
           for i in range(0, len(batch), step)]
    return finish(np.concatenate(out), images)


def _l0_chunk(batch: np.ndarray, lam: float, kappa: float) -> np.ndarray:
    """:func:`l0_smooth` of a batch ``float64 [N, H, W, C]``, unclipped."""
    height, width = batch.shape[1:3]
    eig_y = 2.0 - 2.0 * np.cos(np.pi * np.arange(height) / height)
    eig_x = 2.0 - 2.0 * np.cos(np.pi * np.arange(width) / width)
    laplacian = (eig_y[:, None] + eig_x[None, :])[None, :, :, None]
    source = fft.dctn(batch, type=2, axes=(1, 2), norm="ortho")
    smooth, beta = batch, 2.0 * lam
    while beta < 1e5:
        h, v = np.zeros_like(smooth), np.zeros_like(smooth)  # [N, H, W, C], 0 at the far end
        h[:, :, :-1], v[:, :-1] = _dx(smooth), _dy(smooth)
        keep = (h ** 2 + v ** 2).sum(-1, keepdims=True) >= lam / beta
        h, v = h * keep, v * keep
        divergence = _dxt(h[:, :, :-1]) + _dyt(v[:, :-1])
        rhs = source + beta * fft.dctn(divergence, type=2, axes=(1, 2), norm="ortho")
        smooth = fft.idctn(rhs / (1.0 + beta * laplacian), type=2, axes=(1, 2), norm="ortho")
        beta *= kappa
    return smooth


# ------------------------------------------------------------------ relative total variation


def _rtv_weights(smooth: np.ndarray, sigma: float, eps_s: float,
                 eps: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """The paper's IRLS weights ``u · w`` along W and H, ``[N, H, W-1, 1]`` and ``[N, H-1, W, 1]``.

    ``u = G_σ * 1 / (|G_σ * ∂S| + eps)`` (inverse windowed inherent variation, smoothed),
    ``w = 1 / (|∂S| + eps_s)``; both average the channels so all share one set of weights.
    """
    weights = []
    for grad in (_dx(smooth), _dy(smooth)):
        window = (0, sigma, sigma, 0)
        inherent = np.abs(ndimage.gaussian_filter(grad, window, mode="nearest")).mean(-1)
        u = ndimage.gaussian_filter(1.0 / (inherent + eps), window[:3], mode="nearest")
        w = 1.0 / (np.abs(grad).mean(-1) + eps_s)
        weights.append((u * w)[..., None])
    return weights[0], weights[1]


def _solve_weighted(source: np.ndarray, start: np.ndarray, ax: np.ndarray, ay: np.ndarray,
                    tol: float = 5e-3, max_iter: int = 500) -> np.ndarray:
    """Solve ``(1 + Dxᵀ ax Dx + Dyᵀ ay Dy) S = source`` for every image and channel at once.

    Conjugate gradients with a Jacobi preconditioner, started from ``start`` (the previous
    iterate, close to the answer), until every residual is below ``tol`` times the norm of
    its right-hand side (or ``max_iter`` steps).
    """
    def operator(x: np.ndarray) -> np.ndarray:
        return x + _dxt(ax * _dx(x)) + _dyt(ay * _dy(x))

    def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # per image and channel: [N, 1, 1, C]
        return np.einsum("nhwc,nhwc->nc", a, b)[:, None, None, :]

    diagonal = np.ones(source.shape[:3] + (1,), source.dtype)  # 1 + the weights at each pixel
    diagonal[:, :, 1:] += ax
    diagonal[:, :, :-1] += ax
    diagonal[:, 1:] += ay
    diagonal[:, :-1] += ay
    inverse_diagonal = 1.0 / diagonal
    x = start.copy()
    residual = source - operator(x)
    target = tol ** 2 * dot(source, source)
    z = residual * inverse_diagonal
    direction = z
    rz = dot(residual, z)
    for _ in range(max_iter):
        if (dot(residual, residual) <= target).all():
            break
        q = operator(direction)
        pq = dot(direction, q)
        alpha = np.divide(rz, pq, out=np.zeros_like(rz), where=pq > 0)
        x += alpha * direction
        residual -= alpha * q
        z = residual * inverse_diagonal
        rz_new = dot(residual, z)
        beta = np.divide(rz_new, rz, out=np.zeros_like(rz), where=rz > 0)
        direction = z + beta * direction
        rz = rz_new
    return x


def rtv(images, lam: float = 0.01, sigma: float = 3.0, eps_s: float = 0.02,
        iterations: int = 4) -> np.ndarray:
    """Relative total variation (Xu et al. 2012) of ``[N, H, W, C]`` (or ``[H, W, C]``) in [0, 1].

    Minimises ``|S - I|² + lam * (RTV_x + RTV_y)`` with ``RTV = D / (L + eps)``: ``D`` the
    windowed total variation ``G_σ * |∂S|``, ``L`` the windowed inherent variation
    ``|G_σ * ∂S|``. Each iteration fixes the weights of the paper's quadratic upper bound from
    the current ``S`` and solves the sparse system ``(1 + lam L_w) S = I`` (a weighted
    Laplacian ``L_w``, reflective borders).

    Parameters
    ----------
    lam : float
        Smoothness weight (the paper uses 0.01–0.03 on photographs with large texture; on
        this course's images validation picks 0.0005–0.002).
    sigma : float
        Window scale in pixels: about the size of the texture's elements (1–5; 3 in the
        paper).
    eps_s : float
        Sharpness: the floor of ``|∂S|`` in the weights (0.02 in the paper; smaller keeps
        edges sharper).
    iterations : int
        Reweighting iterations (4 in the paper).
    """
    batch = as_batch(images)
    out = np.empty_like(batch)
    for i in range(len(batch)):  # one image at a time: faster (cache) and each stops on its own
        source = batch[i:i + 1]
        smooth = source
        for _ in range(int(iterations)):
            wx, wy = _rtv_weights(smooth, sigma, eps_s)
            smooth = _solve_weighted(source, smooth, lam * wx, lam * wy)
        out[i] = smooth[0]
    return finish(out, images)


# ------------------------------------------------------------------ rolling guidance


def rolling_guidance(images, sigma_s: float = 3.0, sigma_r: float = 0.1,
                     iterations: int = 4) -> np.ndarray:
    """Rolling guidance filter (Zhang et al. 2014) of ``[N, H, W, C]`` (or ``[H, W, C]``) in [0, 1].

    Step 1 is a Gaussian of ``sigma_s`` (the paper's joint bilateral filter with a constant
    guide): structures smaller than ``sigma_s`` vanish. Each further step filters the *input*
    with OpenCV's joint bilateral filter guided by the previous result, which brings the large
    edges back without the small structures. (``cv2.ximgproc.rollingGuidanceFilter`` starts
    from the input as its guide instead, so its first step is a plain bilateral filter that
    keeps high-contrast texture.)

    Parameters
    ----------
    sigma_s : float
        Spatial scale in pixels: the size of the structures removed.
    sigma_r : float
        Range scale (OpenCV sums the absolute differences of the channels).
    iterations : int
        Total steps, the Gaussian included (4 in the paper's examples).
    """
    def one(image: np.ndarray) -> np.ndarray:
        guide = cv2.GaussianBlur(image, (0, 0), sigma_s, borderType=cv2.BORDER_REFLECT)
        for _ in range(int(iterations) - 1):
            guide = cv2.ximgproc.jointBilateralFilter(
                np.reshape(guide, image.shape), image, -1, sigma_r, sigma_s,
                borderType=cv2.BORDER_REFLECT)
        return guide

    return per_image(one, images)


# ------------------------------------------------------------------ pyramid texture filtering


def _resize(image: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Bilinear resize of ``[h, w, C]`` to ``shape = (H, W, C)``."""
    return np.reshape(cv2.resize(image, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR),
                      shape)


def _blur(image: np.ndarray) -> np.ndarray:
    """The pyramid's 5x5 Gaussian (sigma 1), reflective borders, shape kept."""
    return np.reshape(cv2.GaussianBlur(image, (5, 5), 1.0, borderType=cv2.BORDER_REFLECT),
                      image.shape)


def pyramids(image: np.ndarray, levels: int = 11, scale: float = 0.8,
             smallest: int = 4) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Gaussian and Laplacian pyramids of one image ``float32 [H, W, C]``.

    Level ``l + 1`` is level ``l`` blurred and resized by ``scale``; ``laplacian[l]`` is level
    ``l`` minus level ``l + 1`` resized back and blurred. Stops after ``levels`` levels or
    before a side would fall under ``smallest`` pixels.

    Returns
    -------
    gaussian, laplacian : list of np.ndarray
        ``len(laplacian) == len(gaussian) - 1``; ``gaussian[0]`` is the image.
    """
    gaussian, laplacian = [image], []
    while len(gaussian) < levels:
        current = gaussian[-1]
        size = (int(current.shape[0] * scale), int(current.shape[1] * scale))
        if min(size) < smallest:
            break
        down = _resize(_blur(current), (*size, current.shape[2]))
        laplacian.append(current - _blur(_resize(down, current.shape)))
        gaussian.append(down)
    return gaussian, laplacian


def _joint_bilateral(guide: np.ndarray, image: np.ndarray, radius: int, sigma_s: float,
                     sigma_r: float) -> np.ndarray:
    """OpenCV's joint bilateral filter of ``image`` guided by ``guide``, clipped to [0, 1]."""
    out = cv2.ximgproc.jointBilateralFilter(guide, image, 2 * radius + 1, sigma_r, sigma_s,
                                            borderType=cv2.BORDER_REFLECT)
    return np.clip(np.reshape(out, image.shape), 0.0, 1.0)


def pyramid_texture(images, sigma_s: float = 5.0, sigma_r: float = 0.07, levels: int = 11,
                    scale: float = 0.8, enhance: bool = True) -> np.ndarray:
    """Pyramid texture filtering (Zhang et al. 2023) of ``[N, H, W, C]`` (or ``[H, W, C]``).

    Downsampling removes texture first: the coarsest Gaussian level is the structure, blurry.
    From coarse to fine, the result ``R`` is resized to level ``l`` and sharpened in two
    joint bilateral steps (pyramid-guided structure-aware upsampling): ``R̂`` filters the
    resized ``R`` guided by the Gaussian level ``G_l`` (narrow window, radius
    ``⌈σ_l / 2 + 1⌉``), then ``R`` filters ``R̂ + Lap_l`` (the Laplacian level restores edge
    detail) guided by ``R̂`` (radius ``⌈2 σ_l + 1⌉``), with ``σ_l = sigma_s · scale^l``.
    ``enhance`` adds a self-guided bilateral step per level, as public re-implementations do.
    Simplified: OpenCV's joint bilateral filter (square window, colour distance summed over
    channels) stands in for the paper's, and every step is clipped to [0, 1].

    Parameters
    ----------
    sigma_s : float
        Spatial scale at full resolution (3–15 in the paper).
    sigma_r : float
        Range scale (0.02–0.09 in the paper; OpenCV sums the absolute channel differences).
    levels, scale : int, float
        The pyramid: up to ``levels`` levels, each ``scale`` times the previous, so the
        coarsest level is ``scale ** (levels - 1)`` of the image whatever its size (11 and 0.8,
        a tenth, in a public re-implementation; validation here picks 3–8 levels).
    enhance : bool
        The extra self-guided step.
    """
    def one(image: np.ndarray) -> np.ndarray:
        gaussian, laplacian = pyramids(image, levels, scale)
        result = gaussian[-1]
        for level in reversed(range(len(laplacian))):
            sigma = sigma_s * scale ** level
            upsampled = _resize(result, gaussian[level].shape)
            hat = _joint_bilateral(gaussian[level], upsampled, math.ceil(sigma / 2 + 1), sigma,
                                   sigma_r)
            wide = math.ceil(2 * sigma + 1)
            result = _joint_bilateral(hat, hat + laplacian[level], wide, sigma, sigma_r)
            if enhance:
                result = _joint_bilateral(result, result, wide, sigma, sigma_r)
        return result

    return per_image(one, images)
