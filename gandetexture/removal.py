"""Texture removal with the conditional GAN (lessons 04-05): data, training, scoring, inference.

- :func:`train_remover` trains the U-Net / PatchGAN pair of :mod:`gandetexture.networks` with
  the pix2pix step of :mod:`gandetexture.steps` and :func:`gandetexture.training.fit`, scores
  it on the procedural test split and on real scikit-image textures against tuned classical
  filters (:mod:`gandetexture.baselines`), and writes a run folder
  (:class:`gandetexture.training.RunFolder`) that :func:`load_remover` reads back.
- :func:`remove_texture` applies a trained generator to an image of any size (padded to a
  multiple of the U-Net's stride, tiled with blended overlaps when large), or to a batch,
  with :mod:`gandetexture.inference` (whose :func:`predict` is also this module's).
- :func:`restore_local_mean` gives an output its input's local mean colour (lesson 07: the
  colour casts the remover makes on photographs, and what undoing them costs).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from gandetexture import baselines, benchmark, config, datasets, metrics, networks, training
from gandetexture.inference import predict, structures
from gandetexture.steps import make_remover_step

KIND, COMMAND = "texture remover", "train-remover"

#: Learning rate of the remover's generator. Its loss is dominated by ``100 × L1``, a
#: regression that Adam(1e-3, β1 = 0.5) learns much faster than the article's 2e-4 within the
#: few thousand steps of the ``cpu`` profile (measured: validation PSNR after 300 L1 steps,
#: 23.1 dB with 1e-3 against 22.0 dB with 2e-4). The discriminator keeps 2e-4.
GENERATOR_LR = 1e-3

#: Final learning rate of the generator's cosine decay, as a fraction of :data:`GENERATOR_LR`.
DECAY_FLOOR = 0.05


def optimizers(steps: int | None = None
               ) -> tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer]:
    """Adam for the generator (:data:`GENERATOR_LR`) and the discriminator (2e-4), β1 = 0.5.

    With ``steps``, the generator's learning rate follows a cosine from :data:`GENERATOR_LR`
    down to ``DECAY_FLOOR ×`` that at step ``steps`` (the schedule reads the optimizer's own
    step counter, which checkpoints hold, so a resumed run continues on the same curve).
    Measured on 256 validation pairs after 1000 steps (batch 32, before textures were
    centred): 24.54 dB with the decay, 24.39 dB without.
    """
    rate = GENERATOR_LR
    if steps:
        rate = keras.optimizers.schedules.CosineDecay(GENERATOR_LR, int(steps),
                                                      alpha=DECAY_FLOOR)
    return training.adam(rate), training.adam()


# --------------------------------------------------------------------------------- data

def evaluation_data(profile: config.Profile, seed: int = 0) -> dict[str, tuple[np.ndarray,
                                                                              np.ndarray]]:
    """Validation, test and real-texture pairs, ``float32 [n, S, S, 3] in [0, 1]`` each.

    ``n = profile.eval_count``. ``"val"`` and ``"test"`` are procedural
    (:func:`datasets.pair_splits`, never shared with training); ``"real"`` uses
    scikit-image's brick, grass and gravel photographs, which no training pair contains.
    """
    n, size = profile.eval_count, profile.image_size
    splits = datasets.pair_splits(size, 0, n, n, seed=seed)
    return {"val": splits["val"], "test": splits["test"],
            "real": datasets.real_texture_pairs(n, size, seed)}


#: Texture scales (px) of the training textures: the whole range of the photograph
#: benchmark (:data:`gandetexture.benchmark.SCALE_RANGE`), although a 24-px texture holds
#: under three periods in a 64² crop. Measured after 2000 ``cpu`` steps on the benchmark's
#: validation split (48 pairs of 128²): 26.12 dB with the default ``(3, size / 6)``, 26.62
#: with ``(2, 24)``, 26.45 with ``(2, 32)``; test 25.32, 25.92, 25.98.
TRAIN_SCALES = (2.0, 24.0)

#: Share of the training structures' fills muted (pulled towards their own grey; see
#: :func:`gandetexture.structures.structure`). Drawn channel by channel, a fill is rarely
#: muted, so the network learns that a muted picture had a texture *mixed* into it and
#: saturates muted photographs. Half the fills muted (lesson 07's ablation, 8000 ``cpu``
#: steps, seeds 0 and 1) scores 27.59 and 27.53 dB on the benchmark's validation split against
#: 26.95 and 26.34, and 31.71 against 31.05 dB at 512² (×8 + tv); but 26.48 against 26.66 on
#: the 128² test split (×8 + tv), 30.72 against 30.81 on the procedural test split and 24.93
#: against 25.72 on the real textures, so the recipe keeps 0.
TRAIN_MUTED = 0.0


def training_data(profile: config.Profile, seed: int = 0) -> tf.data.Dataset:
    """Endless procedural training batches ``(textured, structure)`` in [-1, 1]:
    ``profile.remover_batch_size`` pairs each, combined on the fly from
    ``profile.bank_size`` structures and textures (:func:`datasets.pair_stream`) of scales
    :data:`TRAIN_SCALES` (:data:`TRAIN_MUTED`: none of the structures' fills muted)."""
    return datasets.pair_stream(profile.image_size, profile.remover_batch_size, seed=seed,
                                bank_size=profile.bank_size, scale_range=TRAIN_SCALES,
                                muted=TRAIN_MUTED)


# --------------------------------------------------------------------------------- inference

def load_remover(directory: str | Path) -> keras.Model:
    """The generator saved by :func:`train_remover` (architecture and weights); a clear
    ``ValueError`` naming ``directory`` when it holds none."""
    return training.RunFolder.load(directory, KIND, COMMAND)[0]


def lesson_remover(profile: config.Profile, seed: int = 0, pretrained: bool = False):
    """Lessons 07-09's remover, saying which: the package's (``pretrained``), else lesson 05's
    finished run under ``profile``, else trained now in lesson 05's run folder (same call)."""
    if pretrained:
        from gandetexture import pretrained as shipped

        print("PRETRAINED = True: the remover shipped with the package, made by",
              shipped.metrics("remover")["command"])
        return shipped.remover()
    run_dir = config.output_dir("05_texture_removal", profile) / "remover-run"
    record = run_dir / "run.json"
    if record.is_file() and json.loads(record.read_text()).get("complete"):
        print("loaded lesson 05's finished remover from", run_dir)
        return load_remover(run_dir)
    # lesson 05's whole training (about 9 minutes under cpu on 2 cores): say so, and show it
    steps = profile.steps(profile.remover_steps)
    print(f"no finished remover in {run_dir} - training it there now, {steps} steps as lesson "
          "05 does (PRETRAINED = True loads the shipped one instead)")
    return train_remover(profile, run_dir, resume=True, seed=seed, progress=True).generator


def remove_texture(image, model: keras.Model | str | Path, tile: int = 256, overlap: int = 32,
                   batch_size: int = 8, ensemble: int = 1) -> np.ndarray:
    """Remove the texture of an image of any size, or of a batch of images.

    Parameters
    ----------
    image : array-like
        ``[H, W]``, ``[H, W, C]`` or ``[B, H, W, C]`` with ``C`` in 1 (grey), 3 (RGB) or 4 (RGBA,
        alpha kept), values in [0, 1] (``uint8`` is divided by 255).
    model : keras.Model or path
        A generator, or a run folder of :func:`train_remover`.
    tile, overlap : int
        Images with more than ``tile²`` pixels are processed in ``tile × tile`` tiles sharing
        ``overlap`` pixels, blended with linear weights (no seams); smaller ones whole, padded
        by mirroring to a multiple of the U-Net's stride. Either way the result has the input's
        height and width.
    batch_size : int
        Tiles (or images and their views) per forward pass.
    ensemble : int
        1 to 8: average the outputs for that many flips and quarter turns of the image
        (``ensemble`` times the time; lesson 07 measures what 8 gain on photographs).

    Returns
    -------
    np.ndarray
        ``float32`` in [0, 1], the input's shape (grey in, grey out; alpha copied).
    """
    generator = model if isinstance(model, keras.Model) else load_remover(model)
    array = np.asarray(image)
    if array.dtype == np.uint8:
        array = array.astype(np.float32) / 255.0
    array = array.astype(np.float32)
    shape = array.shape
    if array.ndim == 2:
        array = array[..., None]
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[-1] not in (1, 3, 4) or 0 in array.shape:
        raise ValueError(f"remove_texture takes [H, W], [H, W, C] or [B, H, W, C] with C in "
                         f"1, 3, 4; got shape {shape}")
    multiple = networks.stride_multiple(generator)
    if not 1 <= int(ensemble) <= 8:
        raise ValueError(f"ensemble must be 1 to 8 views, got {ensemble}")
    if tile % multiple or overlap >= tile:
        raise ValueError(f"tile ({tile}) must be a multiple of {multiple} and larger than "
                         f"overlap ({overlap})")
    channels = array.shape[-1]
    rgb = np.repeat(array, 3, axis=-1) if channels == 1 else array[..., :3]
    out = structures(np.clip(rgb, 0.0, 1.0), generator, tile, overlap, batch_size, int(ensemble))
    if channels == 1:
        out = out.mean(axis=-1, keepdims=True)
    elif channels == 4:
        out = np.concatenate([out, array[..., 3:]], axis=-1)
    return out.reshape(shape).astype(np.float32)


def restore_local_mean(output, image, sigma: float = 4.0, weight=1.0) -> np.ndarray:
    """Give a remover's output the local mean colour of its input.

    ``output + weight · (G(image) − G(output))`` with ``G`` a Gaussian blur of ``sigma`` px:
    the colours of the output averaged over more than about ``sigma`` px are replaced by the
    input's, its finer detail (edges) is kept. A texture that multiplies or adds a centred
    pattern leaves the local mean of a structure unchanged, so this undoes a colour cast the
    remover made; a texture mixed in (``"mix"``) pulls the mean towards grey, so there it
    brings the greying back (lesson 07 measures both).

    Parameters
    ----------
    output, image : array-like
        ``float32 [N, H, W, 3]`` (or one ``[H, W, 3]``) in [0, 1], the same shape.
    sigma : float
        Blur radius in pixels (``> 0``).
    weight : float or array-like
        0 keeps ``output``, 1 takes the input's local mean; one per image (``[N]``) allowed.

    Returns
    -------
    np.ndarray
        ``float32``, the shape of ``output``, clipped to [0, 1].
    """
    import cv2

    out, img = np.asarray(output, np.float32), np.asarray(image, np.float32)
    if out.shape != img.shape or out.ndim not in (3, 4):
        raise ValueError(f"output {out.shape} and image {img.shape} must be the same "
                         "[H, W, 3] or [N, H, W, 3]")
    if not sigma > 0:
        raise ValueError(f"sigma must be above 0 px, got {sigma}")

    def blur(batch: np.ndarray) -> np.ndarray:  # mirrored borders, like the U-Net's padding
        return np.stack([cv2.GaussianBlur(x, (0, 0), float(sigma),
                                          borderType=cv2.BORDER_REFLECT) for x in batch])

    batch_out, batch_img = out.reshape((-1, *out.shape[-3:])), img.reshape((-1, *img.shape[-3:]))
    w = np.asarray(weight, np.float32).reshape(-1, 1, 1, 1)
    if len(w) not in (1, len(batch_out)):
        raise ValueError(f"{len(w)} weights for {len(batch_out)} images: give one, or one "
                         "per image")
    fixed = batch_out + w * (blur(batch_img) - blur(batch_out))
    return np.clip(fixed, 0.0, 1.0).astype(np.float32).reshape(out.shape)


# --------------------------------------------------------------------------------- scoring

def evaluate(generator: keras.Model, data: dict[str, tuple[np.ndarray, np.ndarray]],
             tuned: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Score a generator and the tuned filters on the test and real splits.

    Parameters
    ----------
    data : dict
        As returned by :func:`evaluation_data`.
    tuned : dict, optional
        As returned by :func:`gandetexture.baselines.tune` on ``data["val"]`` (tuned here if
        not given).

    Returns
    -------
    dict
        ``{"tuned": tuned, "test": table, "real": table}`` where a table maps ``"model"``,
        ``"input"`` (the textured image itself) and each filter name to ``{"psnr", "ssim"}``,
        plus ``"best_filter"`` (the filter with the highest PSNR on that split).
    """
    if tuned is None:
        tuned = baselines.tune(*data["val"])
    result: dict[str, Any] = {"tuned": tuned}
    for split in ("test", "real"):
        textured, structure = data[split]
        table = {"model": metrics.image_scores(predict(generator, textured), structure),
                 "input": metrics.image_scores(textured, structure)}
        for name, best in tuned.items():
            table[name] = metrics.image_scores(
                baselines.apply(name, textured, **best["params"]), structure)
        table["best_filter"] = max(tuned, key=lambda name: table[name]["psnr"])
        result[split] = table
    return result


#: Filters ``metrics.json`` scores on the photograph benchmark: the two best on its validation
#: split in lesson 07, which scores all nine. Tuning these two on 48 pairs: about 25 s, 2 cores.
BENCHMARK_FILTERS = ("rtv", "tv")


def benchmark_scores(generator: keras.Model, profile: config.Profile, seed: int = 0,
                     filters: tuple[str, ...] = BENCHMARK_FILTERS) -> dict[str, Any]:
    """Score a generator on the real-photograph benchmark at 128² (:mod:`gandetexture.benchmark`).

    ``n = min(48, 3 · profile.eval_count // 4)`` pairs of the ``"test"`` split; ``filters``
    tuned on as many pairs of its ``"val"`` split. Besides the plain model: ``"model ×8"``,
    the self-ensemble of :func:`remove_texture` (8 flips and turns), and ``"model ×8 + tv"``,
    that followed by TV denoising with its weight tuned on the same validation pairs.

    Returns
    -------
    dict
        ``{"pairs": n, "size": 128, "tuned": {...}, "model" | "model ×8" | "model ×8 + tv" |
        "input" | filter: {"psnr", "ssim", "colour_error"}, "best_filter": name,
        "margin_db": model − best filter}``.
    """
    n, size = min(48, 3 * profile.eval_count // 4), 128
    val_t, val_s, _ = benchmark.photo_pairs("val", n, size, seed)
    textured, structure, _ = benchmark.photo_pairs("test", n, size, seed)
    tuned = baselines.tune(val_t, val_s, filters)
    ensemble = {split: remove_texture(images, generator, ensemble=8)
                for split, images in (("val", val_t), ("test", textured))}
    # the polish: TV denoising of the 8-view mean, its weight tuned on validation
    polish = baselines.tune(ensemble["val"], val_s, ["tv"])["tv"]
    tuned["model ×8 + tv"] = polish
    outputs = {"model": predict(generator, textured), "model ×8": ensemble["test"],
               "model ×8 + tv": baselines.apply("tv", ensemble["test"], **polish["params"]),
               "input": textured,
               **{name: baselines.apply(name, textured, **tuned[name]["params"])
                  for name in filters}}
    table: dict[str, Any] = {"pairs": n, "size": size, "tuned": tuned}
    for name, out in outputs.items():
        table[name] = {**metrics.image_scores(out, structure),
                       "colour_error": float(np.mean(metrics.colour_error(out, structure)))}
    table["best_filter"] = max(filters, key=lambda name: table[name]["psnr"])
    table["margin_db"] = table["model"]["psnr"] - table[table["best_filter"]]["psnr"]
    return table


# --------------------------------------------------------------------------------- training

@dataclasses.dataclass
class RemoverRun:
    """What :func:`train_remover` returns: the networks, the history and ``metrics.json``."""

    generator: keras.Model
    discriminator: keras.Model
    history: training.History
    metrics: dict[str, Any]


def train_remover(profile: config.Profile | str, out: str | Path | None,
                  steps: int | None = None, resume: bool = False, seed: int = 0,
                  progress: bool = True, budget_s: float | None = None,
                  jit_compile: bool | None = None,
                  callbacks: list[training.Callback] | None = None,
                  preview: Callable[[keras.Model, int], None] | None = None,
                  preview_every: int = 0, tuned: dict[str, dict[str, Any]] | None = None,
                  devices: str | int | tf.distribute.Strategy | None = None,
                  mixed_precision: bool | None = None,
                  ssim_weight: float = 0.0) -> RemoverRun:
    """Train, score and save the texture remover (``train-remover``, lesson 05).

    Parameters
    ----------
    profile : Profile or str
        Sizes and step count (``profile.remover_steps`` unless ``steps`` is given).
    out : str or Path, optional
        Run folder (:class:`gandetexture.training.RunFolder`); one that holds a run is
        continued only with ``resume`` (nothing of a user's is overwritten).
    budget_s : float, optional
        Wall-clock budget of the training loop (stops cleanly and saves).
    jit_compile, mixed_precision : bool, optional
        XLA for the train step, and mixed precision (``--mixed-precision``,
        :func:`gandetexture.training.precision`); default: the profile's ``xla`` and
        ``mixed_precision``, off in all three. XLA on a 2-core CPU is slower (238 against
        330 images/s, ``benchmarks/train_step.json``); neither is measured on a GPU. A
        mixed-precision run is continued only in mixed precision (its ``settings`` say so).
    callbacks : list, optional
        More side jobs for :func:`gandetexture.training.fit`.
    preview : callable, optional
        ``preview(generator, step_index)``, called every ``preview_every`` steps and after the
        last one with the generator being trained (e.g. to show its output in a lesson).
    tuned : dict, optional
        Tuned filters to score against (tuned on the validation split if not given).
    devices : int, "all" or tf.distribute.Strategy, optional
        Train on several devices (:func:`gandetexture.training.strategy_for`), the profile's
        batch split between them; ``None``: one. Not a setting of the run: a run continues
        on another number of devices.
    ssim_weight : float
        Adds ``ssim_weight · (1 − SSIM)`` to the generator's loss (``--ssim-weight``,
        :func:`gandetexture.losses.ssim_loss`); 0, the course's recipe, leaves it out. A
        setting of the run. ``benchmarks/remover_ablation.py`` measures it on the photograph
        benchmark.

    Returns
    -------
    RemoverRun
        ``metrics`` is what ``metrics.json`` holds: scores of the model and of the tuned
        filters on the test and real splits and on the photograph benchmark
        (:func:`benchmark_scores`), images/s, parameter counts, receptive field,
        steps and wall times.
    """
    began = time.perf_counter()
    profile = config.resolve_profile(profile)
    steps = int(profile.remover_steps if steps is None else steps)
    if steps < 1:
        raise ValueError(f"--steps must be at least 1, got {steps}")
    if not ssim_weight >= 0:
        raise ValueError(f"--ssim-weight must be 0 or more, got {ssim_weight}")
    strategy = training.strategy_for(devices)  # first: a CPU is split before TF starts
    training.check_batch(profile.remover_batch_size, strategy)
    xla = profile.xla if jit_compile is None else bool(jit_compile)
    mixed = profile.mixed_precision if mixed_precision is None else bool(mixed_precision)
    run = None if out is None else training.RunFolder(  # float32 runs keep their old settings
        out, KIND, {"profile": profile.name, "seed": seed, "steps": steps,
                    **({"mixed_precision": True} if mixed else {}),
                    **({"ssim_weight": float(ssim_weight)} if ssim_weight else {})},
        resume=resume)
    config.set_seed(seed)
    keras.backend.clear_session()  # (it resets Keras's dtype policy too: precision comes after)
    with training.scope(strategy), training.precision(mixed):  # mirrored networks and slots
        generator, discriminator = networks.build_remover(profile)
        g_opt, d_opt = (training.loss_scaled(o, mixed) for o in optimizers(steps))
        step = make_remover_step(generator, discriminator, g_opt, d_opt, jit_compile=xla,
                                 strategy=strategy, ssim_weight=ssim_weight)
    data = evaluation_data(profile, seed)
    peek_t, peek_s = data["val"][0][:16], data["val"][1][:16]

    def summaries(index: int) -> None:  # validation scores and images in TensorBoard
        prediction = predict(generator, peek_t)
        for name, value in metrics.image_scores(prediction, peek_s).items():
            tf.summary.scalar(f"val/{name}", value)
        tf.summary.image("val/textured-prediction-truth",
                         np.concatenate([peek_t[:2], prediction[:2], peek_s[:2]]), max_outputs=6)

    jobs = list(callbacks or [])
    if preview is not None:
        jobs.append(training.Preview(lambda index: preview(generator, index), preview_every))
    if run is not None:
        jobs += run.callbacks(step.track, profile.preview_every, extra=summaries,
                              budget_s=budget_s)
    elif budget_s is not None:
        jobs.append(training.TimeBudget(budget_s))
    first = run.checkpointed_step() if run is not None else 0
    fit_began = time.perf_counter()
    with training.scope(strategy):  # the checkpoint's own variables are mirrored too
        history = training.fit(step, training_data(profile, seed), steps, callbacks=jobs,
                               progress=progress, desc="train-remover")
    train_s = time.perf_counter() - fit_began
    done = history["step"][-1] + 1 if history["step"] else 0
    if run is not None:
        run.save(generator, complete=done >= steps)
    result = {
        "profile": profile.name, "seed": seed, "steps": steps, "steps_done": done,
        "batch_size": profile.remover_batch_size, "bank_size": profile.bank_size,
        "image_size": profile.image_size, "xla": xla, "mixed_precision": mixed,
        "ssim_weight": float(ssim_weight),
        "devices": training.replicas(strategy),
        "params": {"generator": networks.count_params(generator),
                   "discriminator": networks.count_params(discriminator)},
        "receptive_field": networks.receptive_field(discriminator),
        "images_per_s": training.images_per_s(history, first, profile.remover_batch_size),
        "train_s": train_s,
        "final_losses": {k: v[-1] for k, v in history.items() if k not in ("step", "time")},
        **evaluate(generator, data, tuned),
        "benchmark": benchmark_scores(generator, profile, seed),
        "wall_s": time.perf_counter() - began,
    }
    if run is not None:
        training.write_json(run.path / "metrics.json", result)
    return RemoverRun(generator, discriminator, history, result)
