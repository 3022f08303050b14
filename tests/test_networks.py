"""Every network of the course (gandetexture.networks): shapes, parameter counts, receptive
field, stride multiple."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import gandetexture as gdt
from gandetexture import networks


@pytest.mark.parametrize("residual", [True, False])
def test_unet_keeps_shape_at_any_multiple(residual):
    g = networks.build_unet_generator(width=4, depth=3, residual=residual)
    for h, w in ((16, 16), (24, 40)):
        out = g(tf.zeros([2, h, w, 3]), training=False)
        assert out.shape == (2, h, w, 3)


def test_residual_generator_starts_as_identity():
    g = networks.build_unet_generator(width=4, depth=2, residual=True)
    x = tf.random.uniform([1, 16, 16, 3], -1, 1, seed=0)
    np.testing.assert_allclose(g(x, training=False), x, atol=1e-6)


def test_patchgan_output_and_receptive_field():
    d = networks.build_patchgan_discriminator(width=4, n_down=2)
    logits = d([tf.zeros([3, 64, 64, 3]), tf.zeros([3, 64, 64, 3])])
    assert logits.shape == (3, 16, 16, 1)
    assert networks.receptive_field(d) == 34
    assert networks.receptive_field(networks.build_patchgan_discriminator(4, n_down=3)) == 70


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_stride_multiple_is_the_product_of_the_strides(depth):
    for full_res in (True, False):
        g = networks.build_unet_generator(width=2, depth=depth, full_res=full_res)
        assert networks.stride_multiple(g) == 2 ** depth


@pytest.mark.parametrize("name", list(gdt.PROFILES))
def test_profile_models_build(name):
    profile = gdt.PROFILES[name]
    g, d = networks.build_remover(profile)
    size = profile.image_size
    assert g.output_shape == (None, None, None, 3)
    assert networks.count_params(g) > networks.count_params(d) > 0
    assert networks.receptive_field(d) <= 2 * size
    assert size % 2 ** profile.depth == 0
    # the width is a plain profile field now (no 0-sentinel): the first layer has it
    assert g.get_layer("down1_conv").filters == profile.remover_width > 0


@pytest.mark.parametrize("residual", [True, False])
def test_global_context_generator_shapes_and_identity(residual):
    g = networks.build_unet_generator(width=4, depth=2, residual=residual, global_context=True)
    x = tf.random.uniform([2, 16, 24, 3], -1, 1, seed=1)
    assert g(x, training=False).shape == (2, 16, 24, 3)
    assert "context" in [layer.name for layer in g.layers]
    if residual:  # the context's gain and offset start at zero: still the identity
        np.testing.assert_allclose(g(x, training=False), x, atol=1e-6)


def test_channel_affine_is_one_gain_and_offset_per_image_and_channel():
    image = tf.ones([2, 3, 3, 3])
    params = tf.constant([[0.0, 1.0, -0.5, 0.1, 0.0, 0.0], [0.0] * 6])
    out = networks.ChannelAffine()([image, params]).numpy()
    np.testing.assert_allclose(out[0, 1, 2], [1.1, 2.0, 0.5], atol=1e-6)
    np.testing.assert_allclose(out[1], 1.0)


def test_broadcast_concat_copies_the_vector_everywhere():
    out = networks.BroadcastConcat()([tf.zeros([2, 5, 7, 1]), tf.constant([[1.0, 2.0],
                                                                            [3.0, 4.0]])])
    assert out.shape == (2, 5, 7, 3)
    np.testing.assert_allclose(out[1, 4, 6], [0.0, 3.0, 4.0])


def test_pad2d_modes():
    x = tf.reshape(tf.range(1.0, 5.0), [1, 2, 2, 1])
    zeros = networks.Pad2D(1, "zeros")(x)[0, ..., 0].numpy()
    mirror = networks.Pad2D(1, "mirror")(x)[0, ..., 0].numpy()
    circular = networks.Pad2D(1, "circular")(x)[0, ..., 0].numpy()
    assert zeros.shape == mirror.shape == circular.shape == (4, 4)
    np.testing.assert_array_equal(zeros[0], 0.0)
    np.testing.assert_array_equal(mirror[0], [1.0, 1.0, 2.0, 2.0])
    np.testing.assert_array_equal(circular[0], [4.0, 3.0, 4.0, 3.0])
    with pytest.raises(ValueError, match="padding mode"):
        networks.Pad2D(1, "reflect")
