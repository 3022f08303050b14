"""Lesson 09's playground without a browser: gandetexture.playground (the logic, its caches,
uploads, saving) and widgets.playground (the box that calls it)."""

from __future__ import annotations

import datetime
import io as bytes_io

import numpy as np
import pytest
from PIL import Image

import gandetexture as gdt
from gandetexture import baselines, networks, retexture, widgets
from gandetexture import playground as play
from gandetexture.texture import TextureConfig, TextureModel

SIDE = 64  # small images: the logic is the same at 512
SMALL = TextureConfig(crop=16, batch_size=2, width=2, upsamplings=2, local_channels=2,
                      global_channels=1, steps=1)


@pytest.fixture(scope="module")
def remover():
    """An untrained U-Net: the playground needs a structure, not a good one."""
    gdt.set_seed(0)
    return networks.build_unet_generator(width=4, depth=2, residual=False)


@pytest.fixture
def pg(remover, tmp_path):
    made = play.Playground(remover, side=SIDE, out=tmp_path / "saved",
                           scene="procedural pair 1")
    made.models = {name: TextureModel(networks.build_texture_generator(SMALL), SMALL)
                   for name in play.EXEMPLARS}  # no shipped model needed
    made.update(filter="gaussian")  # the quickest filter
    return made


def encoded(array: np.ndarray, fmt: str) -> memoryview:
    buffer = bytes_io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return memoryview(buffer.getvalue())


def upload_value(name: str, content: memoryview) -> tuple:
    """What ipywidgets 8's FileUpload holds after one file: a tuple of dicts."""
    when = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    value = ({"name": name, "type": "", "size": len(content), "content": content,
              "last_modified": when},)
    made = play.upload_value(name, content)
    assert made[0].keys() == value[0].keys() and made[0]["content"] == content
    return value


def grey_png() -> memoryview:
    rng = np.random.default_rng(0)
    return encoded(rng.integers(0, 256, (129, 77), dtype=np.uint8), "PNG")  # 77 wide


def big_jpeg() -> memoryview:
    rng = np.random.default_rng(1)
    return encoded(rng.integers(0, 256, (1100, 1500, 3), dtype=np.uint8), "JPEG")


def test_every_source_is_an_image_of_at_most_side_pixels(remover):
    pg = play.Playground(remover, side=SIDE)
    for label in pg.sources:
        scene = pg.choose(label)
        assert scene.image.dtype == np.float32 and max(scene.image.shape[:2]) <= SIDE
        assert 0.0 <= scene.image.min() and scene.image.max() <= 1.0
        known = not label.startswith("photograph")
        assert (scene.truth is not None) == known, label
        assert (pg.psnr(pg.structure()) is not None) == known
        assert label in pg.status


def test_the_remover_runs_once_per_image_and_the_strength_only_rescales(pg):
    structure = pg.structure()
    before = pg.retextured()
    pg.update(strength=0.3)
    after = pg.retextured()
    assert not np.array_equal(before, after)
    assert pg.caches["structure"].misses == 1 and pg.caches["layer"].misses == 1
    np.testing.assert_array_equal(pg.structure(), structure)
    pg.update(seed=5)
    pg.retextured()
    assert pg.caches["layer"].misses == 2  # a new seed paints a new texture
    pg.update(seed=0)
    pg.retextured()
    assert pg.caches["layer"].misses == 2  # the first seed's is kept


def test_retextured_is_what_retexture_makes(pg, remover):
    pg.update(exemplar="gravel", seed=3, strength=0.2, scale=0.5)
    expected = retexture.retexture(pg.scene.image, remover, "gravel", 0.2, seed=3, scale=0.5,
                                   structure=pg.structure())
    np.testing.assert_allclose(pg.retextured(), expected.image, atol=1e-6)


def test_the_gan_painter_paints_with_the_model(pg):
    pg.update(painter="GAN", exemplar="grass", seed=2)
    h, w = pg.scene.image.shape[:2]
    painted = (pg.models["grass"].generate(h, w, seed=2)[0] + 1.0) / 2.0
    layer = 2.0 * gdt.datasets.centre_texture(painted) - 1.0
    np.testing.assert_allclose(pg.new_layer(), layer, atol=1e-6)
    assert "grass (GAN), seed 2" in pg.caption("retextured")


def test_filters_are_cached_per_setting(pg):
    pg.update(setting=1)
    first = pg.filtered()
    np.testing.assert_allclose(first, baselines.apply("gaussian", pg.scene.image,
                                                      **pg.filter_params()), atol=1e-6)
    pg.update(setting=2)
    pg.filtered()
    pg.update(setting=1)
    np.testing.assert_array_equal(pg.filtered(), first)
    assert pg.caches["filtered"].misses == 2 and pg.caches["filtered"].hits == 1
    assert "dB against the truth" in pg.caption("filtered")
    pg.update(filter="tv")
    assert pg.settings["setting"] == len(baselines.FILTERS["tv"][1]) // 2


def test_settings_are_checked(pg):
    with pytest.raises(ValueError, match="exemplar 'plaid': choose one of brick"):
        pg.update(exemplar="plaid")
    with pytest.raises(ValueError, match="strength must be in"):
        pg.update(strength=0.9)
    with pytest.raises(ValueError, match="setting must be in"):
        pg.update(setting=99)
    with pytest.raises(ValueError, match="unknown setting 'colour'"):
        pg.update(colour=1)
    with pytest.raises(ValueError, match="no image 'mine'"):
        pg.choose("mine")


