"""Lesson 06's spatial GAN (gandetexture.texture): shapes, periodic tiling, determinism,
training, the run-folder rule, command line."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest

import gandetexture  # noqa: F401  (quiet TensorFlow first)
from gandetexture import PROFILES, degrid, exemplars, latent, metrics, networks, texture
from gandetexture.__main__ import main
from gandetexture.config import ENV_MAX_STEPS, resolve_profile

SMALL = texture.TextureConfig(crop=32, batch_size=4, width=4, upsamplings=3, local_channels=4,
                              global_channels=2, steps=6)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A briefly trained plain and periodic model, saved (module-wide: training is slow)."""
    root = tmp_path_factory.mktemp("texture")
    models = {}
    for periodic in (False, True):
        config = dataclasses.replace(SMALL, periodic=periodic)
        models[periodic] = texture.train_texture("gravel", config, out=root / str(periodic),
                                                 progress=False)
    return root, models


def test_generator_is_fully_convolutional():
    generator = networks.build_texture_generator(SMALL)
    for h, w in ((4, 4), (3, 5), (1, 1)):
        noise = texture.sample_noise(2, h, w, SMALL, seed=0)
        assert noise.shape == (2, h, w, SMALL.noise_channels)
        images = generator(noise, training=False).numpy()
        assert images.shape == (2, 8 * h, 8 * w, 3)
        assert np.abs(images).max() <= 1.0


def test_fine_noise_is_drawn_per_cell_and_unfolded_at_each_scale(tmp_path):
    import keras

    config = dataclasses.replace(SMALL, fine_noise=1)
    assert config.fine_channels == 4 + 16 + 64 and config.cell_channels == 4 + 84
    noise = texture.sample_noise(2, 3, 5, config, seed=1).numpy()
    assert noise.shape == (2, 3, 5, config.noise_channels)
    assert np.allclose(noise[..., config.cell_channels:], noise[:, :1, :1, config.cell_channels:])
    unfolded = networks.UnfoldNoise(4, 1, 2)(noise).numpy()  # the first scale's 4 channels
    assert unfolded.shape == (2, 6, 10, 1)
    np.testing.assert_array_equal(unfolded[0, :2, :2, 0].ravel(), noise[0, 0, 0, 4:8])
    generator = networks.build_texture_generator(config)
    before = generator(noise, training=False).numpy()
    assert before.shape == (2, 24, 40, 3)
    # the noise's 1×1 convolutions start at zero: the fine noise changes nothing yet ...
    other = noise.copy()
    other[..., 4:config.cell_channels] = 0.0
    np.testing.assert_allclose(generator(other, training=False).numpy(), before, atol=1e-6)
    # ... and once they are not zero, it changes the image, which survives saving
    for k in range(config.upsamplings):
        layer = generator.get_layer(f"noise{k}_scale")
        layer.set_weights([np.full_like(layer.get_weights()[0], 0.5)])
    changed = generator(noise, training=False).numpy()
    assert np.abs(changed - generator(other, training=False).numpy()).max() > 1e-3
    generator.save(tmp_path / "g.keras")
    again = keras.models.load_model(tmp_path / "g.keras")
    np.testing.assert_allclose(again(noise, training=False).numpy(), changed, atol=1e-6)


