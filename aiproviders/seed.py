"""Default providers and models: the offline `local` provider (enabled, default for every type
until a vendor model of that type is enabled) so a fresh install generates at once, and disabled
examples of each vendor for the superadmin to enable after adding a key. Seeded by migrations
0002 and 0006 (issue 20's vendors) and `manage.py seed_ai`."""

from decimal import Decimal

from django.utils.translation import gettext_noop

# The offline provider's and models' names are stored in English and shown translated
# (Provider.label, AIModel.label); the vendors' names are proper nouns.
OFFLINE = gettext_noop("Offline (local)")

PROVIDERS = [
    dict(name=OFFLINE, kind="local", enabled=True, timeout_seconds=120),
    dict(name="OpenAI", kind="openai", enabled=False, env_key="OPENAI_API_KEY"),
    dict(name="Anthropic", kind="anthropic", enabled=False, env_key="ANTHROPIC_API_KEY"),
    dict(name="Google", kind="google", enabled=False, env_key="GOOGLE_API_KEY"),
    dict(name="Replicate", kind="replicate", enabled=False, env_key="REPLICATE_API_TOKEN", timeout_seconds=300),
    dict(name="ModelsLab", kind="modelslab", enabled=False, env_key="MODELSLAB_API_KEY", timeout_seconds=300),
    dict(name="Stability AI", kind="stability", enabled=False, env_key="STABILITY_API_KEY", timeout_seconds=120),
    # Imagen: Google on Vertex AI (the "location" here, a service-account JSON instead of a key).
    dict(name="Google Vertex AI", kind="google", enabled=False, timeout_seconds=120, config={"location": "us-central1"}),
    dict(name="ElevenLabs", kind="elevenlabs", enabled=False, env_key="ELEVENLABS_API_KEY"),
]

HOUR = 3600  # the identical-request cache of the fast text tier

