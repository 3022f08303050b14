"""Measurements used by the lessons.

Each section is self-contained and marked by a banner comment.
"""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf

from gandetexture import exemplars

# --------------------------------------------------------------------------------------------
# Texture statistics (lesson 06)
#
# No pretrained network can be downloaded, so texture statistics come from a *fixed, seeded,
# random-filter* CNN: Ustyuzhaninov et al. (2016) showed that Gram matrices of shallow networks
# with random filters already capture texture well enough to synthesise it. Next to them, the
# radially averaged power spectrum measures which spatial frequencies an image holds.
#
# Distances between two *sets* of images are the mean over all pairs (one from each set) of a
# per-image distance. Report them against a **floor** (two disjoint sets of real crops of the
# exemplar: what "as good as real" scores) and **baselines** (matched colour noise, the
# phase-randomised exemplar, a tiled crop: :data:`gandetexture.baselines.BASELINES`);
# :func:`texture_report` makes the table.
# --------------------------------------------------------------------------------------------

#: Random CNN of the texture statistics: (kernel, filters) per layer; 2× average pooling
#: between layers.
RANDOM_CNN_LAYERS = ((5, 32), (5, 64), (5, 64))


@functools.lru_cache(maxsize=8)
def random_cnn_filters(seed: int = 0) -> tuple[np.ndarray, ...]:
    """The fixed filters of the random texture CNN, drawn from ``seed``.

    Returns
    -------
    tuple of np.ndarray
        One ``float32 [k, k, C_in, C_out]`` kernel per layer of :data:`RANDOM_CNN_LAYERS`,
        zero-mean per filter and scaled by ``sqrt(2 / fan_in)`` (He).
    """
    rng = np.random.default_rng(seed)
    kernels, channels = [], 3
    for k, filters in RANDOM_CNN_LAYERS:
        w = rng.standard_normal((k, k, channels, filters)).astype(np.float32)
        w -= w.mean(axis=(0, 1, 2), keepdims=True)
        w *= np.sqrt(2.0 / (k * k * channels)).astype(np.float32)
        kernels.append(w)
        channels = filters
    return tuple(kernels)


def random_cnn_features(images, seed: int = 0) -> list[tf.Tensor]:
    """Feature maps of the random texture CNN, one per layer.

    Parameters
    ----------
    images : array-like
        ``float32 [B, H, W, 3] in [-1, 1]`` (H, W ≥ 16).

    Returns
    -------
    list of tf.Tensor
        ``[B, H / 2**l, W / 2**l, C_l]`` after ReLU (valid convolutions, so no border effects).
    """
    x = tf.convert_to_tensor(images, tf.float32)
    features = []
    for index, kernel in enumerate(random_cnn_filters(seed)):
        if index:
            x = tf.nn.avg_pool2d(x, 2, 2, "VALID")
        x = tf.nn.relu(tf.nn.conv2d(x, kernel, 1, "VALID"))
        features.append(x)
    return features


def gram_matrices(images, seed: int = 0) -> list[tf.Tensor]:
    """Gram matrices ``F^T F / (H·W)`` of the random CNN's layers: ``[B, C_l, C_l]`` each."""
    grams = []
    for f in random_cnn_features(images, seed):
        b, h, w, c = (tf.shape(f)[i] for i in range(4))
        flat = tf.reshape(f, [b, h * w, c])
        grams.append(tf.matmul(flat, flat, transpose_a=True) / tf.cast(h * w, tf.float32))
    return grams


def _pairwise_mean(distance) -> float:
    return float(tf.reduce_mean(distance))


def gram_distance(a, b, seed: int = 0) -> float:
    """Texture distance between two sets of images, from random-CNN Gram matrices.

    For each pair (one image of ``a``, one of ``b``) and each layer ``l``,
    ``‖G_a − G_b‖_F / ½(‖G_a‖_F + ‖G_b‖_F)`` (a relative difference, 0 for identical
    statistics); averaged over layers and over all pairs.

    Parameters
    ----------
    a, b : array-like
        ``float32 [Na, H, W, 3]`` and ``[Nb, H', W', 3]`` in ``[-1, 1]`` (sizes may differ).

    Returns
    -------
    float
        ≥ 0; compare with the floor of :func:`texture_report`.
    """
    total = 0.0
    grams_a, grams_b = gram_matrices(a, seed), gram_matrices(b, seed)
    for ga, gb in zip(grams_a, grams_b):
        diff = tf.norm(ga[:, None] - gb[None], axis=(-2, -1))  # [Na, Nb]
        na, nb = tf.norm(ga, axis=(-2, -1)), tf.norm(gb, axis=(-2, -1))
        total += _pairwise_mean(diff / (0.5 * (na[:, None] + nb[None]) + 1e-8))
    return total / len(grams_a)