def test_linear_upsampling_blurs_the_nearest_blocks_and_keeps_the_periodic_torus():
    impulse = np.zeros((1, 6, 6, 2), np.float32)
    impulse[0, 0, 0, 1] = 16.0
    blurred = networks.Blur2D("circular")(impulse).numpy()[0, ..., 1]
    assert blurred.sum() == pytest.approx(16.0)  # nothing leaks out of a torus
    np.testing.assert_array_equal(blurred[[5, 0, 1]][:, [5, 0, 1]],
                                  [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    flat = np.full((1, 5, 7, 3), 0.3, np.float32)
    np.testing.assert_allclose(networks.Blur2D("mirror")(flat).numpy(), flat, atol=1e-7)
    config = dataclasses.replace(SMALL, upsample="linear", periodic=True)
    generator = networks.build_texture_generator(config)
    images = generator(texture.sample_noise(1, 2, 2, config, seed=0), training=False).numpy()
    assert images.shape == (1, 16, 16, 3)
    with pytest.raises(ValueError, match="choose one of nearest, linear"):
        dataclasses.replace(SMALL, upsample="bilinear")


def test_discriminator_returns_a_map_of_patch_logits():
    discriminator = networks.build_texture_discriminator(SMALL)
    logits = discriminator(np.zeros((2, 32, 48, 3), np.float32))
    assert logits.shape == (2, 4, 6, 1)
    assert networks.receptive_field(discriminator) > 16
    full = networks.build_texture_discriminator(dataclasses.replace(SMALL, d_full_res=True))
    assert full(np.zeros((2, 32, 48, 3), np.float32)).shape == (2, 4, 6, 1)
    assert networks.receptive_field(full) == networks.receptive_field(discriminator) + 2


def test_spectral_norm_keeps_the_map_and_scales_each_kernel_to_norm_one():
    config = dataclasses.replace(SMALL, d_spectral_norm=True)
    discriminator = networks.build_texture_discriminator(config)
    plain = networks.build_texture_discriminator(SMALL)
    assert networks.receptive_field(discriminator) == networks.receptive_field(plain)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 32, 48, 3)).astype(np.float32)
    # each training call runs one power iteration, which converges slowly when the two largest
    # singular values are close: over weight seeds 0-7 the largest norm was 1.059 after 20
    # calls, 1.005 after 60
    for _ in range(60):
        logits = discriminator(images, training=True)
    assert logits.shape == (2, 4, 6, 1)
    wrapped = [layer for layer in discriminator.layers
               if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrapped) == SMALL.upsamplings + 1
    for layer in wrapped:
        kernel = layer.kernel.numpy().reshape(-1, layer.kernel.shape[-1])
        assert np.linalg.svd(kernel, compute_uv=False)[0] == pytest.approx(1.0, abs=0.02)


def test_receptive_field_of_the_generator_in_noise_cells():
    assert networks.receptive_field(networks.build_texture_generator(SMALL)) == 5


def test_global_noise_is_constant_over_the_field_and_local_noise_is_not():
    noise = texture.sample_noise(2, 3, 4, SMALL, seed=1).numpy()
    glob, local = noise[..., SMALL.local_channels:], noise[..., :SMALL.local_channels]
    assert np.allclose(glob, glob[:, :1, :1])
    assert not np.allclose(glob[0], glob[1])
    assert local.std() > 0.5


def test_circular_padding_makes_the_generator_shift_equivariant_and_tileable():
    config = dataclasses.replace(SMALL, periodic=True)
    generator = networks.build_texture_generator(config)
    noise = texture.sample_noise(1, 3, 4, config, seed=2)
    image = generator(noise, training=False).numpy()
    shifted = generator(np.roll(noise, 1, axis=2), training=False).numpy()
    np.testing.assert_allclose(shifted, np.roll(image, 8, axis=2), atol=1e-5)
    # A 2×2 tiling of the noise field gives the 2×2 tiling of the image: no seam anywhere.
    tiled = generator(np.tile(noise, (1, 2, 2, 1)), training=False).numpy()
    np.testing.assert_allclose(tiled, np.tile(image, (1, 2, 2, 1)), atol=1e-5)


def test_periodic_seam_no_worse_than_inside(trained):
    _, models = trained
    periodic = models[True].generate(64, 64, seed=3, count=8)
    plain = models[False].generate(64, 64, seed=3, count=8)
    seam = metrics.seam_measure(periodic)
    assert seam["wrap"] <= 1.1 * seam["inside"], seam
    assert metrics.seam_measure(plain)["ratio"] > seam["ratio"]


def test_periodic_model_refuses_sizes_it_cannot_tile(trained):
    _, models = trained
    with pytest.raises(ValueError, match="multiples of 8"):
        models[True].generate(30, 32)
    assert models[False].generate(30, 21).shape == (1, 30, 21, 3)


def test_same_model_and_seed_same_image(trained):
    root, models = trained
    model = models[False]
    a = model.generate(40, 56, seed=5)
    b = model.generate(40, 56, seed=5)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, model.generate(40, 56, seed=6))
    loaded = texture.load_texture_model(root / "False")
    np.testing.assert_array_equal(a, loaded.generate(40, 56, seed=5))


