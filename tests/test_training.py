"""The shared training loop and its callbacks (exact resume, NaN guard, budget, summaries,
previews) and the run folder both trainers use (gandetexture.training)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf

import gandetexture as gdt  # noqa: F401  (quiet TensorFlow first)
from gandetexture import networks, removal, steps, training

SIZE, BATCH = 16, 4


def pairs_dataset(seed: int = 0) -> tf.data.Dataset:
    rng = np.random.default_rng(seed)
    structure = rng.uniform(-1, 1, (32, SIZE, SIZE, 3)).astype(np.float32)
    textured = np.clip(structure + rng.normal(0, 0.3, structure.shape), -1, 1).astype(np.float32)
    textured, structure = tf.constant(textured), tf.constant(structure)
    ids = tf.data.Dataset.range(32).shuffle(32, seed=seed).repeat().batch(BATCH)
    return ids.map(lambda i: (tf.gather(textured, i), tf.gather(structure, i)))


def build(seed: int = 0, adversarial: bool = True, width: int = 4):
    """A tiny remover step; ``step.track`` is what a checkpoint holds."""
    gdt.set_seed(seed)
    g = networks.build_unet_generator(width=width, depth=2)
    d = networks.build_patchgan_discriminator(width=4, n_down=1) if adversarial else None
    return steps.make_remover_step(g, d, training.adam(),
                                   training.adam() if adversarial else None)


def checkpoint(directory, step, **options) -> training.Checkpoint:
    return training.Checkpoint(directory, step.track, **options)


# ------------------------------------------------------------------------------ fit + callbacks

def test_resume_matches_uninterrupted_run(tmp_path):
    k = 4
    step = build()
    whole = training.fit(step, pairs_dataset(), 2 * k,
                         callbacks=[checkpoint(tmp_path / "a", step)], progress=False)
    step = build()
    first = training.fit(step, pairs_dataset(), k, callbacks=[checkpoint(tmp_path / "b", step)],
                         progress=False)
    assert first["step"] == list(range(k))
    # A new session: fresh networks and optimizers (other initial weights), fresh dataset.
    step = build(seed=1)
    resumed = training.fit(step, pairs_dataset(), 2 * k,
                           callbacks=[checkpoint(tmp_path / "b", step)], progress=False)
    assert resumed["step"] == list(range(2 * k))
    for key in ("d_loss", "g_adv", "g_l1"):
        np.testing.assert_allclose(resumed[key], whole[key], rtol=1e-5, atol=1e-6)
    for a, b in zip(step.track["generator"].weights, build().track["generator"].weights):
        assert a.shape == b.shape
    assert (tmp_path / "b" / "checkpoints" / "checkpoint").exists()
    assert json.loads((tmp_path / "b" / "history.json").read_text())["step"] == list(range(2 * k))


def test_resume_false_starts_over(tmp_path):
    step = build(adversarial=False)
    training.fit(step, pairs_dataset(), 3, callbacks=[checkpoint(tmp_path, step)], progress=False)
    step = build(adversarial=False)
    again = training.fit(step, pairs_dataset(), 3,
                         callbacks=[checkpoint(tmp_path, step, resume=False)], progress=False)
    assert again["step"] == [0, 1, 2]


def test_start_step_without_a_checkpoint():
    step = build(adversarial=False)
    history = training.fit(step, pairs_dataset(), 5, start_step=3, progress=False)
    assert history["step"] == [3, 4]


def test_nan_guard_keeps_last_good_checkpoint(tmp_path):
    weight = tf.Variable(1.0)
    optimizer = training.adam()

    @tf.function
    def step(batch, step_index):
        weight.assign_add(1.0)
        loss = tf.where(step_index >= 3, tf.constant(np.nan, tf.float32), weight)
        return {"loss": loss}

    data = tf.data.Dataset.range(100)
    save = training.Checkpoint(tmp_path, {"w": weight, "opt": optimizer}, every=1)
    with pytest.raises(training.TrainingDiverged, match="step 3: loss became nan") as caught:
        training.fit(step, data, 10, callbacks=[save], progress=False)
    assert caught.value.history["step"] == [0, 1, 2, 3]
    assert "the last good checkpoint is" in str(caught.value)
    assert "ckpt-3" in str(caught.value)
    latest = tf.train.latest_checkpoint(tmp_path / "checkpoints")
    assert latest.endswith("ckpt-3")
    restored = tf.Variable(0.0)
    tf.train.Checkpoint(w=restored).restore(latest).expect_partial()
    assert float(restored) == 4.0  # the state after step 2, not the NaN step's
    assert json.loads((tmp_path / "history.json").read_text())["step"] == [0, 1, 2]


def test_nan_guard_is_built_in_and_stops_before_callbacks_see_the_step():
    seen = []

    def step(batch, index):
        return {"loss": tf.constant(float("inf")) if int(index) == 1 else tf.constant(1.0)}

    with pytest.raises(training.TrainingDiverged, match="step 1: loss became inf") as caught:
        training.fit(step, iter(range(10)), 5, progress=False,
                     callbacks=[training.Preview(seen.append, every=1)])
    assert seen == [0]
    assert "last good checkpoint" not in str(caught.value)  # there is none


def test_budget_stops_and_saves(tmp_path):
    step = build(adversarial=False)
    history = training.fit(step, pairs_dataset(), 1000,
                           callbacks=[checkpoint(tmp_path, step), training.TimeBudget(0.0)],
                           progress=False)
    assert history["step"] == [0]
    assert tf.train.latest_checkpoint(tmp_path / "checkpoints").endswith("ckpt-1")


def test_summaries_and_callback(tmp_path):
    step = build(adversarial=False)
    called = []

    def extra(index):
        called.append(index)
        tf.summary.scalar("val_psnr", 1.0)
        tf.summary.image("samples", tf.zeros([2, 8, 8, 3]))

    training.fit(step, pairs_dataset(), 4,
                 callbacks=[training.TensorBoard(tmp_path / "logs", 2, extra=extra)],
                 progress=False)
    assert called == [1, 3]
    events = list((tmp_path / "logs").glob("events.out.tfevents.*"))
    assert events
    tags = set()
    for event in tf.compat.v1.train.summary_iterator(str(events[0])):
        tags |= {value.tag for value in event.summary.value}
    assert {"g_l1", "val_psnr", "samples"} <= tags


def test_plain_call_with_previews():
    step = build(adversarial=False)
    previews = []
    history = training.fit(step, iter(pairs_dataset()), 5,
                           callbacks=[training.Preview(previews.append, every=2)],
                           progress=False)
    assert history["step"] == list(range(5))
    assert previews == [1, 3, 4]
    assert set(history) == {"step", "time", "g_l1"}


def test_checkpoint_of_other_networks_is_a_clear_error(tmp_path):
    step = build(adversarial=False)
    training.fit(step, pairs_dataset(), 2, callbacks=[checkpoint(tmp_path, step)], progress=False)
    other = build(adversarial=False, width=8)
    with pytest.raises(ValueError, match="ckpt-2: this checkpoint does not fit"):
        training.fit(other, pairs_dataset(), 4, callbacks=[checkpoint(tmp_path, other)],
                     progress=False)
    assert tf.train.latest_checkpoint(tmp_path / "checkpoints").endswith("ckpt-2")


def test_checkpoint_reserves_its_own_names(tmp_path):
    with pytest.raises(ValueError, match="reserved"):
        training.Checkpoint(tmp_path, {"step": tf.Variable(0)})


# ------------------------------------------------------------------------------ RunFolder

SETTINGS = {"profile": "smoke", "seed": 0, "steps": 2}


def fake_run(path, settings=SETTINGS, kind=removal.KIND) -> None:
    """A folder as a trainer leaves it: run.json and one checkpoint (no training needed)."""
    folder = training.RunFolder(path, kind, settings)
    counter = tf.Variable(settings["steps"], dtype=tf.int64)
    tf.train.CheckpointManager(tf.train.Checkpoint(step=counter), folder.path / "checkpoints",
                               max_to_keep=1).save(checkpoint_number=settings["steps"])
    training.write_json(folder.path / folder.RECORD,
                        {"kind": kind, "settings": dict(settings), "complete": True})


def test_run_folder_refuses_a_run_without_resume(tmp_path):
    fake_run(tmp_path)
    with pytest.raises(ValueError, match="--resume"):
        training.RunFolder(tmp_path, removal.KIND, SETTINGS)
    folder = training.RunFolder(tmp_path, removal.KIND, {**SETTINGS, "steps": 5}, resume=True)
    assert folder.checkpointed_step() == 2
    assert folder.record()["settings"] == SETTINGS
    with pytest.raises(ValueError, match="other settings"):
        training.RunFolder(tmp_path, removal.KIND, {**SETTINGS, "seed": 1}, resume=True)
    # an empty or missing folder is a new run, with or without resume
    assert not training.RunFolder(tmp_path / "new", removal.KIND, SETTINGS).has_checkpoints()
    assert training.RunFolder(tmp_path / "new", removal.KIND, SETTINGS,
                              resume=True).checkpointed_step() == 0


def test_run_folder_refuses_a_file(tmp_path):
    path = tmp_path / "run"
    path.write_text("mine")
    with pytest.raises(ValueError, match="a file"):
        training.RunFolder(path, removal.KIND, SETTINGS)
    assert path.read_text() == "mine"


@pytest.mark.parametrize("options", [
    dict(width=4, depth=3, residual=False, global_context=False),
    dict(width=6, depth=2, residual=True, global_context=True, full_res=False),
], ids=["plain-depth3", "context-depth2"])
def test_run_folder_saves_the_architecture_of_the_model_itself(tmp_path, options):
    gdt.set_seed(2)
    generator = networks.build_unet_generator(**options)
    folder = training.RunFolder(tmp_path, removal.KIND, SETTINGS)
    folder.save(generator, complete=True, note="by hand")
    # atomic: only the final files, no temporary one left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras", "run.json"]
    record = json.loads((tmp_path / "run.json").read_text())
    assert record == {"kind": removal.KIND, "settings": SETTINGS, "complete": True,
                      "note": "by hand"}
    x = np.random.default_rng(3).uniform(0, 1, (2, 16, 24, 3)).astype(np.float32)
    expected = removal.predict(generator, x)
    loaded, loaded_record = training.RunFolder.load(tmp_path, removal.KIND, removal.COMMAND)
    assert loaded_record == record
    assert networks.count_params(loaded) == networks.count_params(generator)
    np.testing.assert_allclose(removal.predict(loaded, x), expected, atol=1e-6)
    np.testing.assert_allclose(removal.predict(removal.load_remover(tmp_path), x), expected,
                               atol=1e-6)
    # saving again replaces the model, still atomically
    folder.save(generator, complete=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras", "run.json"]
    assert json.loads((tmp_path / "run.json").read_text())["complete"] is False


def test_run_folder_load_names_the_folder_and_the_command(tmp_path):
    with pytest.raises(ValueError, match="no trained texture remover here") as caught:
        training.RunFolder.load(tmp_path, removal.KIND, removal.COMMAND)
    assert str(tmp_path) in str(caught.value)
    assert f"train-remover --out {tmp_path}" in str(caught.value)
    training.RunFolder(tmp_path, "texture model", SETTINGS).save(
        networks.build_toy_generator(), complete=True)
    with pytest.raises(ValueError, match="'texture model' run"):
        training.RunFolder.load(tmp_path, removal.KIND, removal.COMMAND)


def test_write_json_is_atomic(tmp_path):
    path = tmp_path / "history.json"
    training.write_json(path, {"step": [0, 1]})
    training.write_json(path, {"step": [0, 1, 2]}, indent=None)
    assert json.loads(path.read_text()) == {"step": [0, 1, 2]}
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


def test_run_folder_callbacks_checkpoint_log_and_budget(tmp_path):
    step = build(adversarial=False)
    folder = training.RunFolder(tmp_path / "run", removal.KIND, SETTINGS)
    jobs = folder.callbacks(step.track, every=2, budget_s=1e9)
    assert [type(job) for job in jobs] == [training.Checkpoint, training.TensorBoard,
                                           training.TimeBudget]
    training.fit(step, pairs_dataset(), 3, callbacks=jobs, progress=False)
    assert folder.checkpointed_step() == 3
    assert list((tmp_path / "run" / "logs").glob("events.out.tfevents.*"))
    assert json.loads((tmp_path / "run" / "history.json").read_text())["step"] == [0, 1, 2]