def radial_power_spectrum(images) -> np.ndarray:
    """Radially averaged power spectrum of each image's luminance, in log10.

    The mean is removed and a Hann window applied (so image borders add no spurious
    frequencies); the power at each integer radius ``1 .. min(H, W)//2 - 1`` (cycles per
    image) is averaged over its ring.

    Parameters
    ----------
    images : array-like
        ``float32 [B, H, W, 3]`` (any value range; ``[-1, 1]`` in the lessons).

    Returns
    -------
    np.ndarray
        ``float64 [B, min(H, W)//2 - 1]``: ``log10`` of the mean power per ring.
    """
    x = np.asarray(images, np.float64).mean(axis=-1)
    _, h, w = x.shape
    x = x - x.mean(axis=(1, 2), keepdims=True)
    window = np.outer(np.hanning(h), np.hanning(w))
    power = np.abs(np.fft.fft2(x * window)) ** 2 / (h * w)
    fy = np.fft.fftfreq(h) * h
    fx = np.fft.fftfreq(w) * w
    radius = np.rint(np.hypot(fy[:, None], fx[None, :])).astype(int)
    top = min(h, w) // 2
    rings = np.arange(1, top)
    counts = np.bincount(radius.ravel(), minlength=top + 1)[1:top]
    sums = np.stack([np.bincount(radius.ravel(), weights=p.ravel(), minlength=top + 1)[1:top]
                     for p in power])
    return np.log10(sums / counts[None] + 1e-12)[:, : len(rings)]


def spectrum_distance(a, b) -> float:
    """Power-spectrum distance between two sets of images of the same size.

    The root-mean-square difference of the log10 radial spectra
    (:func:`radial_power_spectrum`) of each pair, averaged over all pairs; 0.3 means the
    power differs by a factor of about 2 (10**0.3) on a typical ring.
    """
    sa, sb = radial_power_spectrum(a), radial_power_spectrum(b)
    if sa.shape[1] != sb.shape[1]:
        raise ValueError(f"spectrum_distance needs images of one size; got spectra of "
                         f"{sa.shape[1]} and {sb.shape[1]} rings")
    return float(np.sqrt(((sa[:, None] - sb[None]) ** 2).mean(axis=-1)).mean())


def seam_measure(images) -> dict[str, float]:
    """How visible the wrap-around seam is when an image is tiled.

    Parameters
    ----------
    images : array-like
        ``[B, H, W, C]``.

    Returns
    -------
    dict
        ``"wrap"``: mean absolute difference between the last and first column (and row), the
        step a viewer sees where two tiles meet; ``"inside"``: the same between neighbouring
        columns (and rows) inside the image; ``"ratio"``: wrap / inside (about 1 for a
        seamless tile, well above 1 where tiles show seams).
    """
    x = np.asarray(images, np.float64)
    wrap = 0.5 * (np.abs(x[:, :, 0] - x[:, :, -1]).mean() + np.abs(x[:, 0] - x[:, -1]).mean())
    inside = 0.5 * (np.abs(np.diff(x, axis=2)).mean() + np.abs(np.diff(x, axis=1)).mean())
    return {"wrap": float(wrap), "inside": float(inside), "ratio": float(wrap / (inside + 1e-12))}