D = Decimal
MODELS = [
    # provider name, vendor id, display name, type, tier, fields
    (OFFLINE, "local-text", gettext_noop("Offline drafts"), "text", "fast",
     dict(cap_streaming=True, is_default=True, priority=1000)),
    (OFFLINE, "local-image", gettext_noop("Offline image studio"), "image", "fast",
     dict(cap_t2i=True, cap_i2i=True, cap_multi_reference=True, max_references=4, is_default=True, priority=1000)),
    (OFFLINE, "local-video", gettext_noop("Offline pan & zoom"), "video", "fast",
     dict(cap_i2v=True, durations=[3, 5, 8], is_default=True, priority=1000)),
    # A resample (Lanczos + a mild unsharp mask), not a model that invents detail: named so.
    (OFFLINE, "local-upscale", gettext_noop("Offline resample (Lanczos)"), "image", "fast",
     dict(cap_upscale=True, priority=1000)),
    ("OpenAI", "gpt-4o-mini", "GPT-4o mini", "text", "fast",
     dict(cap_streaming=True, priority=10, est_cost_usd=D("0.0006"), cost_unit="1k_tokens", cache_ttl_seconds=HOUR)),
    ("OpenAI", "gpt-4o", "GPT-4o", "text", "premium",
     dict(cap_streaming=True, priority=14, est_cost_usd=D("0.01"), cost_unit="1k_tokens")),
    ("OpenAI", "gpt-image-1", "GPT Image 1", "image", "premium",
     dict(cap_t2i=True, cap_i2i=True, cap_multi_reference=True, max_references=4, priority=20,
          est_cost_usd=D("0.042"), cost_unit="image")),
    ("Anthropic", "claude-sonnet-4-5", "Claude Sonnet 4.5", "text", "premium",
     dict(cap_streaming=True, priority=15, est_cost_usd=D("0.015"), cost_unit="1k_tokens")),
    ("Google", "gemini-2.5-flash", "Gemini 2.5 Flash", "text", "fast",
     dict(cap_streaming=True, priority=12, est_cost_usd=D("0.0006"), cost_unit="1k_tokens", cache_ttl_seconds=HOUR)),
    # Imagen needs Vertex AI; on the Gemini API the image model is a Gemini one.
    ("Google", "gemini-2.5-flash-image", "Gemini 2.5 Flash Image", "image", "fast",
     dict(cap_t2i=True, cap_i2i=True, cap_multi_reference=True, max_references=3, priority=15,
          est_cost_usd=D("0.039"), cost_unit="image")),
    ("Replicate", "black-forest-labs/flux-kontext-pro", "FLUX Kontext Pro", "image", "fast",
     dict(cap_t2i=True, cap_i2i=True, priority=10, est_cost_usd=D("0.04"), cost_unit="image")),
    ("Replicate", "bytedance/seedream-4", "Seedream 4", "image", "premium",
     dict(cap_t2i=True, cap_i2i=True, cap_multi_reference=True, max_references=4, priority=12,
          est_cost_usd=D("0.03"), cost_unit="image")),
    # Real-ESRGAN, its version pinned (owner/name:version): a model's "latest" can change what
    # the same request returns; the superadmin moves the pin on purpose.
    ("Replicate", "nightmareai/real-esrgan:f121d640bd286e1fdc67f9799164c1d5be36ff74576ee11c803ae5b665dd46aa",
     "Real-ESRGAN", "image", "fast",
     dict(cap_upscale=True, priority=10, est_cost_usd=D("0.0025"), cost_unit="image")),
    ("Replicate", "lightricks/ltx-video", "LTX Video", "video", "fast",
     dict(cap_i2v=True, durations=[3, 5, 8], priority=10, est_cost_usd=D("0.02"), cost_unit="second")),
    # The brief's cheap defaults (issue 20). Text fast: Gemini Flash; text premium: GPT-4o.
    ("Google", "gemini-3.5-flash", "Gemini 3.5 Flash", "text", "fast",
     dict(cap_streaming=True, priority=5, est_cost_usd=D("0.0006"), cost_unit="1k_tokens", cache_ttl_seconds=HOUR)),
    # Character sheets and moodboards: Seedream 4.5 on ModelsLab (the multi-reference row
    # takes the moodboard's pictures as they are, no composited grid).
    ("ModelsLab", "seedream-4.5", "Seedream 4.5", "image", "fast",
     dict(cap_t2i=True, priority=3, est_cost_usd=D("0.04"), cost_unit="image")),
    ("ModelsLab", "seedream-4.5-i2i", "Seedream 4.5 (references)", "image", "fast",
     dict(cap_i2i=True, cap_multi_reference=True, max_references=4, priority=4, est_cost_usd=D("0.04"),
          cost_unit="image")),
    # Animation: LTX 2 Pro on ModelsLab.
    ("ModelsLab", "ltx-2-pro-i2v", "LTX 2 Pro", "video", "fast",
     dict(cap_i2v=True, durations=[3, 5, 8], priority=5, est_cost_usd=D("0.06"), cost_unit="second")),
    # Image fast: Stability (Core, SDXL); its fast upscaler for the upscale kind.
    ("Stability AI", "core", "Stable Image Core", "image", "fast",
     dict(cap_t2i=True, priority=5, est_cost_usd=D("0.03"), cost_unit="image")),
    ("Stability AI", "stable-diffusion-xl-1024-v1-0", "SDXL 1.0", "image", "fast",
     dict(cap_t2i=True, cap_i2i=True, priority=6, est_cost_usd=D("0.002"), cost_unit="image")),
    ("Stability AI", "fast", "Stability Fast Upscaler", "image", "fast",
     dict(cap_upscale=True, priority=50, est_cost_usd=D("0.01"), cost_unit="image")),
    # Image premium: DALL-E 3 (hd) beside GPT Image 1; Imagen 3 on Vertex AI.
    ("OpenAI", "dall-e-3", "DALL-E 3", "image", "premium",
     dict(cap_t2i=True, priority=18, est_cost_usd=D("0.08"), cost_unit="image",
          config={"quality": "hd", "sizes": {"square": "1024x1024", "wide": "1792x1024", "tall": "1024x1792"}})),
    ("Google Vertex AI", "imagen-3.0-generate-002", "Imagen 3", "image", "premium",
     dict(cap_t2i=True, priority=22, est_cost_usd=D("0.04"), cost_unit="image")),
    # Voices (type audio, text to speech) and lip-sync (a video model with the lip-sync capability).
    (OFFLINE, "local-speech", gettext_noop("Offline voices (eSpeak NG)"), "audio", "fast",
     dict(cap_tts=True, is_default=True, priority=1000)),
    (OFFLINE, "local-lipsync", gettext_noop("Offline lip-sync preview"), "video", "fast",
     dict(cap_lipsync=True, cap_lipsync_video=True, priority=1000)),
    ("OpenAI", "gpt-4o-mini-tts", "GPT-4o mini TTS", "audio", "fast",
     dict(cap_tts=True, priority=10, est_cost_usd=D("0.00025"), cost_unit="second")),
    ("Google", "gemini-2.5-flash-preview-tts", "Gemini 2.5 Flash TTS", "audio", "fast",
     dict(cap_tts=True, priority=12, est_cost_usd=D("0.0003"), cost_unit="second")),
    ("ElevenLabs", "eleven_multilingual_v2", "ElevenLabs Multilingual v2", "audio", "premium",
     dict(cap_tts=True, priority=15, est_cost_usd=D("0.003"), cost_unit="second")),
    # Pinned version: a photo and a sound in (source_image, driven_audio), an MP4 out.
    ("Replicate", "cjwbw/sadtalker:3aa3dac9353cc4d6bd62a8f95957bd844003b401ca4e4a9b33baa574c549d376", "SadTalker",
     "video", "fast", dict(cap_lipsync=True, priority=20, est_cost_usd=D("0.01"), cost_unit="second")),
]


def seed(Provider, AIModel, *, environ=None, encrypt=None) -> dict[str, int]:
    """Creates what is missing; never changes what the superadmin edited. A vendor key found in
    the environment (OPENAI_API_KEY, ...) is stored encrypted when its provider is first created."""
    counts = {"providers": 0, "models": 0}
    environ = environ or {}
    providers = {}
    for row in PROVIDERS:
        row = dict(row)
        env_key = row.pop("env_key", None)
        provider = Provider.objects.filter(name=row["name"]).first()
        if provider is None and row["kind"] not in [k for k, _ in Provider._meta.get_field("kind").choices]:
            continue  # an older schema (a data migration that ran before the kind existed)
        if provider is None:
            key = environ.get(env_key, "") if env_key else ""
            provider = Provider.objects.create(**row, api_key_encrypted=encrypt(key) if key and encrypt else "")
            counts["providers"] += 1
        providers[row["name"]] = provider
    known = {f.name for f in AIModel._meta.get_fields()}
    for provider_name, model_id, display, type_, tier, fields in MODELS:
        provider = providers.get(provider_name)
        if provider is None:
            continue  # a provider kind an older migration's model lacks
        if AIModel.objects.filter(provider=provider, model_id=model_id).exists():
            continue
        if fields.get("is_default") and AIModel.objects.filter(type=type_, is_default=True).exists():
            fields = {**fields, "is_default": False}
        if not {name.split("__")[0] for name in fields} <= known:
            continue  # a field this (historical) schema does not have yet: a later migration seeds it
        AIModel.objects.create(provider=provider, model_id=model_id, display_name=display, type=type_, tier=tier,
                               enabled=provider.enabled, **fields)
        counts["models"] += 1
    return counts
