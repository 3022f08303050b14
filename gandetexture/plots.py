"""Plots used across lessons: image grids and loss curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def to_display(images, value_range: tuple[float, float] = (-1.0, 1.0)) -> np.ndarray:
    """Map images from ``value_range`` to ``float32 in [0, 1]`` (clipped), as NumPy."""
    lo, hi = value_range
    array = np.asarray(images, dtype=np.float32)
    return np.clip((array - lo) / (hi - lo), 0.0, 1.0)


def show_images(images, titles: Sequence[str] | None = None, ncols: int = 8,
                value_range: tuple[float, float] = (-1.0, 1.0), size: float = 1.5,
                suptitle: str | None = None) -> plt.Figure:
    """Show a batch of images in a grid.

    Parameters
    ----------
    images : array-like
        ``[B, H, W, 3]`` or ``[B, H, W]`` in ``value_range`` (a single ``[H, W, 3]`` image
        is shown alone).
    titles : sequence of str, optional
        One title per image.
    """
    batch = to_display(images, value_range)
    if batch.ndim == 3 and batch.shape[-1] in (1, 3):
        batch = batch[None]
    n = len(batch)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < n:
            image = batch[k]
            ax.imshow(image.squeeze(), cmap="gray" if image.ndim == 2 or image.shape[-1] == 1
                      else None, vmin=0, vmax=1)
            if titles is not None:
                ax.set_title(titles[k], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_history(history: Mapping[str, Sequence[float]], keys: Sequence[str] | None = None,
                 smooth: int = 1, title: str | None = None,
                 hlines: Mapping[str, float] | None = None) -> plt.Figure:
    """Plot training curves against the step.

    Parameters
    ----------
    history : mapping
        As returned by :func:`gandetexture.training.fit` (needs ``"step"``).
    keys : sequence of str, optional
        Curves to draw (default: every key but ``step`` and ``time``).
    smooth : int
        Moving-average window, in steps.
    hlines : mapping, optional
        Reference levels to draw as dashed lines, e.g. ``{"log 4": 1.386}``.
    """
    keys = keys or [k for k in history if k not in ("step", "time")]
    steps = np.asarray(history["step"])
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for key in keys:
        values = np.asarray(history[key], dtype=np.float64)
        if smooth > 1 and len(values) >= smooth:
            values = np.convolve(values, np.ones(smooth) / smooth, mode="valid")
            ax.plot(steps[smooth - 1:], values, label=key)
        else:
            ax.plot(steps, values, label=key)
    for label, level in (hlines or {}).items():
        ax.axhline(level, ls="--", c="gray", lw=1)
        ax.annotate(label, (steps[0] if len(steps) else 0, level), fontsize=8, va="bottom")
    ax.set_xlabel("step")
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def scatter_panels(panels: Mapping[str, np.ndarray], real: np.ndarray | None = None,
                   titles: Mapping[str, str] | None = None, size: float = 2.6,
                   limit: float = 3.0) -> plt.Figure:
    """Scatter plots side by side: generated points (one panel each) over real ones in grey.

    Parameters
    ----------
    panels : mapping
        Panel name -> points ``float [N, 2]`` (lesson 03's toy GANs).
    real : np.ndarray, optional
        Real points ``float [M, 2]`` drawn in light grey behind every panel.
    titles : mapping, optional
        Panel name -> title (default: the name).
    limit : float
        Axes span ``[-limit, limit]`` (the toy ring has radius 2).
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(size * len(panels), size + 0.3),
                             squeeze=False)
    for ax, (name, points) in zip(axes[0], panels.items()):
        if real is not None:
            ax.scatter(real[:, 0], real[:, 1], s=2, c="0.8", label="real")
        ax.scatter(points[:, 0], points[:, 1], s=2, c="C3", alpha=0.5, label="generated")
        ax.set_title((titles or {}).get(name, name), fontsize=9)
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig
