"""gandetexture.io: every kind of image converts; every bad file raises ImageLoadError naming it."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import gandetexture as gdt
from gandetexture.io import (
    ImageLoadError,
    load_folder,
    load_image,
    png_bytes,
    save_png,
    to_uint8,
)


def _rgb(h=20, w=30, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _check_rgb(image, shape=None):
    assert image.dtype == np.float32 and image.ndim == 3 and image.shape[-1] == 3
    assert 0.0 <= image.min() and image.max() <= 1.0
    if shape is not None:
        assert image.shape == shape


def _assert_bad(path, *words):
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    message = str(info.value)
    assert str(path) in message
    assert isinstance(info.value, ValueError)
    for word in words:
        assert word in message.lower(), message
    return message


# ----------------------------------------------------------------- good files, converted


def test_rgb_png_round_trip(tmp_path):
    pixels = _rgb()
    Image.fromarray(pixels).save(tmp_path / "a.png")
    image = load_image(tmp_path / "a.png")
    _check_rgb(image, (20, 30, 3))
    np.testing.assert_allclose(image, pixels / 255.0, atol=1e-6)


def test_exported_at_top_level():
    assert gdt.load_image is load_image
    assert gdt.ImageLoadError is ImageLoadError
    assert issubclass(ImageLoadError, ValueError)


def test_grayscale_becomes_three_equal_channels(tmp_path):
    Image.fromarray(_rgb()[..., 0]).save(tmp_path / "g.png")
    image = load_image(str(tmp_path / "g.png"))
    _check_rgb(image, (20, 30, 3))
    assert np.array_equal(image[..., 0], image[..., 2])


def test_rgba_is_composited_over_white(tmp_path):
    pixels = np.zeros((4, 4, 4), np.uint8)
    pixels[..., 0] = 255
    pixels[:2, :, 3] = 255  # top half opaque red, bottom half transparent
    Image.fromarray(pixels, "RGBA").save(tmp_path / "t.png")
    image = load_image(tmp_path / "t.png")
    _check_rgb(image, (4, 4, 3))
    np.testing.assert_allclose(image[0, 0], [1, 0, 0])
    np.testing.assert_allclose(image[3, 0], [1, 1, 1])


def test_palette_with_transparency(tmp_path):
    image = Image.fromarray(_rgb(8, 8)).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    image.info["transparency"] = 0
    image.save(tmp_path / "p.png", transparency=0)
    _check_rgb(load_image(tmp_path / "p.png"), (8, 8, 3))
    image.save(tmp_path / "p.gif")
    _check_rgb(load_image(tmp_path / "p.gif"), (8, 8, 3))


def test_sixteen_bit_keeps_its_range(tmp_path):
    values = np.array([[0, 1000], [40000, 65535]], np.uint16)
    Image.fromarray(values).save(tmp_path / "d.png")
    image = load_image(tmp_path / "d.png")
    _check_rgb(image, (2, 2, 3))
    np.testing.assert_allclose(image[..., 0], values / 65535.0, atol=1e-6)


def test_float_tiff_and_one_bit_and_cmyk(tmp_path):
    Image.fromarray(np.array([[-0.5, 0.25], [0.75, 2.0]], np.float32)).save(tmp_path / "f.tif")
    image = load_image(tmp_path / "f.tif")
    np.testing.assert_allclose(image[..., 1], [[0, 0.25], [0.75, 1.0]])
    Image.fromarray(_rgb()[..., 0] > 128).save(tmp_path / "b.png")
    _check_rgb(load_image(tmp_path / "b.png"), (20, 30, 3))
    Image.fromarray(_rgb()).convert("CMYK").save(tmp_path / "c.jpg")
    _check_rgb(load_image(tmp_path / "c.jpg"), (20, 30, 3))


def test_exif_rotated_jpeg_is_upright(tmp_path):
    pixels = np.zeros((10, 30, 3), np.uint8)  # stored landscape
    pixels[:, :10] = 255
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    Image.fromarray(pixels).save(tmp_path / "r.jpg", exif=exif, quality=95)
    image = load_image(tmp_path / "r.jpg")
    assert image.shape == (30, 10, 3)  # displayed portrait
    assert image[:10].mean() > 0.9 and image[-10:].mean() < 0.1


def test_small_image_is_padded_or_refused(tmp_path):
    Image.fromarray(_rgb(5, 7)).save(tmp_path / "s.png")
    padded = load_image(tmp_path / "s.png", min_size=16)
    _check_rgb(padded, (16, 16, 3))
    with pytest.raises(ImageLoadError, match="smaller than the 16×16") as info:
        load_image(tmp_path / "s.png", min_size=16, pad=False)
    assert str(tmp_path / "s.png") in str(info.value)


def test_large_image_is_shrunk_on_request(tmp_path):
    Image.fromarray(_rgb(300, 1200)).save(tmp_path / "big.jpg")
    image = load_image(tmp_path / "big.jpg", max_side=256)
    _check_rgb(image)
    assert max(image.shape[:2]) == 256 and image.shape[1] / image.shape[0] == pytest.approx(4, 0.05)


def test_too_many_pixels_is_refused(tmp_path):
    Image.fromarray(_rgb(100, 100)).save(tmp_path / "m.png")
    with pytest.raises(ImageLoadError, match="more than the 5,000 allowed"):
        load_image(tmp_path / "m.png", max_pixels=5000)


# ----------------------------------------------------------------- bad files, one error type


def test_missing_file(tmp_path):
    _assert_bad(tmp_path / "nope.png", "no such file")


def test_directory(tmp_path):
    (tmp_path / "d.png").mkdir()
    _assert_bad(tmp_path / "d.png", "directory")


def test_empty_file(tmp_path):
    (tmp_path / "e.png").write_bytes(b"")
    _assert_bad(tmp_path / "e.png", "empty")


def test_truncated_png_and_jpeg(tmp_path):
    for name in ("t.png", "t.jpg"):
        Image.fromarray(_rgb(64, 64)).save(tmp_path / name)
        data = (tmp_path / name).read_bytes()
        (tmp_path / name).write_bytes(data[: len(data) // 2])
        _assert_bad(tmp_path / name, "truncated")


def test_not_an_image(tmp_path):
    (tmp_path / "notes.png").write_text("these are my holiday notes, not a picture\n")
    _assert_bad(tmp_path / "notes.png", "not an image")


def test_random_bytes(tmp_path):
    (tmp_path / "noise.jpg").write_bytes(np.random.default_rng(0).bytes(4096))
    _assert_bad(tmp_path / "noise.jpg")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    # a 100 000 × 100 000 grayscale PNG header (10^10 pixels) in a file of a few dozen bytes
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    data = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + _png_chunk(b"IEND", b""))
    (tmp_path / "bomb.png").write_bytes(data)
    _assert_bad(tmp_path / "bomb.png", "decompression bomb")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=0, max_size=2048),
       prefix=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a",
                               b"BM", b"II*\x00"]))
def test_random_bytes_never_crash(tmp_path, data, prefix):
    """Whatever the bytes, load_image returns a valid image or raises ImageLoadError."""
    path = tmp_path / "fuzz.img"
    path.write_bytes(prefix + data)
    try:
        image = load_image(path)
    except ImageLoadError as error:
        assert str(path) in str(error)
    else:
        _check_rgb(image)


# ----------------------------------------------------------------- folders


def test_folder_loads_good_files_and_reports_the_bad(tmp_path, capsys):
    Image.fromarray(_rgb()).save(tmp_path / "a.png")
    Image.fromarray(_rgb(seed=1)[..., 0]).save(tmp_path / "b.jpg")
    (tmp_path / "c.png").write_bytes(b"")
    (tmp_path / "d.jpg").write_text("not a jpeg")
    (tmp_path / "readme.txt").write_text("ignored: not an image suffix")
    (tmp_path / "sub").mkdir()
    Image.fromarray(_rgb()).save(tmp_path / "sub" / "e.png")
    folder = load_folder(tmp_path)
    assert [p.name for p in folder.paths] == ["a.png", "b.jpg"]
    assert [p.name for p, _ in folder.skipped] == ["c.png", "d.jpg"]
    assert "empty" in folder.skipped[0][1]
    for image in folder.images:
        _check_rgb(image)
    printed = capsys.readouterr().out
    assert "skipped 2" in printed and "c.png" in printed and "d.jpg" in printed
    assert len(load_folder(tmp_path, recursive=True, verbose=False)) == 3


def test_folder_errors_name_the_folder(tmp_path):
    with pytest.raises(ImageLoadError, match="no such folder"):
        load_folder(tmp_path / "missing")
    (tmp_path / "f.png").write_bytes(b"x")
    with pytest.raises(ImageLoadError, match="not a folder") as info:
        load_folder(tmp_path / "f.png")
    assert str(tmp_path / "f.png") in str(info.value)


# ----------------------------------------------------------------- saving

def test_to_uint8_is_the_old_generator_conversion_for_minus_one_to_one():
    """``value_range=(-1, 1)`` gives the bytes of the old ``spatial._to_uint8``."""
    rng = np.random.default_rng(0)
    images = rng.uniform(-1.3, 1.3, (4, 64, 64, 3)).astype(np.float32)
    edges = ((np.arange(-2, 258) - 0.5) / 127.5 - 1.0).astype(np.float32)
    edges = np.concatenate([np.nextafter(edges, np.float32(-2)), edges,
                            np.nextafter(edges, np.float32(2))])
    for x in (images, edges):
        old = np.clip((np.asarray(x) + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)
        assert to_uint8(x, (-1.0, 1.0)).tobytes() == old.tobytes()
        assert to_uint8(x, (-1, 1)).tobytes() == old.tobytes()


def test_to_uint8_rounds_and_clips():
    x = np.array([-0.5, 0.0, 0.6 / 255, 0.4 / 255, 0.5, 1.0, 2.0], np.float32)
    assert to_uint8(x).tolist() == [0, 0, 1, 0, 128, 255, 255]
    assert to_uint8(np.array([0.0, 127.5, 255.0]), (0, 255)).tolist() == [0, 128, 255]


@pytest.mark.parametrize("shape", [(20, 30, 3), (20, 30), (20, 30, 1)])
def test_png_round_trip(tmp_path, shape):
    pixels = np.random.default_rng(1).integers(0, 256, shape).astype(np.float32)
    image = pixels / 255.0
    path = save_png(image, tmp_path / "deep" / "folder" / "x.png")
    assert path == tmp_path / "deep" / "folder" / "x.png" and path.is_file()
    with Image.open(path) as png:
        assert png.mode == ("RGB" if len(shape) == 3 and shape[-1] == 3 else "L")
        assert np.asarray(png).reshape(shape).tolist() == pixels.astype(np.uint8).tolist()
    assert png_bytes(image) == path.read_bytes()
    loaded = load_image(path)
    np.testing.assert_allclose(loaded, np.broadcast_to(image.reshape(20, 30, -1), (20, 30, 3)),
                               atol=1e-6)


def test_png_of_minus_one_to_one_images(tmp_path):
    image = np.random.default_rng(2).uniform(-1, 1, (8, 8, 3)).astype(np.float32)
    data = png_bytes(image, value_range=(-1.0, 1.0))
    assert data.startswith(b"\x89PNG")
    path = save_png(image, tmp_path / "g.png", value_range=(-1.0, 1.0))
    assert path.read_bytes() == data
    with Image.open(path) as png:
        assert np.array_equal(np.asarray(png), to_uint8(image, (-1.0, 1.0)))
    with pytest.raises(ValueError, match=r"\[H, W\]"):
        png_bytes(np.zeros((2, 8, 8, 3)))