def test_finished_run_is_loaded_only_with_resume_and_other_settings_refused(trained):
    root, models = trained
    before = (root / "False" / "model.keras").read_bytes()
    # the one run-folder rule (as for the remover): a folder holding a run needs resume=True
    with pytest.raises(ValueError, match="--resume"):
        texture.train_texture("gravel", SMALL, out=root / "False", progress=False)
    assert (root / "False" / "model.keras").read_bytes() == before
    again = texture.train_texture("gravel", SMALL, out=root / "False", resume=True,
                                  progress=False)
    np.testing.assert_array_equal(again.generate(32, 32, seed=1),
                                  models[False].generate(32, 32, seed=1))
    assert again.history["step"] == list(range(SMALL.steps))
    with pytest.raises(ValueError, match="other settings"):
        texture.train_texture("gravel", dataclasses.replace(SMALL, width=8), out=root / "False",
                              resume=True)


def test_resumed_run_continues_as_an_uninterrupted_one(trained, tmp_path):
    root, models = trained
    longer = dataclasses.replace(SMALL, steps=SMALL.steps + 2)
    shutil.copytree(root / "False", tmp_path / "resumed")
    resumed = texture.train_texture("gravel", longer, out=tmp_path / "resumed", resume=True,
                                    progress=False)
    whole = texture.train_texture("gravel", longer, out=tmp_path / "whole", progress=False)
    assert resumed.history["step"] == whole.history["step"] == list(range(longer.steps))
    for key in ("d_loss", "g_loss"):
        np.testing.assert_allclose(resumed.history[key][:SMALL.steps],
                                   models[False].history[key], rtol=1e-6, err_msg=key)
        np.testing.assert_allclose(resumed.history[key], whole.history[key], rtol=1e-4,
                                   atol=1e-5, err_msg=key)
    np.testing.assert_allclose(resumed.generate(32, 32, seed=2), whole.generate(32, 32, seed=2),
                               atol=1e-4)
    loaded = texture.load_texture_model(tmp_path / "resumed")
    assert loaded.config == resumed.config and loaded.config.steps == longer.steps
    assert sorted(p.name for p in (tmp_path / "resumed").iterdir()) == [
        "checkpoints", "history.json", "logs", "model.keras", "run.json"]


def test_training_history_is_finite(trained):
    _, models = trained
    history = models[False].history
    assert history["step"] == list(range(SMALL.steps))
    assert all(np.isfinite(history[k]).all() for k in ("d_loss", "g_loss", "d_real", "d_fake"))


def test_truncated_codes_pull_the_drawn_codes_towards_the_mean():
    drawn = texture.global_codes(SMALL, 3, 4)
    np.testing.assert_allclose(latent.truncated_codes(SMALL, 3, 4, 1.0), drawn)
    np.testing.assert_allclose(latent.truncated_codes(SMALL, 3, 4, 0.5), 0.5 * drawn, rtol=1e-6)
    assert not latent.truncated_codes(SMALL, 3, 4, 0.0).any()
    with pytest.raises(ValueError, match="between 0"):
        latent.truncated_codes(SMALL, 1, 0, -0.1)


def test_blend_code_ramps_between_two_global_codes():
    codes = latent.interpolate_global(SMALL, 1, 2, 5)
    assert codes.shape == (5, SMALL.global_channels)
    blend = latent.horizontal_blend(codes[0], codes[-1], 3, 8)
    assert blend.shape == (1, 3, 8, SMALL.global_channels) and blend.dtype == np.float32
    np.testing.assert_allclose(blend[0, 0, 0], codes[0])
    np.testing.assert_allclose(blend[0, 0, -1], codes[-1])
    np.testing.assert_array_equal(blend[0, 0], blend[0, 2])  # the same on every row
    # lesson 06's ramp: t = clip(linspace(-0.25, 1.25, w), 0, 1); the middle is the mean
    t = np.clip(np.linspace(-0.25, 1.25, 8, dtype=np.float32), 0, 1)[:, None]
    np.testing.assert_allclose(blend[0, 1], (1 - t) * codes[0] + t * codes[-1], rtol=1e-6)
    generated = texture.generate(networks.build_texture_generator(SMALL), SMALL, 24, 64,
                                 global_noise=blend)
    assert generated.shape == (1, 24, 64, 3)


def test_profile_configs_fit_their_crops():
    for profile in PROFILES.values():
        config = texture.TextureConfig.from_profile(profile)
        assert config.crop % config.scale == 0
        assert config.steps == profile.texture_steps


