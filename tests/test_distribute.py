"""Training on several devices (``tf.distribute.MirroredStrategy``) on two logical CPU devices.

TensorFlow splits a CPU into logical devices only before it initialises them, so every check
runs in a fresh interpreter (``subprocess``) that splits the CPU first; the pytest process
itself is never split. One interpreter does the measurements (module fixture ``measured``),
a second one checks that ``strategy_for`` splits the CPU itself.

Tolerances, measured on the smoke remover (2 cores, 3 steps):

- With BatchNorm per replica, a global batch of 8 on 2 devices normalises each half with
  its own statistics, so the losses differ from one device's by up to about 2e-4 (g_l1) and
  the weights by about 4e-3 after 3 steps. Asserted: losses within 5e-3.
- A global batch made of its first half twice gives every replica the statistics of the
  whole batch: then the only difference is float round-off (the order of the all-reduce),
  measured at most 6e-8 on the losses and 4e-6 on the weights. Asserted: losses within 1e-5,
  weights within 1e-4. The same batches test that checkpoints resume across device counts,
  and that batches of ``strategy.experimental_distribute_dataset`` give the very same losses
  as global batches split by the step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SPLIT_CPU = """
import json, os, sys
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
"""

MEASURE = """
import gandetexture as gdt
from gandetexture import cli, config, networks, removal, steps, texture, training

result = {}
strategy = training.strategy_for("all")
result["all"] = training.replicas(strategy)
result["two"] = training.replicas(training.strategy_for(2))
try:
    training.strategy_for(3)
except ValueError as error:
    result["three"] = str(error)
keys = strategy.run(lambda: steps._key(0, tf.constant(3, tf.int64), 2))
result["keys"] = [k.numpy().tolist() for k in strategy.experimental_local_results(keys)]

profile = config.PROFILES["smoke"]  # remover batch 8: 4 per device
data = removal.training_data(profile, 0)
root = sys.argv[1]


def doubled(textured, structure):  # first half twice: each replica sees the batch statistics
    return tuple(tf.concat([x[:4], x[:4]], 0) for x in (textured, structure))


def build(strategy):
    gdt.set_seed(0)
    with training.scope(strategy):
        generator, discriminator = networks.build_remover(profile)
        g_opt, d_opt = removal.optimizers(8)
        return steps.make_remover_step(generator, discriminator, g_opt, d_opt,
                                       strategy=strategy)


# one step per device count (each traced once), reset to the same initial state for every run
built = {1: build(None), 2: build(strategy)}
initial = {n: tf.train.Checkpoint(**step.track).write(f"{root}/initial-{n}/state")
           for n, step in built.items()}


def run(devices, dataset, total, folder=None):
    step, chosen = built[devices], strategy if devices == 2 else None
    tf.train.Checkpoint(**step.track).read(initial[devices]).assert_consumed()
    jobs = [training.Checkpoint(folder, step.track)] if folder else []
    with training.scope(chosen):
        history = training.fit(step, dataset, total, callbacks=jobs, progress=False)
    weights = step.track["generator"].get_weights()
    return history, np.concatenate([np.ravel(w) for w in weights])


def largest(a, b):
    return max(float(np.max(np.abs(np.asarray(a[k]) - np.asarray(b[k]))))
               for k in ("d_loss", "g_adv", "g_l1", "d_real", "d_fake"))


for name, dataset in (("plain", data), ("doubled", data.map(doubled))):
    runs = {devices: run(devices, dataset, 3) for devices in (1, 2)}
    result[name] = {"losses": largest(runs[1][0], runs[2][0]),
                    "weights": float(np.max(np.abs(runs[1][1] - runs[2][1])))}

# batches from strategy.experimental_distribute_dataset: the same shares as split_batch's
history, _ = run(2, strategy.experimental_distribute_dataset(data.map(doubled)), 2)
result["distributed dataset"] = largest(history, {k: v[:2] for k, v in runs[2][0].items()})

# checkpoints across device counts: 2 steps on one count, resumed to 3 on the other
whole, whole_weights = runs[1]
for first, then in ((2, 1), (1, 2)):
    folder = f"{root}/resume-{first}-{then}"
    run(first, data.map(doubled), 2, folder)
    history, weights = run(then, data.map(doubled), 3, folder)
    result[f"resume {first}->{then}"] = {
        "steps": history["step"], "losses": largest(history, whole),
        "weights": float(np.max(np.abs(weights - whole_weights)))}

# the texture trainer: a run folder on 2 devices, continued on 1 (same digest, same settings)
settings = texture.TextureConfig.from_profile(profile, steps=1)
texture.train_texture("brick", settings, out=f"{root}/tex", progress=False, devices=strategy)
result["texture run.json"] = json.load(open(f"{root}/tex/run.json"))["devices"]
longer = texture.TextureConfig.from_profile(profile, steps=2)
model = texture.train_texture("brick", longer, out=f"{root}/tex", resume=True, progress=False)
result["texture resumed"] = model.history["step"]