def test_uploads_of_a_small_grey_png_and_a_large_jpeg(pg):
    pg.side = 512  # the lesson's size
    scene = pg.upload(upload_value("grey.png", grey_png()))
    assert scene.name == "upload: grey.png" and scene.image.shape == (129, 77, 3)
    assert scene.truth is None and "77×129 px" in pg.status
    shown = pg.panels()
    assert all(image.shape == (129, 77, 3) for image in shown.values())
    scene = pg.upload(upload_value("big.jpg", big_jpeg()))
    assert scene.image.shape == (375, 512, 3)
    assert "1500×1100 px, shrunk to 512×375" in pg.status
    assert pg.retextured().shape == (375, 512, 3)
    assert {"upload: grey.png", "upload: big.jpg"} <= set(pg.sources)


def test_uploaded_files_reads_both_ipywidgets_formats():
    data = memoryview(b"abc")
    assert play.uploaded_files(upload_value("a.png", data)) == [("a.png", b"abc")]
    assert play.uploaded_files({"a.png": {"content": b"abc"}}) == [("a.png", b"abc")]
    assert play.uploaded_files(()) == []


def test_a_file_that_is_no_image_is_refused_naming_it(pg):
    with pytest.raises(gdt.ImageLoadError, match=r"^notes\.txt: is not an image"):
        pg.upload(upload_value("notes.txt", memoryview(b"not a picture\n")))
    assert pg.scene.name == "procedural pair 1"


def test_save_never_overwrites(pg):
    first = pg.save()
    assert first.name == "procedural_pair_1-brick-quilting-seed0-0.10.png"
    content = first.read_bytes()
    second = pg.save()
    assert second.name == "procedural_pair_1-brick-quilting-seed0-0.10-2.png"
    assert first.read_bytes() == content and second.is_file()
    saved = np.asarray(Image.open(second), np.float32) / 255.0
    np.testing.assert_allclose(saved, pg.retextured(), atol=1 / 255)


def test_a_remover_from_a_run_folder(pg, tmp_path, remover):
    with pytest.raises(ValueError, match="no trained texture remover here"):
        pg.add_remover(tmp_path)
    label = pg.add_remover("mine", remover=remover)
    assert pg.remover == label == "mine" and "(mine)" in pg.caption("structure")


# ------------------------------------------------------------------------------- the box

@pytest.fixture
def box(pg):
    return widgets.playground(pg)


def pictures(box) -> dict[str, bytes]:
    return {name: bytes(image.value) for name, image in box.images.items()}


def test_the_box_shows_every_panel(box):
    shown = pictures(box)
    assert all(value.startswith(b"\x89PNG") for value in shown.values())
    assert "dB against the truth" in box.titles["structure"].value
    assert box.inputs["setting"].options[0][0] == "sigma=0.5"  # gaussian's grid


def test_a_slider_redraws_only_what_it_changes(box):
    before = pictures(box)
    box.inputs["strength"].value = 0.3
    after = pictures(box)
    assert after["retextured"] != before["retextured"]
    assert all(after[k] == before[k] for k in ("input", "structure", "layer", "filtered"))
    box.inputs["filter"].value = "median"
    assert box.inputs["setting"].options[0][0] == "size=3"
    assert pictures(box)["filtered"] != after["filtered"]
    box.inputs["image"].value = "benchmark photograph 2"
    assert all(pictures(box)[k] != after[k] for k in ("input", "structure"))
    assert "benchmark photograph 2" in box.status.value


def test_the_box_takes_uploads_and_reports_a_bad_one_in_one_line(box):
    box.inputs["upload"].value = upload_value("grey.png", grey_png())
    assert box.inputs["image"].value == "upload: grey.png"
    assert box.inputs["upload"].value == ()  # emptied for the next file
    shown = pictures(box)
    box.inputs["upload"].value = upload_value("notes.txt", memoryview(b"hello"))
    line = box.status.value
    assert "notes.txt: is not an image" in line and "\n" not in line
    assert "Traceback" not in line
    assert pictures(box) == shown and box.inputs["image"].value == "upload: grey.png"


def test_the_box_reports_a_folder_without_a_remover(box, tmp_path):
    box.inputs["load"].click()
    assert "type the path of a run folder" in box.status.value
    box.inputs["folder"].value = str(tmp_path)
    box.inputs["load"].click()
    assert str(tmp_path) in box.status.value and "\n" not in box.status.value
    assert list(box.inputs["remover"].options) == ["remover"]


def test_the_status_line_says_what_changed_and_how_long_it_took(box):
    box.inputs["seed"].value = 4
    assert box.status.value.startswith("seed = 4 · ") and box.status.value.endswith(" s")
    box.inputs["strength"].value = 0.25
    assert box.status.value.startswith("strength = 0.25 · ")


def test_the_save_button_writes_a_new_file_each_time(box, tmp_path):
    box.inputs["save"].click()
    box.inputs["save"].click()
    assert len(list((tmp_path / "saved").glob("*.png"))) == 2
    assert "saved" in box.status.value


def test_time_controls_times_every_control_and_sets_them_back(box):
    before = {name: control.value for name, control in box.inputs.items()
              if name not in ("load", "save")}
    shown, status = pictures(box), box.status.value
    rows = widgets.time_controls(box)
    assert [row["control"] for row in rows] == ["strength", "seed", "exemplar", "scale",
                                                "painter", "painter", "filter", "setting",
                                                "image"]
    assert all(row["first_s"] >= 0 and row["again_s"] >= 0 for row in rows)
    assert not any("⚠" in row["status"] for row in rows), rows
    assert {name: box.inputs[name].value for name in before} == before
    assert pictures(box) == shown and box.status.value == status
    rows = widgets.time_controls(box, [("save", None)])
    assert rows[0]["control"] == "save" and "saved" in rows[0]["status"]