def test_exemplar_errors_name_the_exemplar(tmp_path):
    with pytest.raises(ValueError, match="nowhere.png"):
        exemplars.load(str(tmp_path / "nowhere.png"))
    with pytest.raises(ValueError, match="smaller than the 32×32"):
        exemplars.check_size(np.zeros((20, 40, 3), np.float32), 32, "tiny")
    with pytest.raises(ValueError, match="smaller than the 32×32"):
        texture.train_texture(np.zeros((20, 40, 3), np.float32), SMALL, name="tiny")


def _write_png(path, size):
    from PIL import Image

    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)).save(path)


def test_the_capped_gpu_profile_trains_lesson_06s_texture_gan(tmp_path, monkeypatch):
    """``make test`` runs lesson 06 under the capped gpu profile with ``PRETRAINED = True``;
    this is the training that skips: the gpu-sized GAN, one step, on a blend, periodic."""
    monkeypatch.setenv(ENV_MAX_STEPS, "1")
    out = tmp_path / "model"
    assert main(["train-texture", "--exemplar", "grass|gravel", "--profile", "gpu", "--out",
                 str(out), "--periodic", "--quiet"]) == 0
    model = texture.load_texture_model(out)
    gpu = texture.TextureConfig.from_profile(resolve_profile("gpu"))
    made = model.config
    assert (made.crop, made.width, made.upsamplings, made.batch_size, made.steps) == (
        gpu.crop, gpu.width, gpu.upsamplings, gpu.batch_size, 1)
    assert made.periodic and made.crop > texture.TextureConfig.from_profile(PROFILES["cpu"]).crop
    assert model.generate(512, 512, seed=0).shape == (1, 512, 512, 3)


