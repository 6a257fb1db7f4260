import io
import random
import struct
import zlib

import av
import pytest
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from media.images import FileTooLarge, UploadRejected, clean_image, image_size, probe_video, thumbnail

HTML = b"<html><script>alert(document.cookie)</script></html>"


def encode(image, fmt, **options):
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


def noise(size=(64, 48), mode="RGB"):
    """Random pixels, so the compressed data is large enough to cut in half meaningfully."""
    raw = random.Random(0).randbytes(size[0] * size[1] * len(mode))
    return Image.frombytes(mode, size, raw)


def halves(size=(40, 20)):
    """Left half red, right half blue: shows which way an image was turned."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return image


def png_chunks(data):
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def png_from_chunks(chunks):
    out = b"\x89PNG\r\n\x1a\n"
    for kind, body in chunks:
        out += struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return out


def png_declaring(width, height):
    """A tiny valid-looking PNG whose header claims width x height."""
    chunks = png_chunks(encode(Image.new("RGB", (1, 1)), "PNG"))
    ihdr = struct.pack(">II", width, height) + chunks[0][1][8:]
    return png_from_chunks([(b"IHDR", ihdr), *chunks[1:]])


def png_with_short_pixel_data():
    """Chunk structure intact (IEND present, CRCs right) but the compressed pixels stop halfway."""
    chunks = png_chunks(encode(noise(), "PNG"))
    return png_from_chunks([(kind, body[: len(body) // 2] if kind == b"IDAT" else body) for kind, body in chunks])


def jpeg_with_comment(text):
    jpeg = encode(halves(), "JPEG")
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + jpeg[2:]


def mp4(size=(64, 48), frames=10, rate=10, rotation=0):
    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        if rotation:
            stream.set_display_rotation(rotation)
        for _ in range(frames):
            for packet in stream.encode(av.VideoFrame.from_image(halves(size))):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def is_red(pixel):
    return pixel[0] > 200 and pixel[2] < 60


# Accepted uploads


@pytest.mark.parametrize(
    "fmt, mime, ext, mode",
    [("JPEG", "image/jpeg", "jpg", "RGB"), ("PNG", "image/png", "png", "RGBA"), ("WEBP", "image/webp", "webp", "RGBA")],
)
def test_each_allowed_type_is_reencoded_in_its_own_format(fmt, mime, ext, mode):
    source = halves((300, 200)).convert(mode)
    if mode == "RGBA":
        source.putalpha(128)  # fully opaque alpha may legitimately be dropped

    clean = clean_image(encode(source, fmt))

    assert (clean.mime, clean.ext, clean.width, clean.height) == (mime, ext, 300, 200)
    with Image.open(io.BytesIO(clean.data)) as output:
        assert output.format == fmt
        assert output.size == (300, 200)
        assert output.mode == mode
        output.load()


def test_jpeg_exif_with_gps_is_gone_after_cleaning():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLatitude: (6.0, 10.0, 30.0)}
    source = encode(halves(), "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    clean = clean_image(source)

    output = Image.open(io.BytesIO(clean.data))
    assert not output.getexif()
    assert b"Exif" not in clean.data and b"SecretCam" not in clean.data


def test_png_text_chunk_and_icc_profile_are_gone_after_cleaning():
    info = PngInfo()
    info.add_text("Comment", "shot at home, Jl. Melati 4")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encode(halves(), "PNG", pnginfo=info, icc_profile=icc)

    clean = clean_image(source)

    kinds = {kind for kind, _ in png_chunks(clean.data)}
    assert kinds <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    assert b"Melati" not in clean.data


def test_an_unusable_icc_profile_is_dropped_not_refused():
    clean = clean_image(encode(halves(), "JPEG", icc_profile=b"not a colour profile"))

    assert "icc_profile" not in Image.open(io.BytesIO(clean.data)).info


def test_webp_exif_and_xmp_are_gone_after_cleaning():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    source = encode(halves(), "WEBP", exif=exif.tobytes(), xmp=b"<x:xmpmeta>Jl. Melati 4</x:xmpmeta>")

    clean = clean_image(source)

    assert b"SecretCam" not in clean.data and b"Melati" not in clean.data
    assert not Image.open(io.BytesIO(clean.data)).getexif()


def test_exif_orientation_is_applied_to_the_pixels():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored on its side: turn 90° clockwise to view
    source = encode(halves((40, 20)), "JPEG", exif=exif.tobytes())

    clean = clean_image(source)

    output = Image.open(io.BytesIO(clean.data)).convert("RGB")
    assert (clean.width, clean.height) == output.size == (20, 40)
    assert is_red(output.getpixel((10, 2)))  # the left half is now on top
    assert not is_red(output.getpixel((10, 37)))


def test_png_alpha_is_kept():
    source = Image.new("RGBA", (10, 10), (0, 128, 0, 0))
    source.paste((0, 128, 0, 255), (0, 0, 5, 10))

    clean = clean_image(encode(source, "PNG"))

    output = Image.open(io.BytesIO(clean.data))
    assert output.getpixel((1, 1))[3] == 255 and output.getpixel((8, 1))[3] == 0


def test_a_jpeg_with_a_nested_jpeg_in_its_metadata_is_accepted():
    # EXIF thumbnails carry their own EOI marker; only what follows the real end counts.
    clean = clean_image(jpeg_with_comment(encode(Image.new("RGB", (8, 8)), "JPEG")))

    assert clean.mime == "image/jpeg"


def test_a_multi_picture_jpeg_keeps_only_the_first_picture():
    source = encode(halves(), "JPEG") + encode(Image.new("RGB", (8, 8)), "JPEG")

    clean = clean_image(source)

    assert (clean.width, clean.height) == (40, 20)


def test_padding_after_the_end_marker_is_accepted():
    assert clean_image(encode(halves(), "JPEG") + b"\x00" * 16).mime == "image/jpeg"


def test_an_animated_webp_keeps_only_its_first_frame():
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
    source = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)

    clean = clean_image(source)

    output = Image.open(io.BytesIO(clean.data))
    assert getattr(output, "n_frames", 1) == 1
    assert is_red(output.convert("RGB").getpixel((8, 8)))


# Refused uploads


def png_with_html_after_iend():
    return encode(halves(), "PNG") + HTML


def png_with_html_in_text_chunk():
    info = PngInfo()
    info.add_text("Comment", HTML.decode())
    return encode(halves(), "PNG", pnginfo=info)


def jpeg_with_html_after_eoi():
    return encode(halves(), "JPEG") + HTML


def jpeg_with_html_before_a_fake_final_eoi():
    return encode(halves(), "JPEG") + HTML + b"\xff\xd9"


def webp_with_html_after_riff():
    return encode(halves(), "WEBP") + HTML


def webp_with_markup_in_xmp():
    return encode(halves(), "WEBP", xmp=b'<x:xmpmeta><svg onload="alert(1)"/></x:xmpmeta>')


def cut_in_half(fmt):
    return lambda: (data := encode(noise(), fmt))[: len(data) // 2]


def gif():
    return encode(halves(), "GIF")


UNSUPPORTED = "Only JPEG, PNG or WebP"
POLYGLOT = "not a plain image"
DAMAGED = "damaged or incomplete"
TOO_MANY_PIXELS = "at most 40 megapixels"


@pytest.mark.parametrize(
    "make, message",
    [
        pytest.param(lambda: b"", UNSUPPORTED, id="empty"),
        pytest.param(lambda: b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200), UNSUPPORTED, id="exe"),
        pytest.param(lambda: b"\x7fELF\x02\x01\x01" + bytes(200), UNSUPPORTED, id="elf"),
        pytest.param(lambda: b"<!DOCTYPE html>" + HTML, UNSUPPORTED, id="html"),
        pytest.param(lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', UNSUPPORTED, id="svg"),
        pytest.param(lambda: b"%PDF-1.7\n" + bytes(200), UNSUPPORTED, id="pdf"),
        pytest.param(gif, UNSUPPORTED, id="gif"),
        pytest.param(png_with_html_after_iend, POLYGLOT, id="png-html-after-iend"),
        pytest.param(png_with_html_in_text_chunk, POLYGLOT, id="png-html-in-text"),
        pytest.param(jpeg_with_html_after_eoi, POLYGLOT, id="jpeg-html-after-eoi"),
        pytest.param(jpeg_with_html_before_a_fake_final_eoi, POLYGLOT, id="jpeg-html-then-eoi"),
        pytest.param(lambda: jpeg_with_comment(b"<?php system($_GET[0]); ?>"), POLYGLOT, id="jpeg-php-in-comment"),
        pytest.param(webp_with_html_after_riff, POLYGLOT, id="webp-html-after-riff"),
        pytest.param(webp_with_markup_in_xmp, POLYGLOT, id="webp-svg-in-xmp"),
        pytest.param(cut_in_half("PNG"), DAMAGED, id="png-truncated"),
        pytest.param(cut_in_half("JPEG"), DAMAGED, id="jpeg-truncated"),
        pytest.param(cut_in_half("WEBP"), DAMAGED, id="webp-truncated"),
        pytest.param(png_with_short_pixel_data, DAMAGED, id="png-pixel-data-cut-short"),
        pytest.param(lambda: b"\x89PNG\r\n\x1a\n" + bytes(100), DAMAGED, id="png-signature-only"),
        pytest.param(lambda: png_declaring(20_000, 20_000), TOO_MANY_PIXELS, id="ihdr-20000x20000"),
        pytest.param(lambda: png_declaring(8000, 6000), TOO_MANY_PIXELS, id="ihdr-48-megapixels"),
    ],
)
def test_upload_is_refused(make, message):
    with pytest.raises(UploadRejected) as refused:
        clean_image(make())

    assert type(refused.value) is UploadRejected
    assert (refused.value.code, refused.value.status) == ("UNSUPPORTED_FILE", 422)
    assert message in refused.value.message


def test_a_real_decompression_bomb_is_refused_without_decoding():
    # 48 megapixels of blank compress to a few kilobytes.
    bomb = encode(Image.new("1", (8000, 6000)), "PNG")
    assert len(bomb) < 100_000

    with pytest.raises(UploadRejected, match=TOO_MANY_PIXELS):
        clean_image(bomb)


def test_pixel_cap_follows_the_setting(settings):
    settings.UPLOAD_MAX_PIXELS = 1000

    with pytest.raises(UploadRejected, match="at most 0.001 megapixels"):
        clean_image(encode(halves((50, 50)), "PNG"))


def test_a_file_over_the_byte_limit_is_refused_with_413(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    source = encode(noise((700, 700)), "PNG")
    assert len(source) > settings.UPLOAD_MAX_BYTES

    with pytest.raises(FileTooLarge) as refused:
        clean_image(source)

    assert (refused.value.code, refused.value.status) == ("FILE_TOO_LARGE", 413)
    assert "at most 1 MB" in refused.value.message


# Thumbnails and video


def test_thumbnail_fits_the_longest_side_and_keeps_the_aspect_ratio():
    thumb = thumbnail(encode(halves((2000, 1000)), "PNG"), "image/png")

    output = Image.open(io.BytesIO(thumb))
    assert output.format == "WEBP"
    assert output.size == (512, 256)


def test_thumbnail_is_upright():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    thumb = thumbnail(encode(halves((2000, 1000)), "JPEG", exif=exif.tobytes()), "image/jpeg")

    output = Image.open(io.BytesIO(thumb)).convert("RGB")
    assert output.size == (256, 512)
    assert is_red(output.getpixel((128, 10)))


def test_video_thumbnail_is_a_webp_of_the_first_frame():
    thumb = thumbnail(mp4(), "video/mp4")

    output = Image.open(io.BytesIO(thumb))
    assert output.format == "WEBP"
    assert output.size == (64, 48)
    assert is_red(output.convert("RGB").getpixel((5, 24)))


def test_probe_video_reports_size_and_duration():
    assert probe_video(mp4(frames=10, rate=10)) == {"width": 64, "height": 48, "duration": pytest.approx(1.0, abs=0.1)}


def test_a_portrait_phone_video_is_probed_and_thumbnailed_upright():
    video = mp4(rotation=-90)  # stored landscape, shown turned 90° clockwise

    assert probe_video(video)["width"] == 48
    output = Image.open(io.BytesIO(thumbnail(video, "video/mp4"))).convert("RGB")
    assert output.size == (48, 64)
    assert is_red(output.getpixel((24, 5)))  # the stored left half is now on top


@pytest.mark.parametrize("data", [b"", b"not a video at all" * 100, png_with_html_after_iend()[:40]])
def test_probe_video_refuses_what_it_cannot_decode(data):
    with pytest.raises(UploadRejected):
        probe_video(data)


def test_image_size_reads_the_header():
    assert image_size(encode(halves((300, 200)), "WEBP")) == (300, 200)