def texture_report(exemplar: np.ndarray, generated: np.ndarray | None = None,
                   count: int = 16, seed: int = 0) -> dict[str, dict[str, float]]:
    """Gram and spectrum distances to real crops: floor, baselines and generated images.

    Every row is compared with the same ``count`` real crops (drawn with ``seed``); the floor
    row is a second, independent set of real crops (``seed + 1``). Real crops are
    :func:`gandetexture.exemplars.patches` of the exemplar.

    Parameters
    ----------
    exemplar : np.ndarray
        ``float32 [H, W, 3] in [0, 1]``.
    generated : np.ndarray, optional
        ``float32 [N, S, S, 3] in [-1, 1]``; ``S`` sets the size of every other row's crops
        (default 64 when absent).

    Returns
    -------
    dict
        ``{row: {"gram": float, "spectrum": float}}`` with rows ``"floor (real vs real)"``,
        each of :data:`gandetexture.baselines.BASELINES`, and ``"generated"`` when given.
    """
    from gandetexture.baselines import BASELINES  # baselines imports this module

    size = int(generated.shape[1]) if generated is not None else 64
    reference = exemplars.patches(exemplar, size, count, seed)
    rows = {"floor (real vs real)": exemplars.patches(exemplar, size, count, seed + 1)}
    for offset, (name, make) in enumerate(BASELINES.items()):
        rows[name] = make(exemplar, size, count, seed + 2 + offset)
    if generated is not None:
        rows["generated"] = np.asarray(generated, np.float32)
    return {name: {"gram": gram_distance(images, reference),
                   "spectrum": spectrum_distance(images, reference)}
            for name, images in rows.items()}


def format_report(reports: dict[str, dict[str, dict[str, float]]]) -> str:
    """A text table of :func:`texture_report` results, one block per exemplar.

    Each distance is followed by its ratio to the floor (``×1.00`` is as good as real), or
    ``n/a`` where the floor is 0: crops as large as the exemplar are all the same image.
    """
    def ratio(value: float, floor: float) -> str:
        return f"{value / floor:>8.2f}" if floor > 0 else f"{'n/a':>8}"

    lines = [f"{'exemplar':<9}{'images':<22}{'Gram':>8}{'÷floor':>8}{'spectrum':>10}"
             f"{'÷floor':>8}"]
    for exemplar, report in reports.items():
        floor = report["floor (real vs real)"]
        for row, values in report.items():
            lines.append(f"{exemplar:<9}{row:<22}{values['gram']:>8.3f}"
                         f"{ratio(values['gram'], floor['gram'])}{values['spectrum']:>10.3f}"
                         f"{ratio(values['spectrum'], floor['spectrum'])}")
            exemplar = ""
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Image quality against a ground truth (lessons 04-05: texture removal)
#
# PSNR and SSIM as TensorFlow computes them (``tf.image.psnr``, ``tf.image.ssim``: Gaussian
# window 11, σ 1.5), on images in [0, 1], one value per image. Higher is better for both.
# --------------------------------------------------------------------------------------------


def _pair_tensors(prediction, target) -> tuple[tf.Tensor, tf.Tensor]:
    prediction = tf.convert_to_tensor(prediction, tf.float32)
    target = tf.convert_to_tensor(target, tf.float32)
    if prediction.shape != target.shape:
        raise ValueError(f"prediction {prediction.shape} and target {target.shape} differ in "
                         "shape")
    return tf.clip_by_value(prediction, 0.0, 1.0), target


def psnr(prediction, target) -> np.ndarray:
    """Peak signal-to-noise ratio in dB, ``10 log10(1 / MSE)``, per image.

    Parameters
    ----------
    prediction, target : array-like
        ``float32 [N, H, W, C] in [0, 1]`` (``prediction`` is clipped to [0, 1]).

    Returns
    -------
    np.ndarray
        ``float32 [N]`` (``inf`` for identical images).
    """
    prediction, target = _pair_tensors(prediction, target)
    return tf.image.psnr(prediction, target, max_val=1.0).numpy()


def ssim(prediction, target) -> np.ndarray:
    """Structural similarity (``tf.image.ssim``) per image, ``float32 [N]`` in [-1, 1].

    Same arguments as :func:`psnr`; images need height and width of at least 11.
    """
    prediction, target = _pair_tensors(prediction, target)
    return tf.image.ssim(prediction, target, max_val=1.0).numpy()


def image_scores(prediction, target) -> dict[str, float]:
    """Mean PSNR (dB) and mean SSIM over a batch: ``{"psnr": float, "ssim": float}``."""
    return {"psnr": float(np.mean(psnr(prediction, target))),
            "ssim": float(np.mean(ssim(prediction, target)))}


