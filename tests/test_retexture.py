"""gandetexture.retexture and the retexture command: the blend model read backwards, new
texture at any size, masks, strengths, transfer, and one-line errors for bad files."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import write_image
from PIL import Image

import gandetexture as gdt
from gandetexture import datasets, networks, removal, texture, textures, training, widgets
from gandetexture import retexture as rt
from gandetexture.__main__ import main

SMALL = texture.TextureConfig(crop=16, batch_size=2, width=2, upsamplings=2, local_channels=2,
                              global_channels=1, steps=1)


@pytest.fixture(scope="module")
def remover():
    """An untrained U-Net: retexture needs a structure, not a good one."""
    gdt.set_seed(0)
    return networks.build_unet_generator(width=4, depth=2, residual=False)


@pytest.fixture(scope="module")
def exemplar():
    """A small procedural exemplar ``[48, 48, 3]`` in [0, 1] (quilting it is quick)."""
    return textures.render("dots", 48, seed=1, scale=5.0)


def two_regions(h: int = 30, w: int = 44) -> np.ndarray:
    """A structure ``[h, w, 3]``: a dark blue left part, a light orange right part."""
    structure = np.empty((h, w, 3), np.float32)
    structure[:, : w // 2] = (0.2, 0.3, 0.6)
    structure[:, w // 2:] = (0.7, 0.5, 0.3)
    return structure


@pytest.mark.parametrize("mode", rt.MODES)
def test_layer_round_trip(mode):
    structure = 0.35 + 0.35 * datasets.make_pairs(1, 40, seed=3)[1][0]  # in [0.35, 0.7]
    big_t = textures.render("noise", 40, seed=2, scale=3.0)
    image = datasets.compose(structure, big_t, mode, 0.3)
    layer = rt.texture_layer(image, structure, mode)
    # nothing is clipped for these values, so the layer is exactly a·t
    np.testing.assert_allclose(layer, 0.3 * (2 * big_t - 1), atol=2e-6)
    np.testing.assert_allclose(rt.apply_layer(structure, layer, mode), image, atol=2e-6)


def test_layer_is_clipped_and_empty_on_black():
    structure = np.full((4, 4, 3), 0.5, np.float32)
    structure[0] = 0.01  # below EPS: no layer there
    image = np.clip(structure * 3.0, 0, 1)
    layer = rt.texture_layer(image, structure)
    assert np.all(layer[0] == 0.0) and np.all(layer[1:] == 1.0)  # 1.0/0.5 - 1 = 1, clipped
    with pytest.raises(ValueError, match="'mix' layer depends on the structure"):
        rt.texture_layer(image, structure, "mix")
    with pytest.raises(ValueError, match="same shape"):
        rt.texture_layer(image, structure[:2])


def test_strength_and_its_weights():
    layer = np.full((6, 8, 3), 0.2, np.float32)
    layer[:, :4] = -0.2
    assert rt.strength(layer) == pytest.approx(0.2)
    mask = np.zeros((6, 8))
    mask[:, :2] = 1
    assert rt.strength(layer * np.arange(8)[None, :, None], mask) == pytest.approx(
        0.2 * np.sqrt(0.5))  # columns 0 and 1: values 0 and -0.2
    assert rt.strength(np.zeros((3, 3, 3))) == 0.0
    assert rt.strength(layer, np.zeros((6, 8))) == 0.0
    structure = two_regions(6, 8)
    weights = rt.strength_weights(structure)
    np.testing.assert_allclose(weights[0, 0], structure[0, 0].mean() ** 2, rtol=1e-6)
    assert np.all(rt.strength_weights(structure, "additive") == 1.0)


def test_blend_strength_is_the_slider():
    structure = two_regions()
    layer = 2 * textures.render("stripes", 30, seed=0)[:, :30].repeat(2, axis=1)[:, :44] - 1
    np.testing.assert_allclose(rt.blend_strength(structure, layer, 0.0), structure, atol=1e-7)
    for value in (0.05, 0.2):
        out = rt.blend_strength(structure, layer, value)
        back = rt.texture_layer(out, structure)
        assert rt.strength(back, rt.strength_weights(structure)) == pytest.approx(value, rel=1e-3)
    with pytest.raises(ValueError, match="strength must be"):
        rt.blend_strength(structure, layer, -1.0)
    box = widgets.strength_slider(structure, layer, value=0.1)
    before = box.image.value
    box.inputs["strength"].value = 0.3
    assert bytes(box.image.value) != bytes(before)
    assert bytes(box.image.value).startswith(b"\x89PNG")


@pytest.mark.parametrize("shape", [(37, 53, 3), (37, 53), (37, 53, 1), (37, 53, 4), (5, 3, 3)])
def test_retexture_any_size_grey_and_rgba(remover, exemplar, shape):
    image = np.random.default_rng(0).uniform(0.2, 0.8, shape).astype(np.float32)
    result = rt.retexture(image, remover, exemplar, seed=1)
    assert result.image.shape == shape and result.image.dtype == np.float32
    assert 0.0 <= result.image.min() and result.image.max() <= 1.0
    h, w = shape[:2]
    for piece in (result.structure, result.old_layer, result.new_layer):
        assert piece.shape == (h, w, 3)
    assert result.strength == pytest.approx(result.old_strength, rel=1e-4)  # matched
    if len(shape) == 3 and shape[-1] == 4:
        np.testing.assert_array_equal(result.image[..., 3], image[..., 3])
    as_uint8 = (image * 255).astype(np.uint8)
    assert rt.retexture(as_uint8, remover, exemplar).image.shape == shape


def test_same_seed_byte_identical(remover, exemplar):
    image = np.random.default_rng(1).uniform(0, 1, (33, 41, 3)).astype(np.float32)
    one = rt.retexture(image, remover, exemplar, seed=5, strength=0.1)
    two = rt.retexture(image, remover, exemplar, seed=5, strength=0.1)
    assert one.image.tobytes() == two.image.tobytes()
    other = rt.retexture(image, remover, exemplar, seed=6, strength=0.1)
    assert not np.array_equal(one.image, other.image)
    assert rt.strength(one.new_layer, rt.strength_weights(one.structure)) == pytest.approx(0.1)


def test_mask_from_point_and_retexture_inside_it(exemplar):
    structure = two_regions()
    mask = rt.mask_from_point(structure, (10, 30), tolerance=0.05)
    assert mask.dtype == bool and mask[:, 22:].all() and not mask[:, :22].any()
    ramp = structure.copy()
    ramp[:, 22:] += np.linspace(0, 0.3, 22)[None, :, None]  # a ramp wider than the tolerance
    assert rt.mask_from_point(ramp, (10, 22), tolerance=0.1)[:, 22:].sum() < 30 * 22
    image = datasets.compose(structure, textures.render("noise", 44, seed=0)[:30], amplitude=0.3)
    # the true structure stands in for the remover's output (remover unused)
    result = rt.retexture(image, None, exemplar, mask=mask, seed=2, structure=structure)
    assert np.array_equal(result.image[:, :22], image[:, :22])  # outside: untouched
    assert not np.allclose(result.image[:, 22:], image[:, 22:])
    assert result.old_strength == pytest.approx(0.3 * rt.strength(
        2 * textures.render("noise", 44, seed=0)[:30, 22:] - 1), rel=0.05)
    with pytest.raises(ValueError, match="outside"):
        rt.mask_from_point(structure, (30, 0))
    with pytest.raises(ValueError, match="mask must be"):
        rt.retexture(image, None, exemplar, mask=mask[:, :10], structure=structure)


def test_new_texture_none_changes_only_the_strength():
    structure = two_regions()
    big_t = textures.render("noise", 44, seed=4)[:30]
    image = datasets.compose(structure, big_t, amplitude=0.2)
    result = rt.retexture(image, None, None, strength=0.05, structure=structure)
    np.testing.assert_allclose(result.new_layer * result.old_strength / 0.05, result.old_layer,
                               atol=1e-5)


def test_clear_errors(remover, exemplar):
    image = np.full((16, 16, 3), 0.5, np.float32)
    with pytest.raises(ValueError, match="one image"):
        rt.retexture(np.zeros((2, 16, 16, 3)), remover, exemplar)
    with pytest.raises(ValueError, match="non-finite"):
        rt.retexture(np.full((8, 8), np.nan), remover, exemplar)
    with pytest.raises(ValueError, match="strength must be"):
        rt.retexture(image, remover, exemplar, strength=2.0)
    with pytest.raises(ValueError, match="cannot be read backwards"):
        rt.retexture(image, remover, exemplar, mode="mix")
    with pytest.raises(ValueError, match="unknown exemplar 'plaid'"):
        rt.retexture(image, remover, "plaid")
    with pytest.raises(ValueError, match="scale must be"):
        rt.paint(exemplar, 8, 8, scale=0.0)


def test_paint_quilts_scaled_exemplars_and_generates_with_models(exemplar):
    quilted = rt.paint(exemplar, 21, 35, seed=0, scale=0.75)
    assert quilted.shape == (21, 35, 3) and 0 <= quilted.min() and quilted.max() <= 1
    model = texture.TextureModel(networks.build_texture_generator(SMALL), SMALL)
    painted = rt.paint(model, 21, 35, seed=3)
    assert painted.shape == (21, 35, 3) and 0 <= painted.min() and painted.max() <= 1
    np.testing.assert_array_equal(painted, rt.paint(model, 21, 35, seed=3))
    with pytest.raises(ValueError, match="exemplars only"):
        rt.paint(model, 8, 8, scale=0.5)


def test_transfer_paints_a_layer_of_a_onto_b(remover):
    a = datasets.compose(two_regions(48, 48), textures.render("stripes", 48, seed=0),
                         amplitude=0.3)
    b = two_regions(30, 44)
    result = rt.transfer(a, b, remover, seed=1)
    assert result.image.shape == b.shape
    assert result.strength > 0
    exemplar = rt.layer_exemplar(rt.texture_layer(a, two_regions(48, 48)))
    assert 0 <= exemplar.min() and exemplar.max() <= 1
    assert rt.strength(exemplar - 0.5) == pytest.approx(rt.SPREAD, rel=0.05)


def test_layer_distance():
    a = 2 * textures.render("dots", 128, seed=0, scale=6.0) - 1
    b = 2 * textures.render("stripes", 128, seed=0, scale=6.0) - 1
    assert rt.layer_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert rt.layer_distance(a, 0.3 * a) == pytest.approx(0.0, abs=1e-6)  # strength aside
    assert rt.layer_distance(a, b) > 0.01
    assert rt.layer_correlation(a, 0.3 * a) == pytest.approx(1.0)
    assert rt.layer_correlation(a, -a) == pytest.approx(-1.0)
    assert abs(rt.layer_correlation(a, b)) < 0.2
    assert rt.layer_correlation(a, np.zeros_like(a)) == 0.0


@pytest.fixture(scope="module")
def remover_dir(tmp_path_factory, remover):
    folder = tmp_path_factory.mktemp("remover")
    training.RunFolder(folder, removal.KIND, {"by": "hand"}).save(remover, complete=True)
    return folder


def test_retexture_command(tmp_path, remover_dir, capsys, mixed_image_files):
    paths, before = mixed_image_files((37, 53))
    args = [*map(str, paths), "--remover", str(remover_dir), "--quilt", "dots", "--seed", "3"]
    status = main(["retexture", *args, "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert status == 1
    lines = captured.err.strip().splitlines()
    assert len(lines) == 2 and "broken.jpg" in lines[0] and "missing.png" in lines[1]
    assert all(line.startswith("gandetexture: error:") for line in lines)
    assert "Traceback" not in captured.err and len(captured.out.strip().splitlines()) == 3
    for p, data in before.items():  # inputs untouched, outputs beside them
        assert p.read_bytes() == data
    for name, size in (("odd-2.png", (53, 37)), ("gray-2.png", (40, 31)),
                       ("rgba-2.png", (33, 20))):
        assert Image.open(tmp_path / name).size == size
    # the same seed again: byte-identical files
    assert main(["retexture", *args, "--out", str(tmp_path / "again")]) == 1
    assert (tmp_path / "again" / "odd.png").read_bytes() == (tmp_path / "odd-2.png").read_bytes()


def test_retexture_command_with_a_texture_model(tmp_path, remover_dir, capsys):
    folder = tmp_path / "texture"
    generator = networks.build_texture_generator(SMALL)
    training.RunFolder(folder, texture.KIND, dataclasses.asdict(SMALL)).save(generator,
                                                                             complete=True)
    src = write_image(tmp_path / "in.png", np.full((19, 27, 3), 128, np.uint8))
    assert main(["retexture", str(src), "--remover", str(remover_dir), "--texture", str(folder),
                 "--strength", "0.1", "--out", str(tmp_path / "o")]) == 0
    assert Image.open(tmp_path / "o" / "in.png").size == (27, 19)
    capsys.readouterr()
    assert main(["retexture", str(src), "--remover", str(remover_dir), "--quilt", "plaid",
                 "--out", str(tmp_path / "o")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "plaid" in lines[0]


def test_structure_of_runs_the_remover_passes_times(remover):
    image = np.random.default_rng(2).uniform(0, 1, (24, 40, 3)).astype(np.float32)
    once = removal.remove_texture(image, remover)
    np.testing.assert_array_equal(rt.structure_of(image, remover, passes=1), once)
    twice = removal.remove_texture(once, remover)
    np.testing.assert_array_equal(rt.structure_of(image, remover), twice)  # PASSES = 2
    assert rt.PASSES == 2
    np.testing.assert_array_equal(rt.retexture(image, remover, None, passes=1).structure, once)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="passes must be"):
            rt.structure_of(image, remover, passes=bad)


def test_retexture_command_passes(tmp_path, remover_dir, capsys):
    from gandetexture import cli

    parser = cli.build_parser()
    args = parser.parse_args(["retexture", "x.png", "--remover", "r", "--quilt", "dots",
                              "--out", "o"])
    assert args.passes == rt.PASSES  # the command's default is the package's
    src = write_image(tmp_path / "in.png", np.full((19, 27, 3), 128, np.uint8))
    assert main(["retexture", str(src), "--remover", str(remover_dir), "--quilt", "dots",
                 "--passes", "0", "--out", str(tmp_path / "o")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--passes must be at least 1" in lines[0]
    assert not (tmp_path / "o").exists()  # nothing written before the check
