"""The training loop of the course, its side jobs (callbacks) and the run folder.

:func:`fit` calls a train step (see :mod:`gandetexture.steps`) ``steps`` times and records
what it returns; it stops with :class:`TrainingDiverged` when a loss becomes NaN or infinite.
Everything else is a callback, as in Keras: :class:`Checkpoint` (exact resume),
:class:`TensorBoard`, :class:`ProgressBar`, :class:`Preview` and :class:`TimeBudget`.
:class:`RunFolder` is the one format of a training run on disk, used by both trainers.
:func:`strategy_for` turns ``--devices N|all`` into a ``tf.distribute.MirroredStrategy``;
:func:`precision` and :func:`loss_scaled` are ``--mixed-precision``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

History = dict[str, list[float]]


class TrainingDiverged(RuntimeError):
    """Raised by :func:`fit` when a loss becomes NaN or infinite (``.history`` up to there)."""


def adam(learning_rate: float | Any = 2e-4, beta_1: float = 0.5) -> keras.optimizers.Adam:
    """The article's optimizer: Adam(2e-4, β1=0.5), one per network."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1)


@dataclasses.dataclass
class Loop:
    """What callbacks see of a running :func:`fit`."""

    steps: int  #: index at which training ends
    start: int  #: index of the first step run by this call (a restore may move it)
    data: Any  #: the data fit was given
    iterator: Iterator[Any]  #: where the batches come from
    history: History = dataclasses.field(default_factory=lambda: {"step": [], "time": []})
    stop: bool = False  #: set by a callback to end training after this step
    error: BaseException | None = None  #: what ended training, if not its end
    last_checkpoint: str | None = None  #: set by :class:`Checkpoint`
    began: float = dataclasses.field(default_factory=time.perf_counter)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.began


class Callback:
    """A side job of :func:`fit`; override what you need."""

    def on_train_begin(self, loop: Loop) -> None: ...

    def on_step_end(self, loop: Loop, index: int, logs: dict[str, float]) -> None: ...

    def on_train_end(self, loop: Loop) -> None: ...


def fit(step: Callable[[Any, tf.Tensor], Mapping[str, tf.Tensor]], data: Iterable[Any],
        steps: int, *, start_step: int = 0, callbacks: Sequence[Callback] = (),
        progress: bool = True, desc: str = "training") -> History:
    """Run ``step(batch, step_index)`` for ``step_index`` in ``start .. steps - 1``.

    ``step_index`` is an ``int64`` tensor (a ``tf.function`` is traced once). ``start`` is
    ``start_step``, or where a :class:`Checkpoint` callback resumes. Returns the history: one
    list per output of ``step``, plus ``"step"`` and ``"time"`` (seconds since the call).
    Raises :class:`TrainingDiverged` when an output is NaN or infinite, before any callback
    sees (or saves) that state.
    """
    loop = Loop(steps=int(steps), start=int(start_step), data=data, iterator=iter(data))
    jobs = [*callbacks, *([ProgressBar(desc)] if progress else [])]
    for job in jobs:
        job.on_train_begin(loop)
    try:
        for i in range(loop.start, loop.steps):
            outputs = step(next(loop.iterator), tf.constant(i, tf.int64))
            logs = {k: float(v) for k, v in outputs.items()}
            loop.history["step"].append(i)
            loop.history["time"].append(loop.elapsed)
            for k, v in logs.items():
                loop.history.setdefault(k, []).append(v)
            bad = [k for k, v in logs.items() if not math.isfinite(v)]
            if bad:  # the NaN guard: stop before anything saves this state
                kept = f"; the last good checkpoint is {loop.last_checkpoint}" \
                    if loop.last_checkpoint else ""
                error = TrainingDiverged(
                    f"step {i}: {', '.join(bad)} became {logs[bad[0]]}; training stopped "
                    f"without saving this state{kept}. Try a lower learning rate or another "
                    "loss.")
                error.history = loop.history  # type: ignore[attr-defined]
                raise error
            for job in jobs:
                job.on_step_end(loop, i, logs)
            if loop.stop:
                break
    except BaseException as error:
        loop.error = error
        raise
    finally:
        for job in jobs:
            job.on_train_end(loop)
    return loop.history


