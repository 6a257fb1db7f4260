"""Upscale requests: an image asset made 2× or 4× larger, as a new asset next to its source (same
target), linked to it ("upscaled from …"). Priced by the "upscale" credit cost and sold to the
plans with `feature_upscale`; the rest is the ordinary job pipeline (jobs._request: guards, hold,
job row, queue "image"; worker._make_upscale runs it).

The output's pixels must stay within what the upload decoder opens (UPLOAD_MAX_PIXELS): a larger
result is refused here, before any plan check or hold, with the largest scale that fits."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aiproviders.models import AIModel
from media.models import MediaAsset
from modo.cache import digest
from modo.errors import AppError

from ..models import Generation
from .jobs import InvalidJob, _request, _usable_image

SCALES = (2, 4)


class OutputTooLarge(AppError):
    code, status = "INVALID_INPUT", 422
    default_message = gettext_lazy("The upscaled image would be too large.")


def max_megapixels() -> str:
    return f"{settings.UPLOAD_MAX_PIXELS / 1e6:.3g}"


def fitting_scales(source: MediaAsset) -> list[int]:
    """The scales whose output stays within the pixel cap (none when the size is unknown)."""
    if not source.width or not source.height:
        return []
    return [s for s in SCALES if source.width * source.height * s * s <= settings.UPLOAD_MAX_PIXELS]


def upscale_request(*, user, source: MediaAsset, scale: int, model: AIModel | None = None,
                    idempotency_key: str = "") -> Generation:
    """A job that upscales `source` (an image the user owns, already checked by the caller) by
    `scale`. Raises InvalidJob (422) for a file that is not an image or cannot be opened,
    OutputTooLarge (422) above the pixel cap, then the pipeline's refusals (403 PLAN_REQUIRED
    without feature_upscale, 402, 429) — all before any hold."""
    if not _usable_image(source):
        raise InvalidJob(_("Upscale an image that can still be opened."))
    if scale not in SCALES:
        raise InvalidJob(_("Choose 2× or 4×."), fields={"scale": [_("Choose 2 or 4.")]})
    if not source.width or not source.height:
        raise InvalidJob(_("The size of this image is not known, so it cannot be upscaled."))
    width, height = source.width * scale, source.height * scale
    if scale not in fitting_scales(source):
        fits = fitting_scales(source)
        message = _("At %(scale)s× this image would be %(w)s × %(h)s pixels; the most is %(mp)s megapixels.") % {
            "scale": scale, "w": width, "h": height, "mp": max_megapixels()}
        if fits:
            message += " " + _("Try %(scale)s×.") % {"scale": fits[-1]}
        raise OutputTooLarge(message, fields={"scale": [message]}, max_pixels=settings.UPLOAD_MAX_PIXELS,
                             pixels=width * height)
    params = {"source": str(source.public_id), "scale": scale, "width": width, "height": height,
              "source_size": [source.width, source.height],
              "subject": {"name": source.file_name, "traits": []}}
    return _request(user=user, project=source.project, kind=Generation.Kind.UPSCALE, target_kind=source.target_kind,
                    target_id=source.target_id, params=params, prompt=source.prompt, model=model,
                    idempotency_key=idempotency_key, input_hash=digest(str(source.public_id), scale),
                    quote_params={"variant": "upscale"})
