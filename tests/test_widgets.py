"""gandetexture.widgets: the controls' logic and the ipywidgets boxes, without a browser."""

from __future__ import annotations

import numpy as np
import pytest

import gandetexture  # noqa: F401  (quiet TensorFlow first)
from gandetexture import networks, textures, widgets
from gandetexture.texture import TextureConfig, TextureModel
from gandetexture.widgets import TextureControl, texture_widget

SMALL = TextureConfig(crop=16, batch_size=2, width=2, upsamplings=2, local_channels=2,
                      global_channels=1, steps=1)


def test_control_renders_the_same_as_render():
    control = TextureControl(family="dots", scale=6.0, size=32)
    expected = textures.render("dots", 32, seed=0, scale=6.0, orientation=0.0, contrast=1.0,
                               color=control.color())
    assert np.array_equal(control.texture(), expected)
    panel = control.panel()
    assert panel.shape == (32, 3 * 32 + 8, 3)
    assert control.png().startswith(b"\x89PNG")


def test_update_checks_its_input():
    control = TextureControl(size=16)
    assert control.update(scale=12.0, family="wood").scale == 12.0
    with pytest.raises(ValueError, match="unknown texture family"):
        control.update(family="plaid")
    with pytest.raises(ValueError, match="scale must be in"):
        control.update(scale=100.0)
    with pytest.raises(ValueError, match="unknown parameter"):
        control.update(sharpness=1.0)
    with pytest.raises(ValueError, match="unknown blend"):
        control.update(blend="screen")


def test_widget_updates_the_image_when_a_slider_moves():
    box = texture_widget(TextureControl(size=24))
    assert box.image.width == str(3 * 24 + 8)  # shown at its own size, not stretched
    before = box.image.value
    box.inputs["orientation"].value = 45.0
    assert box.control.orientation == 45.0
    assert box.image.value != before
    box.inputs["family"].value = "tiles"
    assert box.control.family == "tiles"


@pytest.fixture(scope="module")
def models():
    """Two untrained texture models: the picker only needs something that paints."""
    return {name: TextureModel(networks.build_texture_generator(SMALL), SMALL)
            for name in ("plain", "other")}


def test_picker_image_is_one_texture_of_the_chosen_model(models):
    image = widgets.picker_image(models, "plain", seed=3, size=10)
    side = SMALL.scale * 3  # rounded up to whole noise cells
    assert image.shape == (side, side, 3) and image.dtype == np.float32
    assert -1.0 <= image.min() and image.max() <= 1.0
    np.testing.assert_array_equal(image, models["plain"].generate(side, side, seed=3)[0])
    with pytest.raises(ValueError, match="no trained model named 'missing'"):
        widgets.picker_image(models, "missing", 0, 16)


def test_texture_picker_redraws_on_change(models):
    box = widgets.texture_picker(models, size=16)
    assert box.image.width == "16"
    first = bytes(box.image.value)
    assert first.startswith(b"\x89PNG")
    box.inputs["seed"].value = 7
    second = bytes(box.image.value)
    assert second != first
    box.inputs["exemplar"].value = "other"
    assert bytes(box.image.value) != second