def colour_error(prediction, target) -> np.ndarray:
    """Per image, the colour shift: mean over channels of ``|mean colour of prediction − mean
    colour of target|`` (a tint, or a pull towards grey, shows here even when edges are right).

    ``prediction, target``: ``float32 [N, H, W, C] in [0, 1]``. Returns ``float64 [N]``.
    """
    prediction, target = np.asarray(prediction, np.float64), np.asarray(target, np.float64)
    return np.abs(prediction.mean(axis=(1, 2)) - target.mean(axis=(1, 2))).mean(axis=-1)


#: Truth gradient magnitude (luminance in [0, 1]) above which a pixel is an edge, and below
#: which it is flat, for :func:`detail_scores`.
EDGE, FLAT = 0.08, 0.01


def gradient_magnitude(images) -> np.ndarray:
    """``float32 [N, H-1, W-1]``: gradient magnitude of the luminance (mean of R, G, B) of
    ``[N, H, W, 3]`` images in [0, 1] (forward differences)."""
    y = np.asarray(images, np.float32).mean(axis=-1)
    dy, dx = np.diff(y, axis=1)[:, :, :-1], np.diff(y, axis=2)[:, :-1, :]
    return np.sqrt(dx * dx + dy * dy)


def detail_scores(textured, prediction, truth, per_image: bool = False) -> dict:
    """What PSNR does not tell about a removal: blurred edges, and texture left over.

    Parameters
    ----------
    textured, prediction, truth : array-like
        ``float32 [N, H, W, 3] in [0, 1]``: input, output, true structure.
    per_image : bool
        One value per image (``np.ndarray [N]``; an image without edge or flat pixels gets
        NaN) instead of one for the batch.

    Returns
    -------
    dict
        ``"edge_sharpness"``: mean gradient magnitude of the output over the truth's, on the
        truth's edge pixels (gradient above :data:`EDGE`); below 1, edges came out blurred.
        ``"texture_left"``: mean gradient magnitude of the output over the input's, on the
        truth's flat pixels (gradient below :data:`FLAT`); 0, all texture removed there;
        1, none.
    """
    g_in, g_out, g_true = (gradient_magnitude(x) for x in (textured, prediction, truth))
    edge, flat = g_true > EDGE, g_true < FLAT
    if not per_image:
        return {"edge_sharpness": float(g_out[edge].mean() / g_true[edge].mean()),
                "texture_left": float(g_out[flat].mean() / g_in[flat].mean())}

    def ratio(a, b, mask):
        with np.errstate(invalid="ignore", divide="ignore"):
            return (a * mask).sum(axis=(1, 2)) / (b * mask).sum(axis=(1, 2))

    return {"edge_sharpness": ratio(g_out, g_true, edge),
            "texture_left": ratio(g_out, g_in, flat)}


def seed_comparison(a, b, better: str = "higher") -> dict:
    """One measure of two methods, each run with several seeds: which is better, if either.

    Parameters
    ----------
    a, b : sequence of float
        The measure, one value per seed, for method A and method B.
    better : {"higher", "lower", "one"}
        Which values are better: higher (PSNR), lower (texture left), or closer to 1 (edge
        sharpness).

    Returns
    -------
    dict
        ``mean_a, sd_a, mean_b, sd_b`` (sample standard deviation; 0 for one seed) and
        ``winner``: ``"a"``, ``"b"``, or ``None`` when the means differ by no more than the
        two spreads together (``sd_a + sd_b``), i.e. the seeds alone could explain it.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    sd = [float(x.std(ddof=1)) if len(x) > 1 else 0.0 for x in (a, b)]
    mean_a, mean_b = float(a.mean()), float(b.mean())
    score = {"higher": lambda v: v, "lower": lambda v: -v, "one": lambda v: -abs(v - 1)}[better]
    winner = None
    if abs(mean_a - mean_b) > sd[0] + sd[1]:
        winner = "a" if score(mean_a) > score(mean_b) else "b"
    return {"mean_a": mean_a, "sd_a": sd[0], "mean_b": mean_b, "sd_b": sd[1], "winner": winner}