class Checkpoint(Callback):
    """Checkpoint and resume exactly: step counter, ``track`` and the data position.

    Checkpoints go to ``directory/checkpoints`` (``tf.train.CheckpointManager``, the last
    ``keep``), the history to ``directory/history.json``; saved every ``every`` steps (0:
    only at the end) and when training stops early (time budget), never after a NaN.

    ``track`` names what to save besides the counter: networks and their optimizers, as a
    step of :mod:`gandetexture.steps` lists them in ``step.track``. A ``tf.data.Dataset``'s
    iterator is saved too (its shuffle state, not images), so a resumed run sees the batches
    an uninterrupted one would have seen. ``resume=False`` starts from the current weights;
    its checkpoints then replace the old ones as the manager rotates them.
    """

    def __init__(self, directory: str | Path, track: Mapping[str, Any], every: int = 0,
                 keep: int = 3, resume: bool = True):
        self.directory, self.track = Path(directory), dict(track)
        self.every, self.keep, self.resume = int(every), int(keep), resume
        if {"step", "data"} & set(self.track):
            raise ValueError("Checkpoint(track=...): the names 'step' and 'data' are reserved")

    def on_train_begin(self, loop: Loop) -> None:
        self.counter = tf.Variable(loop.start, dtype=tf.int64, trainable=False, name="step")
        extra = {"data": loop.iterator} if isinstance(loop.data, tf.data.Dataset) else {}
        self.checkpoint = tf.train.Checkpoint(step=self.counter, **self.track, **extra)
        self.manager = tf.train.CheckpointManager(self.checkpoint, self.directory / "checkpoints",
                                                  max_to_keep=self.keep)
        self.saved = None
        latest = self.manager.latest_checkpoint
        if self.resume and latest:
            try:
                self.checkpoint.restore(latest).expect_partial()
            except (ValueError, tf.errors.OpError) as error:
                first = str(error).strip().splitlines()[0][:200]
                raise ValueError(
                    f"{latest}: this checkpoint does not fit the networks being trained "
                    f"({first}); train in another directory, or start over there without "
                    "resuming") from None
            loop.start = self.saved = int(self.counter.numpy())
            loop.history = _load_history(self.directory / "history.json", loop.start)
            loop.last_checkpoint = latest

    def on_step_end(self, loop: Loop, index: int, logs: dict[str, float]) -> None:
        if (self.every and (index + 1) % self.every == 0) or index + 1 == loop.steps:
            self._save(loop, index + 1)

    def on_train_end(self, loop: Loop) -> None:
        done = loop.history["step"][-1] + 1 if loop.history["step"] else loop.start
        if loop.error is None and self.saved != done:
            self._save(loop, done)

    def _save(self, loop: Loop, index: int) -> None:
        self.counter.assign(index)
        loop.last_checkpoint = self.manager.save(checkpoint_number=index)
        self.saved = index
        write_json(self.directory / "history.json", loop.history, indent=None)


class TensorBoard(Callback):
    """Write the step's outputs to TensorBoard every ``every`` steps (and after the last).

    ``extra(index)`` runs inside the writer with its step set, to add more with
    ``tf.summary.scalar`` / ``tf.summary.image`` (validation scores, sample images).
    """

    def __init__(self, logdir: str | Path, every: int, extra: Callable[[int], None] | None = None):
        self.logdir, self.every, self.extra = str(logdir), max(1, int(every)), extra

    def on_train_begin(self, loop: Loop) -> None:
        self.writer = tf.summary.create_file_writer(self.logdir)

    def on_step_end(self, loop: Loop, index: int, logs: dict[str, float]) -> None:
        if (index + 1) % self.every and index + 1 != loop.steps:
            return
        with self.writer.as_default(step=index + 1):
            for name, value in logs.items():
                tf.summary.scalar(name, value)
            if self.extra is not None:
                self.extra(index)
        self.writer.flush()

    def on_train_end(self, loop: Loop) -> None:
        self.writer.close()


class ProgressBar(Callback):
    """A ``tqdm`` progress bar with the live losses (added by :func:`fit` unless
    ``progress=False``)."""

    def __init__(self, desc: str = "training"):
        self.desc = desc

    def on_train_begin(self, loop: Loop) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=loop.steps, initial=min(loop.start, loop.steps), desc=self.desc)

    def on_step_end(self, loop: Loop, index: int, logs: dict[str, float]) -> None:
        self.bar.update(1)
        if index % 10 == 0 or index + 1 == loop.steps:
            self.bar.set_postfix({k: f"{v:.3f}" for k, v in logs.items()}, refresh=False)

    def on_train_end(self, loop: Loop) -> None:
        self.bar.close()


class Preview(Callback):
    """Call ``show(index)`` every ``every`` steps (0: never) and after the last step."""

    def __init__(self, show: Callable[[int], None], every: int = 0):
        self.show, self.every = show, int(every)

    def on_step_end(self, loop: Loop, index: int, logs: dict[str, float]) -> None:
        if (self.every and (index + 1) % self.every == 0) or index + 1 == loop.steps:
            self.show(index)


