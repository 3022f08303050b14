"""Pairs per second of the texture-removal input pipelines (a benchmark, not a test).

    python benchmarks/pipeline.py                 # 64×64 and 128×128, batches of 32
    python benchmarks/pipeline.py --sizes 32 --seconds 1

Measures, for each image size:

- ``pair_stream``: the training pipeline that composes fresh pairs inside ``tf.data``
  (structure × texture × flips × blend × amplitude), after its banks are built, without and
  with XLA compilation;
- ``pair_dataset``: batches (with augmentation) from pairs made beforehand by ``make_pairs``;
- ``make_pairs``: making pairs with NumPy (the one-off cost of a fixed dataset).

Targets on a 2-core machine: 1,000 pairs/s at 64×64 and 250 pairs/s at 128×128 for the
training pipeline, so the input never starves training. The load average is printed with the
numbers: other work on the machine slows everything down.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gandetexture  # noqa: E402,F401  (quiet TensorFlow first)
from gandetexture import datasets  # noqa: E402

TARGETS = {64: 1000.0, 128: 250.0}


def pairs_per_second(dataset, batch_size: int, seconds: float) -> float:
    """Iterate a dataset for about ``seconds`` (after 3 warm-up batches); pairs per second."""
    iterator = iter(dataset)
    for _ in range(3):
        next(iterator)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        next(iterator)
        count += batch_size
    return count / (time.perf_counter() - start)


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--bank-size", type=int, default=256)
    parser.add_argument("--n-pairs", type=int, default=256,
                        help="pairs made by make_pairs (timed) for pair_dataset")
    args = parser.parse_args(argv)
    print(f"cpu cores: {os.cpu_count()}, load average before: {load()}")
    print(f"batch size {args.batch_size}, {args.seconds:g} s per measurement\n")
    print(f"{'size':>5} {'pipeline':<16} {'pairs/s':>9}  note")
    ok = True
    for size in args.sizes:
        for jit in (False, True):
            start = time.perf_counter()
            stream = datasets.pair_stream(size, args.batch_size, seed=0,
                                          bank_size=args.bank_size, jit=jit)
            bank = time.perf_counter() - start
            rate = pairs_per_second(stream, args.batch_size, args.seconds)
            target = TARGETS.get(size)
            verdict = "" if target is None else (
                f"target {target:,.0f}: {'met' if rate >= target else 'MISSED'}")
            ok &= target is None or rate >= target
            name = "pair_stream" + (" xla" if jit else "")
            print(f"{size:>5} {name:<16} {rate:>9,.0f}  {verdict} (banks built in "
                  f"{bank:.1f} s)", flush=True)

        start = time.perf_counter()
        textured, structure = datasets.make_pairs(args.n_pairs, size, seed=0)
        made = args.n_pairs / (time.perf_counter() - start)
        ds = datasets.pair_dataset(textured, structure, args.batch_size, seed=0, augment=True)
        rate = pairs_per_second(ds, args.batch_size, args.seconds)
        print(f"{size:>5} {'pair_dataset':<16} {rate:>9,.0f}  from arrays, augmented",
              flush=True)
        print(f"{size:>5} {'make_pairs':<16} {made:>9,.0f}  NumPy, one-off", flush=True)
    print(f"\nload average after: {load()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
