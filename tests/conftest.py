"""Shared test set-up: quiet TensorFlow, outputs into a temporary folder."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402

# The widgets in a real browser (tests/browser) are a stage of their own in `make test`
# (tools/test.sh), run as `pytest tests/browser`: `pytest tests` leaves them out.
collect_ignore = ["browser"]


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same random state (Python, NumPy, TensorFlow, Keras),
    whatever ran before it in its process. pytest-xdist deals tests to workers in no fixed
    order, so a test that builds a network with unseeded weights and checks a tight number
    would otherwise pass or fail by what ran first (the spectral-norm test did, in CI)."""
    import keras

    keras.utils.set_random_seed(0)


@pytest.fixture(autouse=True)
def _outputs_in_tmp(tmp_path, monkeypatch):
    """Lessons' outputs go to a per-test folder, never into the repository."""
    monkeypatch.setenv("GANDETEXTURE_OUTPUT", str(tmp_path / "outputs"))


def no_benchmark(*args, **kwargs) -> dict:
    """A placeholder for ``removal.benchmark_scores`` (9 s under smoke), for tests of
    ``train-remover`` that score nothing on the photograph benchmark (what the command prints
    of it is there, as zeros); ``test_removal`` scores the real one."""
    row = {"psnr": 0.0, "ssim": 0.0, "colour_error": 0.0}
    return {"model": row, "model ×8 + tv": row, "tv": row, "best_filter": "tv"}


def write_image(path, array):
    """Save ``array`` (``uint8 [H, W]``, ``[H, W, 3]`` or ``[H, W, 4]``) as an image file."""
    from PIL import Image

    Image.fromarray(array).save(path)
    return path


@pytest.fixture
def mixed_image_files(tmp_path):
    """The files a command over many images meets (``cli.for_each_image``): a colour image of
    an odd size, a broken file, a grey image, a missing file and an RGBA image, in that order.

    Returns ``make(odd_shape) -> (paths, before)``; ``before`` maps each readable file to its
    bytes, to check that no input is overwritten.
    """
    import numpy as np

    def make(odd_shape):
        rng = np.random.default_rng(4)
        good = write_image(tmp_path / "odd.png", rng.integers(0, 255, (*odd_shape, 3), np.uint8))
        gray = write_image(tmp_path / "gray.png", rng.integers(0, 255, (31, 40), np.uint8))
        rgba = write_image(tmp_path / "rgba.png", rng.integers(0, 255, (20, 33, 4), np.uint8))
        bad = tmp_path / "broken.jpg"
        bad.write_bytes(b"not an image")
        before = {p: p.read_bytes() for p in (good, gray, rgba)}
        return [good, bad, gray, tmp_path / "missing.png", rgba], before

    return make
