"""gandetexture: helper package of the course *GANs, from texture removal to texture generation*.

The notebooks in ``notebooks/`` show the ideas; this package holds the reusable code they call.
Importing it quietens TensorFlow's C++ log noise (set before TensorFlow is imported), so
lessons should ``import gandetexture`` before ``import tensorflow``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# oneDNN stays on (TensorFlow's default on x86): with it the remover's train step runs 2.1x
# faster on a 2-core CPU (21 s against 45 s for 200 steps) and reruns stay identical under
# op determinism. Only its start-up notice is hidden, by the log level above.


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with the C++ start-up lines (CUDA probing) kept out of the notebook.

    TensorFlow 2.21 prints them to file descriptor 2 before its log level applies; they would
    land in every lesson's stored outputs. Python-level errors still propagate.
    """
    import sys

    if "tensorflow" in sys.modules:
        return
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (some embedded interpreters)
        import tensorflow  # noqa: F401

        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_tensorflow_quietly()

from gandetexture.config import (  # noqa: E402
    PROFILES,
    Profile,
    output_dir,
    profile_table,
    resolve_profile,
    set_seed,
    setup,
)
from gandetexture.io import ImageLoadError, load_image  # noqa: E402
from gandetexture.removal import remove_texture  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "PROFILES",
    "ImageLoadError",
    "Profile",
    "load_image",
    "remove_texture",
    "output_dir",
    "profile_table",
    "resolve_profile",
    "set_seed",
    "setup",
]
