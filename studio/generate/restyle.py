"""Restyle requests (the brief's photo → style flow): a photo or any image asset redrawn in a style
preset (plush toy / kawaii, realistic, cartoon, anime, cinematic, … — the active style presets)
at a small, medium or large size, on plans with restyle (`feature_restyle`, the job Spec's plan
feature). An image-to-image job at the image price: the worker runs it as any image job with one
reference (worker._make_image; offline, the local stylisation), and the result is a new asset
next to its source (same target), linked to it ("restyled from …").

A photo uploaded for it goes through the ordinary upload validation into the project's gallery
first (media.services.asset_upload), so the before/after pair both stay in the gallery."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aiproviders.models import AIModel
from media.models import MediaAsset
from modo.cache import digest

from ..models import Generation
from .jobs import InvalidJob, _request, _usable_image
from .prompts import QUALITY_TAGS, chosen_presets

# The size choice → the size presets' scale letter; the aspect (square, portrait, landscape) is
# the source's nearest, so the photo is not squashed into another shape.
SIZES = {"small": ("s", gettext_lazy("Small")), "medium": ("m", gettext_lazy("Medium")),
         "large": ("l", gettext_lazy("Large"))}
# The brief's styles first, in its order; any other active style preset after them.
FIRST_STYLES = ("plush", "realistic", "cartoon", "anime", "cinematic")
STRENGTH = 0.85  # how far from the photo: the style shows clearly, the subject stays recognisable


def styles_in_order(presets: list) -> list:
    rank = {key: n for n, key in enumerate(FIRST_STYLES)}
    return sorted(presets, key=lambda p: rank.get(p.key, len(rank)))  # stable: the rest keep their order


def aspect_of(width: int | None, height: int | None) -> str:
    if not width or not height:
        return "square"
    ratio = width / height
    return "landscape" if ratio > 1.2 else "portrait" if ratio < 1 / 1.2 else "square"


def restyle_request(*, user, source: MediaAsset, style: str, size: str = "medium", model: AIModel | None = None,
                    idempotency_key: str = "") -> Generation:
    """A job that redraws `source` (an image the user owns, already checked by the caller) in the
    style preset `style` at `size` (small / medium / large). Raises InvalidJob (422) for a file
    that cannot be opened or an unknown size, then the pipeline's refusals (402, 403 PLAN_REQUIRED
    on a plan without restyle — `feature_restyle` — or for a premium model on a plan without
    premium models, 429) — all before any hold."""
    if not _usable_image(source):
        raise InvalidJob(_("Restyle an image that can still be opened."))
    if size not in SIZES:
        raise InvalidJob(_("Choose small, medium or large."), fields={"size": [_("Choose small, medium or large.")]})
    style_preset, size_preset = chosen_presets(style=style, size=f"{aspect_of(source.width, source.height)}-{SIZES[size][0]}")
    if style_preset is None or (style and style_preset.key != style):
        raise InvalidJob(_("Choose one of the styles."), fields={"style": [_("Choose one of the styles.")]})
    words = f"Restyle this picture, keeping its subject and composition: {style_preset.prompt}" if style_preset.prompt \
        else "Restyle this picture, keeping its subject and composition"
    refs = [str(source.public_id)]
    params = {"source": str(source.public_id), "references": refs, "style": style_preset.key,
              "size": size_preset.key if size_preset else "", "restyle_size": size,
              "width": size_preset.width if size_preset else 768, "height": size_preset.height if size_preset else 768,
              "strength": STRENGTH, "subject": {"name": source.file_name, "traits": []}}
    return _request(user=user, project=source.project, kind=Generation.Kind.RESTYLE, target_kind=source.target_kind,
                    target_id=source.target_id, params=params, prompt=f"{words}, {QUALITY_TAGS}", model=model,
                    idempotency_key=idempotency_key, input_hash=digest(refs, style_preset.key, size),
                    quote_params={"references": refs})
