"""Adapter registry: provider kind → adapter class. An explicit table; each vendor module (and
its SDK) is imported the first time a provider of that kind is used."""

from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from .base import Adapter, ProviderConfig, ProviderError  # noqa: F401

REGISTRY = {
    "local": "aiproviders.adapters.local.LocalAdapter",
    "openai": "aiproviders.adapters.openai.OpenAIAdapter",
    "openai_compatible": "aiproviders.adapters.openai.OpenAIAdapter",
    "anthropic": "aiproviders.adapters.anthropic.AnthropicAdapter",
    "google": "aiproviders.adapters.google.GoogleAdapter",
    "replicate": "aiproviders.adapters.replicate.ReplicateAdapter",
    "modelslab": "aiproviders.adapters.modelslab.ModelsLabAdapter",
    "stability": "aiproviders.adapters.stability.StabilityAdapter",
    "elevenlabs": "aiproviders.adapters.elevenlabs.ElevenLabsAdapter",
}


def adapter_for(config: ProviderConfig) -> Adapter:
    target = REGISTRY.get(config.kind)
    if target is None:
        raise ProviderError(gettext_noop("This AI provider is not supported."), permanent=True, code="unsupported",
                            detail=f"no adapter for kind {config.kind!r}")
    cls = import_string(target) if isinstance(target, str) else target
    return cls(config)
