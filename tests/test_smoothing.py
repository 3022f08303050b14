"""Structure–texture filters (gandetexture.smoothing): known behaviour on synthetic images."""

from __future__ import annotations

import numpy as np
import pytest

from gandetexture import smoothing

SIZE = 64
# The filters written here, with settings that remove a 4-pixel texture of ±0.15.
FILTERS = {
    "l0": (smoothing.l0_smooth, {"lam": 0.02}),
    "rtv": (smoothing.rtv, {"lam": 0.01, "sigma": 3.0}),
    "rolling": (smoothing.rolling_guidance, {"sigma_s": 3.0, "sigma_r": 0.1}),
    "pyramid": (smoothing.pyramid_texture, {"levels": 5, "sigma_s": 5.0, "sigma_r": 0.07}),
}


def step_edge(size: int = SIZE) -> np.ndarray:
    """Left half 0.25, right half 0.75, ``float32 [size, size, 3]``."""
    image = np.full((size, size, 3), 0.25, np.float32)
    image[:, size // 2:] = 0.75
    return image


def checker_texture(size: int = SIZE, period: int = 4, amplitude: float = 0.15) -> np.ndarray:
    """A periodic texture of ``period`` pixels around 0, ``float32 [size, size, 1]``."""
    y, x = np.mgrid[:size, :size]
    wave = np.sin(2 * np.pi * x / period) * np.sin(2 * np.pi * y / period)
    return (amplitude * wave)[..., None].astype(np.float32)


def power_at(image: np.ndarray, period: int) -> float:
    """Spectral power of a ``[H, W, C]`` image at frequency ``(1/period, 1/period)``."""
    spectrum = np.abs(np.fft.fft2(image - image.mean(axis=(0, 1)), axes=(0, 1))) ** 2
    k = image.shape[0] // period
    return float(spectrum[k, k].sum())


@pytest.mark.parametrize("name", list(FILTERS))
def test_flat_image_stays_flat(name):
    fn, params = FILTERS[name]
    flat = np.full((2, 32, 32, 3), 0.4, np.float32)
    np.testing.assert_allclose(fn(flat, **params), flat, atol=1e-5)


@pytest.mark.parametrize("name", list(FILTERS))
def test_step_edge_survives(name):
    fn, params = FILTERS[name]
    out = fn(step_edge(), **params)
    left = out[:, SIZE // 2 - 8:SIZE // 2 - 2].mean()
    right = out[:, SIZE // 2 + 2:SIZE // 2 + 8].mean()
    assert abs((right - left) - 0.5) < 0.05, (left, right)
    assert abs(out[:, :8].mean() - 0.25) < 0.02 and abs(out[:, -8:].mean() - 0.75) < 0.02


@pytest.mark.parametrize("name", list(FILTERS))
def test_periodic_texture_energy_falls_and_edge_stays(name):
    fn, params = FILTERS[name]
    structure = step_edge()
    textured = np.clip(structure + checker_texture(), 0.0, 1.0)
    out = fn(textured, **params)
    assert power_at(out, 4) < power_at(textured, 4) / 50
    residual = out - structure
    assert np.sqrt((residual ** 2).mean()) < 0.5 * np.sqrt(((textured - structure) ** 2).mean())
    assert (out[:, -8:].mean() - out[:, :8].mean()) > 0.45


@pytest.mark.parametrize("name", list(FILTERS))
def test_shape_range_dtype_and_determinism(name):
    fn, params = FILTERS[name]
    rng = np.random.default_rng(0)
    images = rng.random((2, 24, 40, 3), dtype=np.float32)
    out = fn(images, **params)
    assert out.shape == images.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert out.tobytes() == fn(images, **params).tobytes()
    one = fn(images[1], **params)
    assert one.shape == images[1].shape
    np.testing.assert_allclose(one, out[1], atol=1e-5)  # an image does not see its batch
    gray = fn(images[..., :1], **params)
    assert gray.shape == (2, 24, 40, 1)
    four = fn(np.concatenate([images, images[..., :1]], axis=-1), **params)
    assert four.shape == (2, 24, 40, 4)


def test_rtv_solver_matches_a_direct_sparse_solve():
    from scipy.sparse import diags
    from scipy.sparse.linalg import spsolve

    rng = np.random.default_rng(1)
    source = rng.random((1, 12, 10, 3)).astype(np.float32)
    ax = rng.random((1, 12, 9, 1)).astype(np.float32) * 50
    ay = rng.random((1, 11, 10, 1)).astype(np.float32) * 50
    got = smoothing._solve_weighted(source, source, ax, ay, tol=1e-6)
    width = 10
    east = np.pad(ax[0, :, :, 0], ((0, 0), (0, 1))).ravel()   # edge (p, p + 1)
    south = np.pad(ay[0, :, :, 0], ((0, 1), (0, 0))).ravel()  # edge (p, p + width)
    diagonal = 1 + east + south + np.roll(east, 1) + np.roll(south, width)
    matrix = diags([diagonal, -east[:-1], -east[:-1], -south[:-width], -south[:-width]],
                   [0, 1, -1, width, -width], format="csc")
    want = spsolve(matrix, source[0].reshape(-1, 3).astype(np.float64))
    np.testing.assert_allclose(got[0].reshape(-1, 3), want, atol=1e-4)


def test_l0_keeps_a_piecewise_constant_image_and_counts_gradients():
    image = step_edge(32)
    np.testing.assert_allclose(smoothing.l0_smooth(image, lam=0.01), image, atol=1e-3)
    # a small bump costs more gradients than it saves in data term for a large lam: removed
    bumped = image.copy()
    bumped[8:10, 4:6] += 0.1
    out = smoothing.l0_smooth(bumped, lam=0.05)
    assert abs(out[8:10, 4:6].mean() - 0.25) < 0.02


def test_pyramids_rebuild_the_image_and_stop_small():
    image = np.random.default_rng(2).random((40, 50, 3)).astype(np.float32)
    gaussian, laplacian = smoothing.pyramids(image, levels=11, scale=0.8)
    assert len(laplacian) == len(gaussian) - 1
    assert min(gaussian[-1].shape[:2]) >= 4 and len(gaussian) < 11
    rebuilt = gaussian[-1]
    for level in reversed(range(len(laplacian))):  # Laplacian pyramid reconstruction
        rebuilt = smoothing._blur(smoothing._resize(rebuilt, gaussian[level].shape))
        rebuilt = rebuilt + laplacian[level]
    np.testing.assert_allclose(rebuilt, image, atol=1e-5)


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"\[N, H, W, C\] or \[H, W, C\]"):
        smoothing.rtv(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="kappa > 1"):
        smoothing.l0_smooth(np.zeros((8, 8, 3)), kappa=1.0)
