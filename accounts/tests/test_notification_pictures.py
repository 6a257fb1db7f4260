"""The email picture itself (accounts/notifications/pictures.py): a JPEG inside its box and under
its byte cap, upright, transparency on white; anything that does not decode is no picture."""

import io
import os

import pytest
from PIL import Image

from accounts.notifications import pictures


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def decoded(picture: pictures.Picture) -> Image.Image:
    image = Image.open(io.BytesIO(picture.data))
    assert image.format == "JPEG"
    return image


@pytest.mark.parametrize("size, expected", [((1600, 900), (480, 270)), ((900, 1600), (270, 480)), ((320, 200), (320, 200))])
def test_a_large_picture_fits_480_pixels_each_way_and_is_never_enlarged(size, expected):
    picture = pictures.email_jpeg(encode(Image.new("RGB", size, (90, 60, 200)), "WEBP"), size=pictures.LARGE)

    assert decoded(picture).size == expected and (picture.width, picture.height) == expected
    assert len(picture.data) <= pictures.LARGE.max_bytes


def test_a_small_picture_is_drawn_at_twice_the_size_it_is_shown():
    picture = pictures.email_jpeg(encode(Image.new("RGB", (512, 288), (10, 120, 90)), "PNG"), size=pictures.SMALL)

    assert decoded(picture).size == (192, 108) and (picture.width, picture.height) == (96, 54)


def test_a_picture_over_its_byte_cap_is_made_smaller_or_left_out():
    noise = Image.frombytes("RGB", (512, 512), os.urandom(512 * 512 * 3))  # the worst case for JPEG
    data = encode(noise, "PNG")

    large = pictures.email_jpeg(data, size=pictures.LARGE)
    assert large is None or len(large.data) <= pictures.LARGE.max_bytes
    assert pictures.email_jpeg(data, size=pictures.Size(box=480, max_bytes=20 * 1024)) is None
    # A plain picture fits at the first quality tried.
    plain = pictures.email_jpeg(encode(Image.new("RGB", (512, 512), (200, 80, 40)), "PNG"))
    assert len(plain.data) < 8 * 1024


def test_transparency_lands_on_white_and_exif_orientation_is_applied():
    clear = pictures.email_jpeg(encode(Image.new("RGBA", (100, 60), (0, 0, 0, 0)), "PNG"))
    assert all(channel > 245 for channel in decoded(clear).getpixel((50, 30)))

    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: shown turned 90° clockwise
    turned = pictures.email_jpeg(encode(Image.new("RGB", (200, 100), (0, 90, 0)), "JPEG", exif=exif))
    assert decoded(turned).size == (100, 200) and not decoded(turned).getexif()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a picture",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        b"GIF89a" + b"\x00" * 40,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
)
def test_bytes_that_are_not_a_jpeg_png_or_webp_make_no_picture(data):
    assert pictures.email_jpeg(data) is None


def test_gifs_and_huge_canvases_make_no_picture():
    assert pictures.email_jpeg(encode(Image.new("RGB", (40, 40)), "GIF")) is None
    huge = encode(Image.new("1", (8000, 6000)), "PNG")  # 48 megapixels, a few kilobytes
    assert pictures.email_jpeg(huge) is None


def test_without_a_registered_source_there_is_no_picture(monkeypatch):
    monkeypatch.setattr(pictures, "_source", None)
    assert pictures.picture_of(user=None, asset_id="00000000-0000-0000-0000-000000000000") is None
