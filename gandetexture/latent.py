"""Global codes of the texture generator (lesson 06): walks between them, blends over space.

A texture model's global noise channels hold one code per image (:func:`global_codes` draws
them as :func:`gandetexture.texture.generate` does); a line between two codes walks from one
kind of texture to another, and a field of codes that varies over the image blends them;
codes pulled towards the mean (:func:`truncated_codes`) paint the generator's best-practised
textures.
"""

from __future__ import annotations

import numpy as np

from gandetexture.texture import TextureConfig, global_codes


def interpolate_global(config: TextureConfig, seed_a: int, seed_b: int, steps: int
                       ) -> np.ndarray:
    """Global codes on a straight line between two seeds' codes: ``[steps, global_channels]``."""
    a, b = global_codes(config, 1, seed_a), global_codes(config, 1, seed_b)
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    return (1 - t) * a + t * b


def truncated_codes(config: TextureConfig, count: int, seed: int = 0, psi: float = 0.5
                    ) -> np.ndarray:
    """The global codes :func:`gandetexture.texture.generate` would draw, pulled towards the
    mean code (zero) by ``psi``: the truncation trick of BigGAN and StyleGAN. ``psi = 1`` keeps
    them; ``psi = 0`` paints every seed with the mean code (the local noise still differs).
    Codes far from the mean paint the generator's less practised textures; lesson 06
    measures what ``psi = 0.5`` does to the two-sample test. Returns ``float32 [count,
    global_channels]``; pass it as ``global_noise``."""
    if not 0.0 <= psi <= 1.0:
        raise ValueError(f"psi must be between 0 (the mean code) and 1 (as drawn), got {psi}")
    return (psi * global_codes(config, count, seed)).astype(np.float32)


def horizontal_blend(code_a, code_b, cells_h: int, cells_w: int) -> np.ndarray:
    """A spatially varying global code: ``code_a`` on the left, ``code_b`` on the right.

    The code ramps linearly over the middle two thirds of the width (the outer sixths keep the
    pure codes). Returns ``float32 [1, cells_h, cells_w, global_channels]``; pass it as
    ``global_noise`` to :func:`gandetexture.texture.generate`.
    """
    a, b = np.asarray(code_a, np.float32), np.asarray(code_b, np.float32)
    t = np.clip(np.linspace(-0.25, 1.25, cells_w, dtype=np.float32), 0, 1)[:, None]
    ramp = (1 - t) * a + t * b  # [cells_w, global_channels]
    return np.broadcast_to(ramp[None, None], (1, cells_h, cells_w, len(a))).copy()
