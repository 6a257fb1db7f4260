"""Image presets (styles and sizes) seeded by migration 0004 and by the tests that flush data.

The labels are stored in English and marked for translation: ImagePreset.display_label shows them
in the reader's language (a label the superadmin rewrote is shown as it is)."""

from django.utils.translation import gettext_noop

STYLES = [
    ("chibi", gettext_noop("Cute / kawaii chibi"), "cute kawaii chibi style, big expressive eyes, soft pastel colours"),
    ("realistic", gettext_noop("Realistic"), "photorealistic, natural lighting, detailed skin and fabric textures"),
    ("cartoon", gettext_noop("Cartoon"), "bold cartoon style, clean outlines, flat vibrant colours"),
    ("anime", gettext_noop("Anime"), "anime style, cel shading, crisp line art"),
    ("cinematic", gettext_noop("Cinematic"), "cinematic still, dramatic lighting, shallow depth of field, film grain"),
    ("plush", gettext_noop("Plush toy / kawaii"),
     "plush toy, soft felt and fleece fabric, visible stitched seams, kawaii proportions, pastel colours"),
]
SIZES = [  # aspect, scale → width × height
    ("square-s", gettext_noop("Square · small"), 512, 512), ("square-m", gettext_noop("Square · medium"), 768, 768),
    ("square-l", gettext_noop("Square · large"), 1024, 1024),
    ("portrait-s", gettext_noop("Portrait · small"), 512, 768), ("portrait-m", gettext_noop("Portrait · medium"), 768, 1024),
    ("portrait-l", gettext_noop("Portrait · large"), 832, 1216),
    ("landscape-s", gettext_noop("Landscape · small"), 768, 512), ("landscape-m", gettext_noop("Landscape · medium"), 1024, 768),
    ("landscape-l", gettext_noop("Landscape · large"), 1216, 832),
]


def seed(ImagePreset):  # noqa: N803 — the historical model from a migration, or the real one
    for order, (key, label, prompt) in enumerate(STYLES):
        ImagePreset.objects.update_or_create(kind="style", key=key, defaults={
            "label": label, "prompt": prompt, "sort_order": order, "is_default": key == "cinematic"})
    for order, (key, label, width, height) in enumerate(SIZES):
        ImagePreset.objects.update_or_create(kind="size", key=key, defaults={
            "label": label, "width": width, "height": height, "sort_order": order, "is_default": key == "square-m"})
