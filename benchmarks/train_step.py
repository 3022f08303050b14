"""Train-step throughput of the texture remover per profile (a benchmark, not a test).

    python benchmarks/train_step.py                        # smoke and cpu sizes, XLA off/on
    python benchmarks/train_step.py --profiles gpu --steps 5
    python benchmarks/train_step.py --write                # also write benchmarks/train_step.json
    python benchmarks/train_step.py --profiles gpu --mixed-precision --out gpu-step.json

For each profile's U-Net + PatchGAN (``networks.build_remover``) and its batch size, with and
without XLA (``jit_compile``; ``--xla off|on`` for one of them) and, with
``--mixed-precision``, in float32 and in mixed precision (``mixed_float16`` with loss scaling,
``training.precision``; logits and losses stay float32):

- **steps/s** and **images/s** of the train step alone (the same batch fed again and again,
  after warm-up; under mixed precision the warm-up goes on until the loss scales have settled
  and both optimizers update, so the timed steps are full updates), on the device printed first;
- **GFLOP per step**, counted by TensorFlow's profiler on the traced step's graph (forward,
  backward and the optimizer updates of both networks), and the achieved **GFLOP/s**;
- **input wait**: share of the loop's time spent waiting for the next batch of the real
  training pipeline (``removal.training_data``) when step and pipeline run together.

The load average is printed with the numbers: other work on the machine slows everything.
Last, the fastest combination. The profiles keep float32 without XLA (``Profile.xla`` and
``Profile.mixed_precision`` are off in all three): XLA measured slower on a 2-core CPU, float16
computes slower on a CPU too, and neither has been measured on a GPU. Change the ``gpu``
profile only from numbers this prints on a GPU. ``train_step_precision.json`` holds the four
combinations measured on the course's 2-core CPU (``--profiles smoke cpu --mixed-precision``):
float32 without XLA fastest, mixed precision without XLA 5× slower there. A CPU result, not
a GPU one: on a GPU with tensor cores float16 is expected to pay, and is unmeasured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gandetexture as gdt  # noqa: E402  (quiet TensorFlow first)

# isort: split
import tensorflow as tf  # noqa: E402

from gandetexture import networks, removal, training  # noqa: E402
from gandetexture.steps import make_remover_step  # noqa: E402


def step_flops(step, batch) -> float:
    """Floating-point operations of one call of a traced step (TensorFlow's profiler)."""
    graph = step.get_concrete_function(batch, tf.constant(0, tf.int64)).graph
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    tf.get_logger().setLevel("ERROR")  # the v1 profiler announces its own deprecation
    return float(tf.compat.v1.profiler.profile(graph, options=options).total_float_ops)


def device() -> str:
    """What the step runs on: TensorFlow places it on the first GPU when there is one."""
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        capability = ".".join(map(str, details.get("compute_capability", ()))) or "?"
        return f"GPU {details.get('device_name', gpus[0].name)} (compute {capability})"
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines
                  if line.startswith("model name")), "")
    return f"CPU {model or platform.processor() or platform.machine()} (no GPU)"


