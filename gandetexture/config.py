"""Profiles (smoke / cpu / gpu), seeding, and where outputs go.

Every lesson reads its sizes and step counts from one :class:`Profile`, so the same code runs
in CI (``smoke``), on a 2-core laptop (``cpu``) and on a GPU (``gpu``); only numbers change.

Resolution order for the profile name: the notebook's papermill parameter ``PROFILE`` >
the environment variable ``GANDETEXTURE_PROFILE`` > ``"auto"`` (``gpu`` when TensorFlow sees a
GPU, else ``cpu``).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

ENV_PROFILE = "GANDETEXTURE_PROFILE"
ENV_OUTPUT = "GANDETEXTURE_OUTPUT"
#: A testing aid: caps every step count of the resolved profile and takes smoke's image counts
#: (``make test`` runs every lesson under ``gpu`` with ``GANDETEXTURE_MAX_STEPS=1``, so
#: gpu-sized networks, images, evaluation splits and plots run end to end on a CPU in
#: minutes). Not for real training, nor for numbers.
ENV_MAX_STEPS = "GANDETEXTURE_MAX_STEPS"
STEP_FIELDS = ("gan_steps", "toy_steps", "remover_steps", "texture_steps", "preview_every")


@dataclasses.dataclass(frozen=True)
class Profile:
    """Sizes and step counts for one compute budget.

    Attributes
    ----------
    name : str
        ``"smoke"``, ``"cpu"`` or ``"gpu"``.
    image_size : int
        Height and width of training images in the convolutional lessons (05, 06).
    batch_size : int
        Batch size for every training loop.
    width : int
        Base number of filters of convolutional networks.
    depth : int
        Number of down-sampling levels of the U-Net (lesson 05).
    gan_steps : int
        Training steps of the article's MLP GAN (lesson 02).
    toy_steps : int
        Training steps of the 2-D toy GANs (lesson 03).
    remover_steps : int
        Training steps of the texture remover (lesson 05).
    texture_steps : int
        Training steps of the texture generator (lesson 06).
    n_pairs : int
        Number of procedural (textured, structure) pairs in the training split.
    preview_every : int
        Draw the fixed preview batch every this many steps.
    remover_width : int
        Base width of the texture remover's networks (lessons 04-05).
    remover_batch_size : int
        Batch size of the texture remover (lessons 04-05).
    max_steps : int
        0, or the cap that :data:`ENV_MAX_STEPS` put on every step count (a testing aid:
        outputs then go to ``<name>-max<N>``, apart from real runs).
    xla : bool
        Compile the remover's train step with XLA. Off in every profile: on a 2-core CPU it
        is slower (``benchmarks/train_step.json``); on a GPU it has not been measured.
    mixed_precision : bool
        Train the remover and texture GANs in mixed precision (``mixed_float16`` with loss
        scaling, :func:`gandetexture.training.precision`). Off in every profile: it is an
        option not yet measured on a GPU (on a CPU float16 is slower, not faster).
    """

    name: str
    image_size: int
    batch_size: int
    width: int
    depth: int
    gan_steps: int
    toy_steps: int
    remover_steps: int
    texture_steps: int
    n_pairs: int
    preview_every: int
    remover_width: int
    remover_batch_size: int
    max_steps: int = 0
    xla: bool = False
    mixed_precision: bool = False

    def steps(self, count: int) -> int:
        """``count`` training steps, or the cap of :data:`ENV_MAX_STEPS` when that is lower;
        for step counts a lesson sets itself (e.g. the two-sample test's classifier)."""
        return min(int(count), self.max_steps) if self.max_steps else int(count)

    def pick(self, table: dict):
        """This profile's entry of a lesson's per-profile ``table`` (``{"smoke": ..., "cpu":
        ..., "gpu": ...}``, e.g. how many images it evaluates); smoke's when capped
        (:data:`ENV_MAX_STEPS`), which checks that the code runs at this profile's sizes."""
        return table["smoke" if self.max_steps else self.name]

    @property
    def folder(self) -> str:
        """Name of this profile's output folder: ``name``, or ``<name>-max<N>`` when capped,
        so a capped test run never lands in (or resumes from) a real run's folder."""
        return f"{self.name}-max{self.max_steps}" if self.max_steps else self.name

    @property
    def bank_size(self) -> int:
        """Structures (and as many textures) the remover's training stream combines.

        Half of ``n_pairs``, clipped to 32-2048. Measured on 256 validation pairs after 1000
        steps (batch 32, before textures were centred): 24.73 dB from a bank of 2048 against
        24.39 dB from 256.
        """
        return int(np.clip(self.n_pairs // 2, 32, 2048))

    @property
    def eval_count(self) -> int:
        """Pairs in each of the remover's validation, test and real-texture splits.

        ``n_pairs // 64``, clipped to 16-64 (smoke 16, cpu 64, gpu 64). The classical filters
        are tuned on the validation split, so it also sets the cost of that sweep.
        """
        return int(np.clip(self.n_pairs // 64, 16, 64))


PROFILES: dict[str, Profile] = {
    "smoke": Profile("smoke", image_size=32, batch_size=8, width=8, depth=2, gan_steps=20,
                     toy_steps=50, remover_steps=10, texture_steps=10, n_pairs=64,
                     preview_every=10, remover_width=8, remover_batch_size=8),
    "cpu": Profile("cpu", image_size=64, batch_size=32, width=32, depth=4, gan_steps=6000,
                   toy_steps=2000, remover_steps=8000, texture_steps=4000, n_pairs=4096,
                   preview_every=500, remover_width=16, remover_batch_size=16),
    "gpu": Profile("gpu", image_size=128, batch_size=64, width=64, depth=6, gan_steps=20000,
                   toy_steps=5000, remover_steps=20000, texture_steps=10000, n_pairs=20000,
                   preview_every=2000, remover_width=64, remover_batch_size=64,
                   # kept off until measured faster on a GPU (benchmarks/train_step.py)
                   xla=False, mixed_precision=False),
}
#: Profile fields that switch a way of computing on or off (not sizes; False is meaningful).
SWITCHES = ("xla", "mixed_precision")


def gpu_available() -> bool:
    """Return True when TensorFlow sees at least one GPU."""
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def resolve_profile(name: str | Profile | None = "auto") -> Profile:
    """Turn a profile name into a :class:`Profile` (a :class:`Profile` is returned as it is,
    so functions can take either).

    Parameters
    ----------
    name : str, Profile or None
        ``"smoke"``, ``"cpu"``, ``"gpu"``, or ``"auto"``/``None``/``""``. ``"auto"`` defers to
        the environment variable ``GANDETEXTURE_PROFILE`` and, failing that, to the hardware:
        ``gpu`` when TensorFlow sees a GPU, else ``cpu``.

    Raises
    ------
    ValueError
        For a name that is not a profile, listing the valid ones.
    """
    if isinstance(name, Profile):
        return name
    chosen = (name or "auto").strip().lower()
    if chosen == "auto":
        chosen = os.environ.get(ENV_PROFILE, "").strip().lower() or "auto"
    if chosen == "auto":
        chosen = "gpu" if gpu_available() else "cpu"
    if chosen not in PROFILES:
        raise ValueError(
            f"unknown profile {name!r} (from {ENV_PROFILE}={os.environ.get(ENV_PROFILE)!r}); "
            f"choose one of {', '.join(PROFILES)} or 'auto'"
        )
    return capped(PROFILES[chosen])


def capped(profile: Profile, max_steps: int | str | None = None) -> Profile:
    """``profile`` with every step count at most ``max_steps`` (default: the environment
    variable :data:`ENV_MAX_STEPS`; unset or empty: ``profile`` unchanged), at most 1024
    training pairs (so evaluation splits of smoke's 16 pairs) and batches of at most 8 (image
    sizes, widths and depths unchanged).

    Raises
    ------
    ValueError
        When the cap is not a positive integer, naming the variable.
    """
    raw = os.environ.get(ENV_MAX_STEPS, "") if max_steps is None else max_steps
    if str(raw).strip() == "":
        return profile
    try:
        cap = int(str(raw).strip())
    except ValueError:
        cap = 0
    if cap < 1:
        raise ValueError(f"{ENV_MAX_STEPS}={raw!r}: the step cap must be a positive integer")
    changes = {field: min(getattr(profile, field), cap) for field in STEP_FIELDS}
    # A capped run tests that code runs, not its numbers: 1024 pairs give smoke's evaluation
    # splits (eval_count 16, each image still gpu-sized), which tuning filters on costs most.
    changes["n_pairs"] = min(profile.n_pairs, 1024)
    # A batch's size changes no code path, only the time of each step (and GPU memory, which
    # only a GPU can measure): 8 keeps a gpu-sized U-Net step to seconds on two CPU cores.
    changes["batch_size"] = min(profile.batch_size, 8)
    changes["remover_batch_size"] = min(profile.remover_batch_size, 8)
    return dataclasses.replace(profile, max_steps=cap, **changes)


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and TensorFlow (and Keras) and turn on TensorFlow op determinism.

    Call it once at the top of a lesson; calling it again with the same seed and rebuilding the
    models gives the same numbers again.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))  # Python's random, NumPy, TF's global seed, Keras
    tf.config.experimental.enable_op_determinism()


def stateless_key(seed, index=0):
    """The key of TensorFlow's stateless random ops for draw ``index`` of ``seed``.

    Parameters
    ----------
    seed : int or int tensor
        A seed, or already a key (an ``int64 [2]`` tensor, returned as it is).
    index : int or int tensor
        Which draw: a step, an epoch, a batch (``tf.data`` counters are ``int64`` tensors).

    Returns
    -------
    tf.Tensor
        ``int64 [2]``, ``(seed, index)``: the same pair gives the same numbers, on any run.
    """
    import tensorflow as tf

    seed = tf.cast(tf.convert_to_tensor(seed), tf.int64)
    if seed.shape.rank == 1:
        return seed
    return tf.stack([seed, tf.cast(index, tf.int64)])


def output_dir(lesson: str, profile: Profile | str) -> Path:
    """Folder where a lesson writes checkpoints, logs and images; created if missing.

    ``$GANDETEXTURE_OUTPUT/<lesson>/<profile>``, by default ``outputs/`` in the current folder's
    repository root (or the current folder). Nothing in it is ever deleted by the package.
    """
    base = os.environ.get(ENV_OUTPUT)
    if base:
        root = Path(base)
    else:
        here = Path.cwd()
        roots = [p for p in (here, *here.parents) if (p / "pyproject.toml").exists()]
        root = (roots[0] if roots else here) / "outputs"
    name = profile.folder if isinstance(profile, Profile) else str(profile)
    path = root / lesson / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def profile_table() -> str:
    """The profiles as a fixed-width text table (one row per size or step count, then the
    size rules; the :data:`SWITCHES` are left out)."""
    fields = [f.name for f in dataclasses.fields(Profile)
              if f.name not in ("name", "max_steps", *SWITCHES)]
    fields += ["bank_size", "eval_count"]
    names = list(PROFILES)
    pad = max(len(f) for f in fields) + 1
    rows = [" " * pad + "".join(f"{n:>8}" for n in names)]
    for field in fields:
        rows.append(f"{field:<{pad}}" + "".join(f"{getattr(PROFILES[n], field):>8}" for n in names))
    return "\n".join(rows)


def setup(profile: str | None = "auto", seed: int = 0, lesson: str | None = None) -> Profile:
    """Apply a notebook's parameters cell: resolve the profile, seed everything, clear Keras.

    This is what the second cell of every lesson calls. It also clears the Keras session, so
    running a notebook twice in one kernel starts from the same state.

    Returns
    -------
    Profile
        The resolved profile.
    """
    import keras

    resolved = resolve_profile(profile)
    keras.backend.clear_session()
    set_seed(seed)
    where = f", outputs in {os.path.relpath(output_dir(lesson, resolved))}" if lesson else ""
    cap = f", every step count capped at {resolved.max_steps} ({ENV_MAX_STEPS})" \
        if resolved.max_steps else ""
    print(f"profile: {resolved.name} (seed {seed}){cap}{where}")
    return resolved