class TimeBudget(Callback):
    """Stop cleanly after the step that exceeds ``seconds`` of wall time (a
    :class:`Checkpoint` then saves); ``history["step"][-1] + 1 < steps`` tells."""

    def __init__(self, seconds: float):
        self.seconds = float(seconds)

    def on_step_end(self, loop: Loop, index: int, logs: dict[str, float]) -> None:
        loop.stop = loop.stop or loop.elapsed > self.seconds


# ------------------------------------------------------------ several devices, mixed precision

def strategy_for(devices: str | int | tf.distribute.Strategy | None
                 ) -> tf.distribute.Strategy | None:
    """The strategy that trains on ``devices`` (the trainers' ``--devices``).

    Parameters
    ----------
    devices : None, int, str or tf.distribute.Strategy
        ``None`` or ``1``: one device, no strategy (the plain step, exactly as without this
        option). ``"all"``: every GPU; on a machine without one, every logical CPU device of
        the process (one, unless the CPU was split). ``N`` (or ``"N"``): the first ``N`` GPUs;
        on a machine without one, the CPU split into ``N`` logical devices. That split is
        only possible before TensorFlow initialises its devices (the command line asks first
        thing); later, the logical CPU devices that exist are used. Logical CPU devices
        share the same cores: they run multi-device code on a laptop, they do not speed it
        up. A strategy is returned as it is.

    Returns
    -------
    tf.distribute.MirroredStrategy or None
        A synchronous data-parallel strategy over the devices (``None`` for one device).

    Raises
    ------
    ValueError
        For a count below 1, a word other than ``"all"``, or more devices than there are
        (naming those there are).
    """
    if devices is None or isinstance(devices, tf.distribute.Strategy):
        return devices
    text = str(devices).strip().lower()
    count = 0
    if text != "all":
        try:
            count = int(text)
        except ValueError:
            raise ValueError(f"--devices takes a count or 'all', got {devices!r}") from None
        if count < 1:
            raise ValueError(f"--devices must be at least 1, got {count}")
        if count == 1:
            return None
    kind = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    if kind == "CPU" and count > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        try:  # one logical device per replica; impossible once TensorFlow is initialised
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * count)
        except RuntimeError:
            pass
    available = [device.name for device in tf.config.list_logical_devices(kind)]
    count = count or len(available)
    if count > len(available):
        late = " (TensorFlow was initialised before the CPU could be split)" \
            if kind == "CPU" else ""
        raise ValueError(f"{count} devices asked for, and this process has {len(available)} "
                         f"{kind} device(s){late}: {', '.join(available)}")
    return tf.distribute.MirroredStrategy(available[:count]) if count > 1 else None


def replicas(strategy: tf.distribute.Strategy | None) -> int:
    """How many devices share each batch (1 without a strategy)."""
    return 1 if strategy is None else int(strategy.num_replicas_in_sync)


def scope(strategy: tf.distribute.Strategy | None) -> contextlib.AbstractContextManager:
    """``strategy.scope()``, or nothing to enter without a strategy. Networks, optimizers,
    moving averages and checkpoints created in it are mirrored on every device."""
    return contextlib.nullcontext() if strategy is None else strategy.scope()


@contextlib.contextmanager
def precision(mixed: bool) -> Iterator[None]:
    """Networks built in this block compute in float16 with float32 weights (Keras's
    ``mixed_float16`` policy; ``mixed=False``: float32, as without it). Every network's last
    layer is float32 (:mod:`gandetexture.networks`): logits, images and losses stay float32.
    The global policy is restored on leaving, so what is built later is as before. Unmeasured
    on a GPU, so no profile turns it on (``benchmarks/train_step.py --mixed-precision``)."""
    before = keras.mixed_precision.global_policy()
    if mixed:
        keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(before)


def loss_scaled(optimizer: keras.optimizers.Optimizer, mixed: bool
                ) -> keras.optimizers.Optimizer:
    """``optimizer`` in a ``LossScaleOptimizer`` for mixed precision (else itself): float16
    gradients of small losses underflow, so the step multiplies each loss by a dynamic scale
    (``scale_loss``) and ``apply_gradients`` divides it out, skipping a step whose gradients
    are not finite (and halving the scale). Create it in the strategy's scope."""
    return keras.mixed_precision.LossScaleOptimizer(optimizer) if mixed else optimizer


def check_batch(batch_size: int, strategy: tf.distribute.Strategy | None) -> None:
    """A ``ValueError`` unless ``batch_size`` (the global batch) splits evenly over the
    strategy's devices: the step averages equal shares (:func:`gandetexture.steps.make_step`)."""
    count = replicas(strategy)
    if int(batch_size) % count:
        raise ValueError(f"a batch of {batch_size} does not split evenly over {count} devices; "
                         "choose a number of devices that divides it")


