"""Image presets (styles and sizes) seeded by migration 0004 and by the tests that flush data."""

STYLES = [
    ("chibi", "Cute / kawaii chibi", "cute kawaii chibi style, big expressive eyes, soft pastel colours"),
    ("realistic", "Realistic", "photorealistic, natural lighting, detailed skin and fabric textures"),
    ("cartoon", "Cartoon", "bold cartoon style, clean outlines, flat vibrant colours"),
    ("anime", "Anime", "anime style, cel shading, crisp line art"),
    ("cinematic", "Cinematic", "cinematic still, dramatic lighting, shallow depth of field, film grain"),
]
SIZES = [  # aspect, scale → width × height
    ("square-s", "Square · small", 512, 512), ("square-m", "Square · medium", 768, 768),
    ("square-l", "Square · large", 1024, 1024),
    ("portrait-s", "Portrait · small", 512, 768), ("portrait-m", "Portrait · medium", 768, 1024),
    ("portrait-l", "Portrait · large", 832, 1216),
    ("landscape-s", "Landscape · small", 768, 512), ("landscape-m", "Landscape · medium", 1024, 768),
    ("landscape-l", "Landscape · large", 1216, 832),
]


def seed(ImagePreset):  # noqa: N803 — the historical model from a migration, or the real one
    for order, (key, label, prompt) in enumerate(STYLES):
        ImagePreset.objects.update_or_create(kind="style", key=key, defaults={
            "label": label, "prompt": prompt, "sort_order": order, "is_default": key == "cinematic"})
    for order, (key, label, width, height) in enumerate(SIZES):
        ImagePreset.objects.update_or_create(kind="size", key=key, defaults={
            "label": label, "width": width, "height": height, "sort_order": order, "is_default": key == "square-m"})
