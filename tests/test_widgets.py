"""gandetexture.widgets: the control's logic and the ipywidgets box, without a browser."""

from __future__ import annotations

import numpy as np
import pytest

from gandetexture import textures
from gandetexture.widgets import TextureControl, texture_widget


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
    before = box.image.value
    box.inputs["orientation"].value = 45.0
    assert box.control.orientation == 45.0
    assert box.image.value != before
    box.inputs["family"].value = "tiles"
    assert box.control.family == "tiles"