def images_per_s(history: History, first: int, batch_size: int) -> float:
    """Images per second over the steps from ``first`` (this call's), after the first of
    them, which includes tracing (NaN with fewer than three)."""
    times = [t for s, t in zip(history["step"], history["time"]) if s >= first]
    if len(times) > 2 and times[-1] > times[0]:
        return batch_size * (len(times) - 2) / (times[-1] - times[0])
    return float("nan")


def write_json(path: Path, value: Any, indent: int | None = 2) -> None:
    """Write JSON atomically: a reader never sees half a file, a crash never leaves one."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(value, indent=indent) + "\n")
    os.replace(tmp, path)


def _load_history(path: Path, start: int) -> History:
    """The saved history's entries of steps before ``start`` (empty if none is readable)."""
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return {"step": [], "time": []}
    keep = sum(1 for s in saved.get("step", []) if s < start)
    return {k: list(v[:keep]) for k, v in saved.items()}


class RunFolder:
    """A training run on disk, the one format of ``train-remover`` and ``train-texture``.

    ``run.json`` (kind, settings, complete), ``model.keras`` (the trained generator,
    architecture and weights, written atomically), ``checkpoints/``, ``logs/`` (TensorBoard),
    ``history.json`` and, for the remover, ``metrics.json``. A folder that already holds
    checkpoints is continued only with ``resume=True`` (and only with the same settings, the
    step count aside); otherwise a ``ValueError`` says so: nothing of a user's is overwritten.
    """

    RECORD, MODEL = "run.json", "model.keras"

    def __init__(self, path: str | Path, kind: str, settings: Mapping[str, Any],
                 resume: bool = False):
        self.path, self.kind, self.settings = Path(path), kind, dict(settings)
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"{self.path}: a run folder is needed, and this is a file")
        if self.has_checkpoints():
            if not resume:
                raise ValueError(f"{self.path} already holds checkpoints of a run; pass "
                                 "--resume (resume=True) to continue it, or choose another "
                                 "folder")
            old = self.record().get("settings", {})
            if {**old, "steps": 0} != {**self.settings, "steps": 0}:
                raise ValueError(f"{self.path} holds a {self.kind} run with other settings; "
                                 "choose another folder")

    def has_checkpoints(self) -> bool:
        return tf.train.latest_checkpoint(self.path / "checkpoints") is not None

    def checkpointed_step(self) -> int:
        """The step the latest checkpoint was saved at (0 without one)."""
        latest = tf.train.latest_checkpoint(self.path / "checkpoints")
        return int(latest.rsplit("-", 1)[-1]) if latest else 0

    def record(self) -> dict[str, Any]:
        """What ``run.json`` holds (empty when there is none)."""
        try:
            return json.loads((self.path / self.RECORD).read_text())
        except (OSError, ValueError):
            return {}

    def callbacks(self, track: Mapping[str, Any], every: int, summary_every: int | None = None,
                  extra: Callable[[int], None] | None = None,
                  budget_s: float | None = None) -> list[Callback]:
        """A checkpoint every ``every`` steps, TensorBoard every ``summary_every`` (default:
        ``every``) with ``extra`` summaries, and a time budget if given."""
        self.path.mkdir(parents=True, exist_ok=True)
        jobs: list[Callback] = [Checkpoint(self.path, track, every=every),
                                TensorBoard(self.path / "logs", summary_every or every, extra)]
        return jobs + ([TimeBudget(budget_s)] if budget_s is not None else [])

    def save(self, model: keras.Model, complete: bool, **extra: Any) -> None:
        """Write the model (atomically) and ``run.json``."""
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / f".tmp-{self.MODEL}"
        model.save(tmp)
        os.replace(tmp, self.path / self.MODEL)
        write_json(self.path / self.RECORD, {"kind": self.kind, "settings": self.settings,
                                             "complete": bool(complete), **extra})

    @classmethod
    def load(cls, path: str | Path, kind: str, command: str) -> tuple[keras.Model,
                                                                     dict[str, Any]]:
        """The saved model and ``run.json`` of a run of ``kind``; a clear ``ValueError``
        naming the folder (and the ``command`` that makes one) when there is none."""
        path = Path(path)
        try:
            record = json.loads((path / cls.RECORD).read_text())
            if record.get("kind") != kind:
                raise ValueError(f"it holds a {record.get('kind')!r} run")
            model = keras.saving.load_model(path / cls.MODEL, compile=False)
        except (OSError, ValueError, KeyError, TypeError) as error:
            reason = "nothing" if not (path / cls.RECORD).is_file() else str(error)[:200]
            raise ValueError(f"{path}: no trained {kind} here ({reason}); train one with "
                             f"`python -m gandetexture {command} --out {path}`") from None
        return model, record
