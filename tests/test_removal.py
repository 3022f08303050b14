"""remove_texture on any size and the train-remover / remove commands."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf
from conftest import no_benchmark, write_image
from PIL import Image

import gandetexture as gdt
from gandetexture import baselines, inference, networks, removal, training
from gandetexture.__main__ import main


@pytest.fixture(scope="module")
def plain_generator():
    gdt.set_seed(0)
    return networks.build_unet_generator(width=4, depth=2, residual=False)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, plain_generator):
    folder = tmp_path_factory.mktemp("model")
    training.RunFolder(folder, removal.KIND, {"by": "hand"}).save(plain_generator, complete=True)
    return folder


@pytest.mark.parametrize("shape", [(77, 129, 3), (77, 129), (77, 129, 1), (77, 129, 4),
                                   (2, 33, 20, 3), (3, 5, 3)])
def test_remove_texture_keeps_shape(plain_generator, shape):
    image = np.random.default_rng(0).uniform(0, 1, shape).astype(np.float32)
    out = gdt.remove_texture(image, plain_generator)
    assert out.shape == image.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    if shape[-1] == 4:
        np.testing.assert_array_equal(out[..., 3], image[..., 3])


def test_tiles_blend_without_seams(plain_generator):
    image = np.random.default_rng(1).uniform(0, 1, (100, 150, 3)).astype(np.float32)
    whole = gdt.remove_texture(image, plain_generator, tile=256)
    tiled = gdt.remove_texture(image, plain_generator, tile=48, overlap=24)
    assert np.abs(whole - tiled).mean() < 0.01
    assert np.abs(whole - tiled).max() < 0.1


def test_self_ensemble_is_the_mean_of_the_turned_outputs(plain_generator):
    image = np.random.default_rng(4).uniform(0, 1, (24, 40, 3)).astype(np.float32)
    one = gdt.remove_texture(image, plain_generator)
    np.testing.assert_array_equal(gdt.remove_texture(image, plain_generator, ensemble=1), one)
    # two views: the image and its quarter turn, turned back
    turned = gdt.remove_texture(np.rot90(image).copy(), plain_generator)
    np.testing.assert_allclose(gdt.remove_texture(image, plain_generator, ensemble=2),
                               (one + np.rot90(turned, -1)) / 2, atol=1e-5)
    eight = gdt.remove_texture(image, plain_generator, ensemble=8)
    assert eight.shape == image.shape
    # the 8-view mean does not change when the input is flipped (up to float error)
    flipped = gdt.remove_texture(image[:, ::-1].copy(), plain_generator, ensemble=8)
    np.testing.assert_allclose(flipped[:, ::-1], eight, atol=1e-5)
    with pytest.raises(ValueError, match="ensemble must be 1 to 8"):
        gdt.remove_texture(image, plain_generator, ensemble=9)


def test_batch_equals_single_images(plain_generator):
    batch = np.random.default_rng(2).uniform(0, 1, (2, 40, 24, 3)).astype(np.float32)
    out = gdt.remove_texture(batch, plain_generator)
    np.testing.assert_allclose(out[1], gdt.remove_texture(batch[1], plain_generator), atol=1e-5)


def test_views_undo_and_a_batch_ensemble_equals_one_image_at_a_time(plain_generator):
    image = np.random.default_rng(5).uniform(0, 1, (3, 5, 2)).astype(np.float32)
    assert len({inference.view(image, k).tobytes() for k in range(8)}) == 8
    for k in range(8):
        np.testing.assert_array_equal(inference.unview(inference.view(image, k), k), image)
    # a batch's views run together, (24, 40) and turned (40, 24) in separate batches
    batch = np.random.default_rng(6).uniform(0, 1, (3, 24, 40, 3)).astype(np.float32)
    together = gdt.remove_texture(batch, plain_generator, ensemble=8, batch_size=5)
    for image, out in zip(batch, together):
        np.testing.assert_allclose(out, gdt.remove_texture(image, plain_generator, ensemble=8,
                                                           batch_size=1), atol=1e-6)


def test_load_remover_round_trip(model_dir, plain_generator):
    loaded = removal.load_remover(model_dir)
    x = np.random.default_rng(3).uniform(0, 1, (1, 16, 16, 3)).astype(np.float32)
    np.testing.assert_allclose(removal.predict(loaded, x), removal.predict(plain_generator, x),
                               atol=1e-6)
    with pytest.raises(ValueError, match="no trained texture remover"):
        removal.load_remover(model_dir / "missing")


def test_load_remover_round_trip_with_global_context(tmp_path):
    gdt.set_seed(1)
    g = networks.build_unet_generator(width=4, depth=2, global_context=True)
    training.RunFolder(tmp_path, removal.KIND, {}).save(g, complete=True)
    x = np.random.default_rng(4).uniform(0, 1, (2, 16, 16, 3)).astype(np.float32)
    np.testing.assert_allclose(removal.predict(removal.load_remover(tmp_path), x),
                               removal.predict(g, x), atol=1e-6)


def test_generator_learning_rate_decays_along_a_cosine():
    g_opt, d_opt = removal.optimizers(100)
    rate = g_opt.learning_rate  # the schedule's value at the optimizer's step (0 here)
    assert float(rate) == pytest.approx(removal.GENERATOR_LR)
    schedule = g_opt._learning_rate
    assert float(schedule(50)) == pytest.approx(removal.GENERATOR_LR * (1 + removal.DECAY_FLOOR)
                                                / 2, rel=1e-4)
    assert float(schedule(100)) == pytest.approx(removal.GENERATOR_LR * removal.DECAY_FLOOR)
    assert float(d_opt.learning_rate) == pytest.approx(2e-4)
    assert float(removal.optimizers()[0].learning_rate) == pytest.approx(removal.GENERATOR_LR)


def test_remover_batch_and_bank_sizes_follow_the_profile():
    cpu, smoke = gdt.PROFILES["cpu"], gdt.PROFILES["smoke"]
    assert cpu.remover_batch_size == 16
    assert smoke.remover_batch_size == smoke.batch_size == 8
    assert cpu.bank_size == 2048 and smoke.bank_size == 32
    assert cpu.eval_count == 64 and smoke.eval_count == 16
    textured, structure = next(iter(removal.training_data(smoke)))
    assert textured.shape == structure.shape == (smoke.remover_batch_size, smoke.image_size,
                                                 smoke.image_size, 3)
    data = removal.evaluation_data(smoke)
    assert set(data) == {"val", "test", "real"}
    for textured, structure in data.values():
        assert textured.shape == structure.shape == (smoke.eval_count, smoke.image_size,
                                                     smoke.image_size, 3)


def test_remove_command(tmp_path, model_dir, capsys, mixed_image_files):
    paths, before = mixed_image_files((77, 129))
    status = main(["remove", *map(str, paths), "--model", str(model_dir),
                   "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert status != 0
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "broken.jpg" in lines[0] and "missing.png" in lines[1]
    assert "Traceback" not in err
    for p, data in before.items():  # inputs untouched, outputs beside them
        assert p.read_bytes() == data
    for name, size in (("odd-2.png", (129, 77)), ("gray-2.png", (40, 31)),
                       ("rgba-2.png", (33, 20))):
        assert Image.open(tmp_path / name).size == size


def test_remove_command_without_model(tmp_path, capsys):
    status = main(["remove", "x.png", "--model", str(tmp_path), "--out", str(tmp_path / "o")])
    assert status == 2
    assert "no trained texture remover" in capsys.readouterr().err


def test_train_remover_smoke_and_resume(tmp_path, capsys, monkeypatch):
    # the photograph benchmark is scored (and checked) in the test after the next one
    monkeypatch.setattr(removal, "benchmark_scores", no_benchmark)
    out = tmp_path / "run"
    assert main(["train-remover", "--profile", "smoke", "--out", str(out), "--steps", "3",
                 "--quiet"]) == 0
    result = json.loads((out / "metrics.json").read_text())
    assert result["steps_done"] == 3 and result["params"]["generator"] > 0
    assert {"model", "input", "tv", "gaussian", "bilateral"} <= set(result["test"])
    assert list((out / "logs").glob("events.*"))
    # Not resuming a folder that holds checkpoints is refused (nothing is overwritten) ...
    assert main(["train-remover", "--profile", "smoke", "--out", str(out), "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err
    # ... and --resume continues to the new total.
    assert main(["train-remover", "--profile", "smoke", "--out", str(out), "--steps", "5",
                 "--resume", "--quiet"]) == 0
    assert json.loads((out / "metrics.json").read_text())["steps_done"] == 5
    record = json.loads((out / "run.json").read_text())
    assert record["kind"] == removal.KIND and record["complete"] is True
    assert record["settings"] == {"profile": "smoke", "seed": 0, "steps": 5}
    assert not [p.name for p in out.iterdir() if "tmp" in p.name]  # atomic writes only
    image = np.random.default_rng(5).integers(0, 255, (50, 70, 3), np.uint8)
    src = write_image(tmp_path / "in.png", image)
    assert main(["remove", str(src), "--model", str(out), "--out", str(tmp_path / "o")]) == 0
    assert Image.open(tmp_path / "o" / "in.png").size == (70, 50)


def test_train_remover_refuses_a_run_folder_without_resume(tmp_path):
    """The one run-folder rule (shared with train_texture), checked before any training."""
    counter = tf.Variable(3, dtype=tf.int64)
    tf.train.CheckpointManager(tf.train.Checkpoint(step=counter), tmp_path / "checkpoints",
                               max_to_keep=1).save(checkpoint_number=3)
    training.write_json(tmp_path / "run.json", {"kind": removal.KIND, "complete": True,
                                                "settings": {"profile": "smoke", "seed": 0,
                                                             "steps": 3}})
    with pytest.raises(ValueError, match="--resume"):
        removal.train_remover("smoke", tmp_path, steps=3, progress=False)
    with pytest.raises(ValueError, match="other settings"):
        removal.train_remover("smoke", tmp_path, steps=3, seed=1, resume=True, progress=False)
    with pytest.raises(ValueError, match="at least 1"):
        removal.train_remover("smoke", None, steps=0)
    with pytest.raises(ValueError, match="--ssim-weight"):
        removal.train_remover("smoke", None, steps=1, ssim_weight=-1.0)
    # an SSIM term is a setting of the run: the recipe without it does not continue it
    with pytest.raises(ValueError, match="other settings"):
        removal.train_remover("smoke", tmp_path, steps=3, resume=True, progress=False,
                              ssim_weight=20.0)


def test_train_remover_without_folder_takes_callbacks_previews_and_tuned_filters():
    smoke = gdt.PROFILES["smoke"]
    tuned = baselines.tune(*removal.evaluation_data(smoke)["val"])
    seen, previews = [], []
    run = removal.train_remover(smoke, None, steps=2, progress=False, tuned=tuned,
                                callbacks=[training.Preview(seen.append, every=1)],
                                preview=lambda g, index: previews.append((g, index)))
    assert isinstance(run, removal.RemoverRun)
    assert seen == [0, 1]
    assert previews == [(run.generator, 1)]  # preview_every=0: after the last step only
    assert run.history["step"] == [0, 1]
    assert run.metrics["tuned"] is tuned and run.metrics["steps_done"] == 2
    assert run.metrics["batch_size"] == smoke.remover_batch_size
    assert run.metrics["params"]["generator"] == networks.count_params(run.generator)
    assert run.metrics["test"]["best_filter"] in tuned
    bench = run.metrics["benchmark"]
    assert bench["best_filter"] in removal.BENCHMARK_FILTERS and bench["size"] == 128
    assert set(bench["model"]) == {"psnr", "ssim", "colour_error"}


def test_the_capped_gpu_profile_trains_lesson_05s_remover(tmp_path, monkeypatch):
    """``make test`` runs lesson 05 under the capped gpu profile with ``PRETRAINED = True``
    (and with ``False`` under smoke, in nbval); this is the training that skips: the
    gpu-sized U-Net and PatchGAN on gpu-sized crops, one step, scored and saved."""
    monkeypatch.setenv(gdt.config.ENV_MAX_STEPS, "1")
    monkeypatch.setattr(removal, "benchmark_scores", no_benchmark)  # the same at any profile
    gpu = gdt.resolve_profile("gpu")
    run = removal.train_remover(gpu, tmp_path / "run", progress=False,
                                tuned={"tv": {"params": {"weight": 0.05}}})
    assert run.metrics["steps_done"] == 1 and run.metrics["image_size"] == 128
    assert run.metrics["batch_size"] == 8 and np.isfinite(run.metrics["test"]["model"]["psnr"])
    generator = removal.load_remover(tmp_path / "run")
    assert networks.count_params(generator) == run.metrics["params"]["generator"]
    cpu_sized, _ = networks.build_remover(gdt.PROFILES["cpu"])
    assert networks.count_params(generator) > networks.count_params(cpu_sized)


def test_colour_error_sees_a_tint_but_not_texture():
    from gandetexture import metrics

    rng = np.random.default_rng(0)
    truth = rng.uniform(0.2, 0.8, (2, 16, 16, 3)).astype(np.float32)
    assert np.allclose(metrics.colour_error(truth, truth), 0.0)
    # zero-mean texture leaves the mean colour; a tint of 0.03 in one channel is 0.01
    texture = np.tile(np.array([[0.1, -0.1], [-0.1, 0.1]], np.float32), (8, 8))[None, ..., None]
    assert np.allclose(metrics.colour_error(truth + texture, truth), 0.0, atol=1e-6)
    tinted = truth + np.array([0.03, 0.0, 0.0], np.float32)
    assert np.allclose(metrics.colour_error(tinted, truth), 0.01, atol=1e-6)


def test_restore_local_mean_undoes_a_cast_and_keeps_what_needs_no_fix():
    rng = np.random.default_rng(0)
    structure = np.full((2, 32, 32, 3), 0.4, np.float32)
    structure[:, :, 16:] = 0.7  # a step edge
    pattern = np.where((np.arange(32) // 2) % 2, 0.1, -0.1).astype(np.float32)[None, :, None, None]
    textured = structure + pattern  # a centred texture leaves the local mean as it was
    cast = structure + np.float32([0.06, 0.02, -0.04])  # a remover's output with a colour cast
    fixed = removal.restore_local_mean(cast, textured, sigma=4.0)
    inside = (slice(None), slice(4, 28), np.r_[2:12, 20:30])  # away from the edge
    assert np.abs(cast - structure)[inside].max() > 0.05
    assert np.abs(fixed - structure)[inside].mean() < 0.01
    # weight 0 and an output equal to its input are left as they are
    assert np.array_equal(removal.restore_local_mean(cast, textured, weight=0.0), cast)
    image = rng.random((16, 16, 3), dtype=np.float32)
    np.testing.assert_allclose(removal.restore_local_mean(image, image), image, atol=1e-6)
    # one weight per image
    both = removal.restore_local_mean(cast, textured, weight=[0.0, 1.0])
    assert np.array_equal(both[0], cast[0]) and np.allclose(both[1], fixed[1])
    with pytest.raises(ValueError, match="same"):
        removal.restore_local_mean(cast, textured[0])
    with pytest.raises(ValueError, match="sigma"):
        removal.restore_local_mean(cast, textured, sigma=0)
    with pytest.raises(ValueError, match="3 weights for 2 images"):
        removal.restore_local_mean(cast, textured, weight=[0.0, 0.5, 1.0])
