"""The benchmarks' shared way of judging one image with several judge seeds (not a script).

``benchmarks/c2st_seeds.py``, ``degrid.py`` and ``judge_check.py`` import it (a script's own
folder is on ``sys.path``), so each records the two-sample test the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gandetexture import yardstick


def c2st_seeds(real: np.ndarray, image: np.ndarray, seeds: int, crop: int | None = None,
               steps: int | None = None, axis: int | None = None, centre: bool = True,
               split: str = "checkerboard") -> dict:
    """:func:`gandetexture.yardstick.two_sample_accuracy` of ``image`` against ``real`` at
    lesson 06's ``cpu`` settings (``yardstick.JUDGE["cpu"]``'s ``c2st_crop`` and ``steps``,
    or the given ``crop`` and ``steps``), once per judge seed ``0 … seeds − 1``: the image
    stays the same, the classifier's weights and crops change.

    Parameters
    ----------
    real, image : np.ndarray
        ``float32 [H, W, 3] in [0, 1]``: real texture (lesson 06's judge: the held-out half)
        and the candidate.
    seeds : int
        Judge seeds; at least 2 (the spread needs two).
    axis, centre, split
        As :func:`~gandetexture.yardstick.two_sample_accuracy` takes them. The JSON files
        recorded before the checkerboard judge used ``split="halves"`` (``steps=300``); the
        first judge (against the train half) also cut along the exemplar's
        ``yardstick.split_axis`` and did not centre its crops.

    Returns
    -------
    dict
        ``{"c2st": [accuracy per seed], "mean": float, "std": float, "real right": float,
        "candidate right": float}`` (sample standard deviation; the share of real test crops
        called real and of the candidate's called fake, means over the seeds), rounded to 3
        decimals.
    """
    settings = yardstick.JUDGE["cpu"]
    scores = [yardstick.two_sample_accuracy(real, np.asarray(image, np.float32),
                                            crop or settings["c2st_crop"],
                                            steps or settings["steps"], seed=seed, axis=axis,
                                            centre=centre, split=split, per_class=True)
              for seed in range(seeds)]
    accuracies = [s["accuracy"] for s in scores]
    return {"c2st": [round(a, 3) for a in accuracies],
            "mean": round(float(np.mean(accuracies)), 3),
            "std": round(float(np.std(accuracies, ddof=1)), 3),
            **{f"{side} right": round(float(np.mean([s[side] for s in scores])), 3)
               for side in ("real", "candidate")}}


def finish(record: dict, out: Path | None) -> int:
    """Print a benchmark's ``record["means"]`` (if it has them) as one JSON line and write the
    whole record to ``out`` (one indented JSON object) if given; the script's exit status, 0."""
    if "means" in record:
        print(json.dumps(record["means"]), flush=True)
    if out:
        out.write_text(json.dumps(record, indent=1) + "\n")
    return 0
