"""The picture in a notification email: what a job made, as a small JPEG attached inline (a
Content-ID part with Content-Disposition: inline, which anymail hands to the vendor as an inline
attachment) and shown by `cid:` in the HTML part. The text part keeps only the link.

No media URL goes into an email: files are private and served to their owner only, so a mail
client could not load one, and a URL that worked without a login would give the file away. The
picture travels inside the email instead, made by the email task (emails.py), never in a request.

accounts knows no media (DESIGN.md §1): the app that keeps the files registers the source, from
its AppConfig.ready() — media's `asset_picture(user=, asset_id=)`, which checks that the reader
may see the asset and returns a still of it (a video's poster frame) or None.

One notification: one picture, at most LARGE.box pixels wide and tall. A digest: small pictures
for its first DIGEST_PICTURES pictured items, the rest as text. A digest may list fifty items;
fifty pictures would mean fifty storage reads in one task, an email of a megabyte or more on a
phone's data plan, and the image-heavy look that spam filters score down. Four show at a glance
what was made, and each item links to the rest."""

import io
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from anymail.message import attach_inline_image
from django.core.mail import EmailMessage
from PIL import Image, ImageOps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Size:
    box: int  # the longest side, in pixels
    max_bytes: int  # a bigger JPEG is left out of the email
    scale: int = 1  # pixels per CSS pixel (a small picture is drawn at twice its size for sharp screens)


LARGE = Size(box=480, max_bytes=64 * 1024)
SMALL = Size(box=192, max_bytes=16 * 1024, scale=2)
DIGEST_PICTURES = 4
# Lower qualities tried in turn until the JPEG fits its size's byte cap.
QUALITIES = (82, 70, 55)
# Sources are our own stills (512 px thumbnails); anything far larger is not one.
MAX_SOURCE_PIXELS = 40_000_000
FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}


@dataclass(frozen=True)
class Picture:
    data: bytes  # JPEG
    width: int  # CSS pixels, as the HTML shows it
    height: int
    small: bool = False  # a digest's: beside its item, not under its title


@dataclass(frozen=True)
class Attached:
    cid: str  # without <>, as `cid:` in the HTML names it
    width: int
    height: int
    small: bool


_source: Callable[..., bytes | None] | None = None


def picture_source_register(source: Callable[..., bytes | None]) -> None:
    """Sets where pictures come from: source(user=, asset_id=) returns image bytes (JPEG, PNG or
    WebP) of an asset that user may see, or None."""
    global _source
    _source = source


def email_jpeg(data: bytes, *, size: Size = LARGE) -> Picture | None:
    """A JPEG of `data` no larger than size.box on either side (upright, transparency on white,
    no metadata) and at most size.max_bytes long; None when `data` does not decode as a JPEG, PNG
    or WebP of sensible size, or will not fit the cap."""
    try:
        with Image.open(io.BytesIO(data)) as source:
            if source.format not in FORMATS or source.width * source.height > MAX_SOURCE_PIXELS:
                return None
            # Shrinking first lets a JPEG decode at reduced scale; the box is square, so
            # turning it upright afterwards gives the same result.
            source.thumbnail((size.box, size.box), Image.Resampling.LANCZOS)
            image = ImageOps.exif_transpose(source)
        if image.has_transparency_data:
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        else:
            image = image.convert("RGB")
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, Image.DecompressionBombError):
        return None
    for quality in QUALITIES:
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality, optimize=True)
        if out.tell() <= size.max_bytes:
            return Picture(out.getvalue(), max(1, image.width // size.scale), max(1, image.height // size.scale),
                           small=size.scale > 1)
    return None


def picture_of(*, user, asset_id: UUID, size: Size = LARGE) -> Picture | None:
    """The email picture of one asset for `user`, or None (no source, not theirs, gone, not
    decodable, too big). Never raises: an email goes out with or without its picture."""
    if _source is None:
        return None
    try:
        data = _source(user=user, asset_id=asset_id)
        return email_jpeg(data, size=size) if data else None
    except Exception:
        log.warning("no picture for asset %s in a notification email", asset_id, exc_info=True)
        return None


def pictures_for(*, user, notifications: list) -> dict[int, Picture]:
    """{notification pk: Picture} for the notifications an email about them shows a picture of:
    the only one, large; or a digest's first DIGEST_PICTURES that name an asset, small."""
    size, limit = (LARGE, 1) if len(notifications) == 1 else (SMALL, DIGEST_PICTURES)
    found = {}
    for n in [n for n in notifications if n.image_asset][:limit]:
        picture = picture_of(user=user, asset_id=n.image_asset, size=size)
        if picture is not None:
            found[n.pk] = picture
    return found


def picture_attach(message: EmailMessage, picture: Picture, *, name: str) -> Attached:
    """Attaches the JPEG inline (a MIMEImage with a Content-ID) and makes the message
    multipart/related, so mail clients show it where the HTML says `cid:` instead of as a file."""
    cid = attach_inline_image(message, picture.data, filename=name, subtype="jpeg", idstring="preview")
    message.mixed_subtype = "related"
    return Attached(cid=cid, width=picture.width, height=picture.height, small=picture.small)