def test_cli_train_then_generate_512(tmp_path, capsys):
    out = tmp_path / "model"
    assert main(["train-texture", "--exemplar", "brick", "--profile", "smoke", "--out", str(out),
                 "--periodic", "--quiet"]) == 0
    png = tmp_path / "brick.png"
    assert main(["generate", "--model", str(out), "--size", "512", "512", "--out", str(png),
                 "--seed", "4"]) == 0
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (512, 512) and image.mode == "RGB"
    png2 = tmp_path / "again.png"
    assert main(["generate", "--model", str(out), "--size", "512", "512", "--out", str(png2),
                 "--seed", "4"]) == 0
    assert png.read_bytes() == png2.read_bytes()
    capsys.readouterr()
    # an existing --out is kept unless --overwrite: one line, status 2, file untouched
    assert main(["generate", "--model", str(out), "--size", "64", "64", "--out", str(png),
                 "--seed", "5"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gandetexture: error:"), lines
    assert str(png) in lines[0] and "--overwrite" in lines[0]
    assert png.read_bytes() == png2.read_bytes()
    assert main(["generate", "--model", str(out), "--size", "64", "64", "--out", str(png),
                 "--seed", "5", "--overwrite"]) == 0
    with Image.open(png) as image:
        assert image.size == (64, 64)
    # --degrid: the same painting less the fixed pattern of its global code
    degridded = tmp_path / "degridded.png"
    assert main(["generate", "--model", str(out), "--size", "64", "64", "--out", str(degridded),
                 "--seed", "5", "--degrid"]) == 0
    with Image.open(degridded) as image, Image.open(png) as plain:
        assert image.size == (64, 64) and np.asarray(image).tobytes() != np.asarray(plain).tobytes()
    # --match: the exemplar's histograms; a bad exemplar stops it before anything is written
    matched = tmp_path / "matched.png"
    assert main(["generate", "--model", str(out), "--size", "128", "128", "--out", str(matched),
                 "--match", "brick"]) == 0
    with Image.open(matched) as image:
        painted = np.asarray(image, np.float32) / 255.0
    brick = exemplars.load("brick")
    q = np.linspace(0.1, 0.9, 9)
    np.testing.assert_allclose(np.quantile(painted, q), np.quantile(brick, q), atol=0.02)
    # --spectrum: the exemplar's power spectrum first, then the same histograms
    spectral = tmp_path / "spectral.png"
    assert main(["generate", "--model", str(out), "--size", "128", "128", "--out",
                 str(spectral), "--match", "brick", "--spectrum"]) == 0
    with Image.open(spectral) as image:
        shaped = np.asarray(image, np.float32) / 255.0
    np.testing.assert_allclose(np.quantile(shaped, q), np.quantile(brick, q), atol=0.02)
    assert shaped.tobytes() != painted.tobytes()
    # --truncation: the global code pulled towards the mean; out of [0, 1] is refused
    truncated = tmp_path / "truncated.png"
    assert main(["generate", "--model", str(out), "--size", "64", "64", "--out",
                 str(truncated), "--seed", "5", "--truncation", "0.5"]) == 0
    with Image.open(truncated) as image, Image.open(png) as plain:
        assert np.asarray(image).tobytes() != np.asarray(plain).tobytes()
    capsys.readouterr()
    assert main(["generate", "--model", str(out), "--out", str(tmp_path / "no.png"),
                 "--truncation", "1.5"]) == 2
    assert "--truncation" in capsys.readouterr().err and not (tmp_path / "no.png").exists()
    assert main(["generate", "--model", str(out), "--out", str(tmp_path / "no.png"),
                 "--spectrum"]) == 2
    assert "--match" in capsys.readouterr().err and not (tmp_path / "no.png").exists()
    assert main(["generate", "--model", str(out), "--out", str(tmp_path / "no.png"),
                 "--match", "plaid"]) == 2
    assert "plaid" in capsys.readouterr().err and not (tmp_path / "no.png").exists()


def test_cli_user_image_path_trains_and_a_run_folder_needs_resume(tmp_path, capsys):
    path = tmp_path / "mine.png"
    _write_png(path, 72)  # the smoke crop is 64 px
    out = tmp_path / "m"
    args = ["train-texture", "--exemplar", str(path), "--profile", "smoke", "--out", str(out),
            "--steps", "2", "--quiet", "--d-batchnorm", "--upsample", "linear", "--r1", "0.5",
            "--fine-noise", "1"]
    assert main([*args[:-1], "-1"]) == 2 and "--fine-noise -1" in capsys.readouterr().err
    assert main([*args[:-3], "-0.5", *args[-2:]]) == 2
    assert "--r1 -0.5" in capsys.readouterr().err
    assert not out.exists()
    assert main(args) == 0
    settings = texture.load_texture_model(out).config
    assert settings.upsample == "linear" and settings.fine_noise == 1 and settings.d_batchnorm
    assert settings.r1 == 0.5
    before = (out / "model.keras").read_bytes()
    capsys.readouterr()
    # the same rule as train-remover: a folder holding a run is refused without --resume
    assert main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gandetexture: error:"), lines
    assert "--resume" in lines[0] and str(out) in lines[0]
    assert (out / "model.keras").read_bytes() == before
    assert main([*args, "--resume"]) == 0  # a finished run is loaded
    assert texture.load_texture_model(out).history["step"] == [0, 1]


@pytest.mark.parametrize("case", ["missing", "small", "not-an-image", "model"])
def test_cli_bad_input_is_one_line_naming_it(tmp_path, capsys, case):
    args = ["train-texture", "--profile", "smoke", "--out", str(tmp_path / "m"), "--exemplar"]
    if case == "missing":
        name = str(tmp_path / "missing.png")
        args.append(name)
    elif case == "small":
        name = str(tmp_path / "small.png")
        _write_png(name, 16)
        args.append(name)
    elif case == "not-an-image":
        name = str(tmp_path / "notes.png")
        (tmp_path / "notes.png").write_text("not an image")
        args.append(name)
    else:
        name = str(tmp_path / "nomodel")
        args = ["generate", "--model", name, "--size", "64", "64", "--out",
                str(tmp_path / "x.png")]
    if case == "missing":  # end to end once, as a terminal shows it (a new interpreter: 9 s)
        run = subprocess.run([sys.executable, "-m", "gandetexture", *args],
                             capture_output=True, text=True, timeout=300)
        status, err = run.returncode, run.stderr
    else:
        status, err = main(args), capsys.readouterr().err
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gandetexture: error:"), err
    assert name in lines[0]


def test_grey_exemplars_train_a_grey_generator(trained):
    _, models = trained
    assert exemplars.is_gray(exemplars.load("gravel"))
    assert models[False].config.gray
    image = models[False].generate(32, 32, seed=0)
    np.testing.assert_array_equal(image[..., 0], image[..., 1])
    colour = networks.build_texture_generator(SMALL)(texture.sample_noise(1, 2, 2, SMALL, seed=0))
    assert colour.shape == (1, 16, 16, 3) and not exemplars.is_gray(colour[0].numpy())


def test_run_folder_depends_on_the_configuration(tmp_path):
    a = texture.run_folder(tmp_path, "brick", SMALL)
    assert a == texture.run_folder(tmp_path, "brick", SMALL)
    assert a.parent == tmp_path and a.name.startswith("brick-")
    assert a != texture.run_folder(tmp_path, "brick", dataclasses.replace(SMALL, steps=7))


class _PatternPainter:
    """A stand-in generator: one fixed cell pattern plus noise that varies per cell."""

    def __init__(self, pattern):
        self.pattern = np.asarray(pattern, np.float32)

    def __call__(self, noise, training=False):
        import tensorflow as tf

        s = self.pattern.shape[0]
        cells = tf.repeat(tf.repeat(noise[..., :1], s, axis=1), s, axis=2) * 0.2
        _, h, w, _ = noise.shape
        return tf.constant(np.tile(self.pattern, (h, w, 1))[None]) + tf.tile(cells, [1, 1, 1, 3])


def test_fixed_pattern_is_measured_and_subtracted_whatever_the_size():
    config = dataclasses.replace(SMALL, upsamplings=2)  # cells of 4 px
    rng = np.random.default_rng(0)
    pattern = rng.normal(0, 0.1, (4, 4, 1)).repeat(3, axis=-1).astype(np.float32)
    pattern -= pattern.mean(axis=(0, 1))
    painter = _PatternPainter(pattern + 0.3)  # a tone is not part of the pattern
    measured = degrid.fixed_pattern(painter, config)
    assert measured.shape == (4, 4, 3) and measured.dtype == np.float32
    np.testing.assert_allclose(measured, pattern, atol=0.01)  # noise averaged away
    # an odd size is painted from a cell's corner too: the tiling lines up with it
    images = texture.generate(painter, config, 30, 22, seed=3, count=2)
    cleaned = degrid.subtract_pattern(images, measured)
    assert cleaned.shape == images.shape
    cell_means = cleaned[:, :28, :20].reshape(2, 7, 4, 5, 4, 3).mean(axis=(0, 1, 3))
    raw_means = images[:, :28, :20].reshape(2, 7, 4, 5, 4, 3).mean(axis=(0, 1, 3))
    assert np.ptp(cell_means) < 0.25 * np.ptp(raw_means)
    assert degrid.subtract_pattern(np.ones((8, 8, 3)), np.full((4, 4, 3), -1.0)).max() == 1.0


def test_a_models_degrid_uses_its_average_pattern_measured_once(trained):
    _, models = trained
    model = dataclasses.replace(models[False], pattern=None)
    plain = model.generate(40, 48, seed=2)
    cleaned = model.degrid(plain)
    assert model.pattern is not None and model.pattern.shape == (8, 8, 3)
    np.testing.assert_allclose(cleaned, degrid.subtract_pattern(plain, model.pattern),
                               atol=1e-6)
    first = model.pattern
    model.degrid(plain[:, :16, :16])
    assert model.pattern is first


def test_generate_degrids_each_painting_with_its_own_codes_pattern(trained):
    _, models = trained
    model = models[False]
    codes = texture.global_codes(model.config, 2, seed=2)
    assert codes.shape == (2, model.config.global_channels)
    noise = texture.sample_noise(2, 5, 6, model.config, seed=2)
    np.testing.assert_array_equal(noise[:, 3, 4, model.config.cell_channels:], codes)
    plain = model.generate(40, 48, seed=2, count=2)
    cleaned = model.generate(40, 48, seed=2, count=2, degrid=True)
    for k in range(2):  # paint once, clean after with the same code: the same image
        pattern = degrid.fixed_pattern(model.generator, model.config, global_code=codes[k])
        np.testing.assert_allclose(cleaned[k], degrid.subtract_pattern(plain[k], pattern),
                                   atol=1e-6)
        np.testing.assert_allclose(model.degrid(plain[k], codes[k]), cleaned[k], atol=1e-6)
    assert not np.allclose(cleaned[0], model.degrid(plain[0]))  # the pattern moves with it
    # given codes are used as given; a spatially varying code gets the average pattern
    given = model.generate(40, 48, count=2, global_noise=codes[::-1], degrid=True)
    np.testing.assert_allclose(given[0], model.degrid(
        model.generate(40, 48, global_noise=codes[1:]), codes[1])[0], atol=1e-6)
    field = latent.horizontal_blend(codes[0], codes[1], 5, 6)
    np.testing.assert_allclose(model.generate(40, 48, global_noise=field, degrid=True),
                               model.degrid(model.generate(40, 48, global_noise=field)),
                               atol=1e-6)