def measure(profile, xla: bool, steps: int, mixed: bool = False, seed: int = 0) -> dict:
    gdt.set_seed(seed)
    tf.keras.backend.clear_session()  # (resets the dtype policy: precision comes after)
    with training.precision(mixed):
        generator, discriminator = networks.build_remover(profile)
    g_opt, d_opt = (training.loss_scaled(training.adam(), mixed) for _ in range(2))
    step = make_remover_step(generator, discriminator, g_opt, d_opt, jit_compile=xla)
    data = iter(removal.training_data(profile, seed))
    batch = next(data)
    flops = step_flops(step, batch)
    for i in range(2):  # tracing / compiling, then one warm step
        float(step(batch, tf.constant(i, tf.int64))["d_loss"])
    # mixed precision: a step whose float16 gradients overflow is skipped and the loss scale
    # halved; warm up until both optimizers update, so the timed steps are all full steps
    for i in range(2, 40 if mixed else 2):
        before = int(g_opt.iterations), int(d_opt.iterations)
        float(step(batch, tf.constant(i, tf.int64))["d_loss"])
        if int(g_opt.iterations) > before[0] and int(d_opt.iterations) > before[1]:
            break
    start = time.perf_counter()
    for i in range(steps):
        float(step(batch, tf.constant(i, tf.int64))["d_loss"])
    compute_s = (time.perf_counter() - start) / steps
    waited, start = 0.0, time.perf_counter()
    for i in range(steps):
        before = time.perf_counter()
        batch = next(data)
        waited += time.perf_counter() - before
        float(step(batch, tf.constant(i, tf.int64))["d_loss"])
    loop_s = time.perf_counter() - start
    return {"profile": profile.name, "xla": xla, "mixed_precision": mixed,
            "batch_size": profile.remover_batch_size,
            "image_size": profile.image_size, "width": profile.remover_width,
            "depth": profile.depth,
            "params": networks.count_params(generator) + networks.count_params(discriminator),
            "step_ms": round(compute_s * 1000, 1), "steps_per_s": round(1 / compute_s, 2),
            "images_per_s": round(profile.remover_batch_size / compute_s, 1),
            "gflop_per_step": round(flops / 1e9, 3),
            "gflop_per_s": round(flops / 1e9 / compute_s, 1),
            "input_wait_share": round(waited / loop_s, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", nargs="+", default=["smoke", "cpu"],
                        choices=list(gdt.PROFILES))
    parser.add_argument("--steps", type=int, default=10, help="timed steps per measurement")
    parser.add_argument("--xla", choices=["off", "on", "both"], default="both",
                        help="measure without XLA, with it, or both (default)")
    parser.add_argument("--mixed-precision", action="store_true",
                        help="measure mixed precision (mixed_float16, loss scaling) beside "
                             "float32")
    parser.add_argument("--write", action="store_true",
                        help="write benchmarks/train_step.json (read by lesson 04: float32, "
                             "XLA off and on)")
    parser.add_argument("--out", type=Path, default=None, help="write the results here")
    args = parser.parse_args()
    if args.write and (args.mixed_precision or args.xla != "both"):
        parser.error("lesson 04 reads train_step.json as float32 rows with XLA off and on; "
                     "write other combinations with --out")
    load = os.getloadavg()[0]
    onednn = "off" if os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0" else "on"
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, TensorFlow {tf.__version__}, "
               f"oneDNN {onednn}, "
               f"load average {load:.1f} at the start")
    where = device()
    print(machine)
    print("device:", where)
    xlas = {"off": [False], "on": [True], "both": [False, True]}[args.xla]
    rows = []
    for name in args.profiles:
        for mixed in (False, True) if args.mixed_precision else (False,):
            for xla in xlas:
                row = measure(gdt.PROFILES[name], xla, args.steps, mixed)
                row["device"] = where
                row["load_average"] = round(os.getloadavg()[0], 1)
                rows.append(row)
                print(json.dumps(row), flush=True)
    for name in args.profiles:
        print(summary([r for r in rows if r["profile"] == name], gdt.PROFILES[name], where))
    path = Path(__file__).with_suffix(".json") if args.write else args.out
    if path is not None:
        path.write_text(json.dumps({"machine": machine, "device": where, "rows": rows},
                                   indent=1) + "\n")
        print("wrote", path)
    return 0


def summary(rows: list[dict], profile, where: str) -> str:
    """Steps/s of each combination against float32 without XLA, and the fastest; what the
    profile keeps, which changes only from a measurement on the device it is for."""
    label = {(False, False): "float32", (True, False): "float32 + XLA",
             (False, True): "mixed", (True, True): "mixed + XLA"}
    base = next((r for r in rows if not r["xla"] and not r["mixed_precision"]), rows[0])
    lines = [f"{profile.name} on {where}:"]
    for r in rows:
        lines.append(f"  {label[r['xla'], r['mixed_precision']]:14s} {r['steps_per_s']:8.2f} "
                     f"steps/s  {r['steps_per_s'] / base['steps_per_s']:5.2f}×")
    best = max(rows, key=lambda r: r["steps_per_s"])
    lines.append(f"  fastest here: {label[best['xla'], best['mixed_precision']]}; the profile "
                 f"keeps xla={profile.xla}, mixed_precision={profile.mixed_precision}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