# mixed precision on two devices: loss-scaled optimizers in the strategy's scope
gdt.set_seed(0)
with training.scope(strategy), training.precision(True):
    generator, discriminator = networks.build_remover(profile)
    g_opt, d_opt = (training.loss_scaled(o, True) for o in removal.optimizers(8))
    mixed = steps.make_remover_step(generator, discriminator, g_opt, d_opt, strategy=strategy)
with training.scope(strategy):
    history = training.fit(mixed, data, 6, progress=False)
result["mixed"] = {"finite": bool(all(np.isfinite(v).all() for k, v in history.items())),
                   "g_updates": int(g_opt.iterations.value.values[0].numpy()),
                   "d_updates": int(d_opt.iterations.value.values[0].numpy())}

# the command line, on every device there is (two here). Its photograph benchmark (9 s under
# smoke, the same on any number of devices) is scored in test_removal; a placeholder here.
sys.path.insert(0, "tests")
from conftest import no_benchmark
removal.benchmark_scores = no_benchmark
status = cli.main(["train-remover", "--profile", "smoke", "--steps", "3", "--devices", "all",
                   "--out", f"{root}/cli", "--quiet"])
metrics = json.load(open(f"{root}/cli/metrics.json"))
result["cli"] = [status, metrics["devices"], metrics["steps_done"]]
print("RESULT", json.dumps(result))
"""


def run_python(code: str, *args: str, timeout: float = 240) -> dict:
    """Run ``code`` in a fresh interpreter; the JSON it prints after ``RESULT``."""
    # GPUs hidden: on a GPU machine "all" would otherwise mean its GPUs, not the two CPUs
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "-1"}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stdout[-2000:] + done.stderr[-4000:]
    return json.loads(lines[-1].removeprefix("RESULT "))


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict:
    return run_python(SPLIT_CPU + MEASURE, str(tmp_path_factory.mktemp("distribute")))


def test_strategy_for_counts_the_logical_devices(measured):
    assert measured["all"] == 2 and measured["two"] == 2
    assert "3 devices asked for" in measured["three"] and "CPU:1" in measured["three"]


def test_replicas_draw_different_noise(measured):
    first, second = measured["keys"]
    assert first != second


def test_two_devices_match_one_within_batchnorm_differences(measured):
    assert measured["plain"]["losses"] < 5e-3, measured["plain"]


def test_two_devices_match_one_to_round_off_when_batchnorm_sees_the_same_statistics(measured):
    assert measured["doubled"]["losses"] < 1e-5, measured["doubled"]
    assert measured["doubled"]["weights"] < 1e-4, measured["doubled"]


def test_the_step_takes_batches_of_a_distributed_dataset_too(measured):
    assert measured["distributed dataset"] == 0.0


@pytest.mark.parametrize("counts", ["2->1", "1->2"])
def test_checkpoints_resume_on_another_number_of_devices(measured, counts):
    resumed = measured[f"resume {counts}"]
    assert resumed["steps"] == [0, 1, 2]  # the history of the first call comes back
    assert resumed["losses"] < 1e-5 and resumed["weights"] < 1e-4, resumed


def test_texture_run_records_its_devices_and_continues_on_one(measured):
    assert measured["texture run.json"] == 2
    assert measured["texture resumed"] == [0, 1]


def test_mixed_precision_trains_on_two_devices(measured):
    mixed = measured["mixed"]  # G's first steps overflow in float16 and are skipped
    assert mixed["finite"] and 0 < mixed["g_updates"] <= 6 and 0 < mixed["d_updates"] <= 6, mixed


def test_train_remover_devices_all(measured):
    assert measured["cli"] == [0, 2, 3]


def test_strategy_for_splits_the_cpu_before_tensorflow_starts():
    result = run_python("""
        import json
        import tensorflow as tf
        from gandetexture import training
        strategy = training.strategy_for("2")  # nothing has initialised TensorFlow yet
        try:
            training.strategy_for(3)  # too late to split again
        except ValueError as error:
            late = str(error)
        print("RESULT", json.dumps([strategy.num_replicas_in_sync, late]))
    """)
    assert result[0] == 2 and "initialised" in result[1]


def test_strategy_for_one_device_is_no_strategy():
    from gandetexture import training

    assert training.strategy_for(None) is None and training.strategy_for(1) is None
    assert training.strategy_for("1") is None
    for bad in ("0", "some", -2):
        with pytest.raises(ValueError, match="--devices"):
            training.strategy_for(bad)
    training.check_batch(8, None)
    with pytest.raises(ValueError, match="does not split evenly over 3 devices"):
        training.check_batch(8, types.SimpleNamespace(num_replicas_in_sync=3))
