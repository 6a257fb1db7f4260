"""The offline upscale: a Lanczos resample and a mild unsharp mask (Pillow). It is a resample, not
a model: it invents no detail, it only enlarges what is there without the blur of a plain
bilinear zoom — the model's name says so ("Offline resample (Lanczos)").

An opaque image comes back as a JPEG at quality 95 without chroma subsampling (visually
lossless for art and photos alike; a 4096² PNG would be six times the bytes and forty times the
encoding time, the bulk of the job: benchmarks/README.md, figure 9); one with transparency as a
PNG, its alpha kept. The sharpening is done before the resample, at the source's size: both are
linear, so the result matches sharpening the large image (to a fifth of a level on average) for
a sixteenth of the work at 4×. The output's pixels stay within the upload
decoder's cap (UPLOAD_MAX_PIXELS), so whatever it makes can be opened again like an upload."""

import io

from django.conf import settings
from django.utils.translation import gettext_noop
from PIL import Image, ImageFilter, ImageOps

from ..base import ProviderError

SCALES = (2, 4)


def _unreadable(detail: str) -> ProviderError:
    return ProviderError(gettext_noop("The image could not be read."), permanent=True, code="bad_image", detail=detail)


def _too_large(width: int, height: int) -> ProviderError:
    return ProviderError(gettext_noop("The upscaled image would be too large (%(mp)s megapixels at most)."),
                         permanent=True, code="too_large", params={"mp": f"{settings.UPLOAD_MAX_PIXELS / 1e6:.3g}"},
                         detail=f"upscale output {width}x{height}")


def upscale(data: bytes, scale: int) -> tuple[bytes, str, int, int]:
    """(bytes, mime, width, height) of the image `scale` times larger on each side (JPEG, or PNG
    with transparency). Unreadable
    input, a scale other than 2 or 4, or an output over the pixel cap raise ProviderError(permanent)."""
    if scale not in SCALES:
        raise ProviderError(gettext_noop("Upscale by 2 or by 4."), permanent=True, code="bad_request",
                            detail=f"scale {scale!r}")
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        # Checked on the header, before any pixel is decoded.
        if width * height * scale * scale > settings.UPLOAD_MAX_PIXELS:
            raise _too_large(width * scale, height * scale)
        image.load()
        image = ImageOps.exif_transpose(image)
    except ProviderError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        raise _unreadable(f"upscale decode failed: {type(exc).__name__}") from None
    size = (image.width * scale, image.height * scale)
    alpha = None
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        alpha = rgba.getchannel("A").resize(size, Image.Resampling.LANCZOS)
        image = rgba.convert("RGB")
    else:
        image = image.convert("RGB")
    # Mild: half a source pixel of radius, 60 %, leaving flat areas (threshold) alone.
    sharp = image.filter(ImageFilter.UnsharpMask(radius=0.5, percent=60, threshold=2))
    big = sharp.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if alpha is None:
        big.save(out, "JPEG", quality=95, subsampling=0)
        mime = "image/jpeg"
    else:
        big.putalpha(alpha)
        big.save(out, "PNG", compress_level=1)
        mime = "image/png"
    return out.getvalue(), mime, size[0], size[1]
