"""Train-step throughput of the texture remover per profile (a benchmark, not a test).

    python benchmarks/train_step.py                        # smoke and cpu sizes, XLA off/on
    python benchmarks/train_step.py --profiles gpu --steps 5
    python benchmarks/train_step.py --write                # also write benchmarks/train_step.json

For each profile's U-Net + PatchGAN (``networks.build_remover``) and its batch size, with and
without XLA (``jit_compile``):

- **images/s** of the train step alone (the same batch fed again and again, after warm-up);
- **GFLOP per step**, counted by TensorFlow's profiler on the traced step's graph (forward,
  backward and the optimizer updates of both networks), and the achieved **GFLOP/s**;
- **input wait**: share of the loop's time spent waiting for the next batch of the real
  training pipeline (``removal.training_data``) when step and pipeline run together.

The load average is printed with the numbers: other work on the machine slows everything.
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


def measure(profile, xla: bool, steps: int, seed: int = 0) -> dict:
    gdt.set_seed(seed)
    tf.keras.backend.clear_session()
    generator, discriminator = networks.build_remover(profile)
    step = make_remover_step(generator, discriminator, training.adam(), training.adam(),
                             jit_compile=xla)
    data = iter(removal.training_data(profile, seed))
    batch = next(data)
    flops = step_flops(step, batch)
    for i in range(2):  # tracing / compiling, then one warm step
        float(step(batch, tf.constant(i, tf.int64))["d_loss"])
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
    return {"profile": profile.name, "xla": xla, "batch_size": profile.remover_batch_size,
            "image_size": profile.image_size, "width": profile.remover_width,
            "depth": profile.depth,
            "params": networks.count_params(generator) + networks.count_params(discriminator),
            "step_ms": round(compute_s * 1000, 1),
            "images_per_s": round(profile.remover_batch_size / compute_s, 1),
            "gflop_per_step": round(flops / 1e9, 3),
            "gflop_per_s": round(flops / 1e9 / compute_s, 1),
            "input_wait_share": round(waited / loop_s, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", nargs="+", default=["smoke", "cpu"],
                        choices=list(gdt.PROFILES))
    parser.add_argument("--steps", type=int, default=10, help="timed steps per measurement")
    parser.add_argument("--write", action="store_true",
                        help="write benchmarks/train_step.json (read by lesson 04)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    onednn = "off" if os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0" else "on"
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, TensorFlow {tf.__version__}, "
               f"oneDNN {onednn}, "
               f"load average {load:.1f} at the start")
    print(machine)
    rows = []
    for name in args.profiles:
        for xla in (False, True):
            row = measure(gdt.PROFILES[name], xla, args.steps)
            row["load_average"] = round(os.getloadavg()[0], 1)
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.write:
        path = Path(__file__).with_suffix(".json")
        path.write_text(json.dumps({"machine": machine, "rows": rows}, indent=1) + "\n")
        print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
