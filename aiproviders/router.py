"""Turns "generate this" into calls to the right model, with retry, fallback and a usage log.

    quote(...)          → credits for a generation (the model's own cost or the default rule)
    stream_text(...)    → iterator of text chunks, then one Usage
    generate_image(...) → (ImageResult, AIModel used)
    upscale_image(...)  → (ImageResult, AIModel used)   (models with the "upscale" capability)
    start_video(...)    → (VideoJob, AIModel used);  poll_video(...) → VideoJob
    speak(...)          → (SpeechResult, AIModel used);  voices(model) → [Voice]
    start_lipsync(...)  → (VideoJob, AIModel used), then poll_video like a video

Each attempt is one UsageLog row. A transient error is retried once after a short backoff on
the same model, then the next enabled model of the same type and capability is tried — never
one that costs more credits than the caller quoted. A model that failed transiently sits out a
short cooldown. Permanent errors (auth, bad request, policy, unsupported) stop at once.
Nothing here holds a database transaction while a vendor is called."""

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from credits.pricing import quote as credits_quote
from modo import catalog
from modo.http import absolute_url

from .adapters import ProviderConfig, ProviderError, adapter_for
from .adapters.base import (
    ImageRequest,
    ImageResult,
    LipSyncRequest,
    SpeechRequest,
    SpeechResult,
    TextRequest,
    UpscaleRequest,
    Usage,
    VideoJob,
    VideoRequest,
    Voice,
)
from .models import AIModel, Provider, UsageLog
from .webhooks import REPLICATE_WEBHOOK_PATH

log = logging.getLogger(__name__)

CAPABILITY_FOR_TYPE = {"text": "", "image": "t2i", "video": "i2v", "audio": "tts"}
# A capability priced by its own cost rule rather than its model type's (credits.pricing kinds).
# A lip-sync from a video face is priced as any lip-sync (per started 10 s of the sound).
PRICING_KIND = {"lipsync": "lipsync", "lipsync_video": "lipsync"}


@dataclass
class Call:
    """Who asks for what. `model` is the creator's choice (None: the default of type/tier);
    `max_credits` is what the caller quoted and holds: fallbacks never cost more. `settle` (text
    only): the caller's own bookkeeping once the text is complete, run in the transaction that
    writes the usage row, returning the credits it charged (kept on that row): one commit for
    both instead of one each."""

    type: str
    capability: str = ""
    tier: str = ""
    model: AIModel | None = None
    max_credits: int | None = None
    params: dict = field(default_factory=dict)
    user: object = None
    reference: str = ""
    settle: Callable[[], int] | None = None


def config_for(provider: Provider, model: AIModel | None = None) -> ProviderConfig:
    """The adapter's configuration: the provider's, decrypted secrets, and the model row's own
    options as config["models"][model_id] (where the adapters look for per-model options)."""
    config = dict(provider.config or {})
    if model is not None and model.config:
        per_model = dict(config.get("models") or {})
        per_model[model.model_id] = {**(per_model.get(model.model_id) or {}), **model.config}
        config["models"] = per_model
    # Replicate calls us back when a video is done (aiproviders.webhook_api), if we can check its
    # signature and it can reach us; a webhook_url set on the provider wins.
    if (provider.kind == Provider.Kind.REPLICATE and not config.get("webhook_url")
            and settings.REPLICATE_WEBHOOK_SECRET and settings.SITE_URL.startswith("https://")):
        config["webhook_url"] = absolute_url(REPLICATE_WEBHOOK_PATH)
    return ProviderConfig(
        kind=provider.kind, api_key=provider.api_key(), base_url=provider.base_url,
        timeout=float(provider.timeout_seconds), config=config, credentials=provider.credentials(),
    )


def default_model(*, type: str, tier: str = "") -> AIModel | None:
    """The model a request of `type` (and `tier`) gets when it names none, from the configuration
    catalog (no query)."""
    return _default_of([m for m in catalog.snapshot().models if m.type == type], tier)


def _rank(model: AIModel) -> tuple:
    """The order a default is chosen in, then priority: a vendor's explicit default, the other
    vendor models, the offline default, the other offline models. So the offline provider is
    the default of a type until a vendor model of that type is enabled: pasting a key and
    enabling the vendor is all it takes for the seeded priorities to apply."""
    local = model.provider.kind == Provider.Kind.LOCAL
    return (2 * local + (not model.is_default), model.priority, model.id)


def _default_of(models: list[AIModel], tier: str) -> AIModel | None:
    """The first model of `tier` (else the first at all) in default-then-priority order."""
    models = sorted(models, key=_rank)
    if tier:
        return next((m for m in models if m.tier == tier), None) or (models[0] if models else None)
    return models[0] if models else None


def quote(*, type: str, model: AIModel | None = None, tier: str = "", params: dict | None = None,
          capability: str = "") -> int:
    """Credits for one generation with `model` (or the default model of `type`/`tier` — with
    `capability` when given — as the configuration catalog has it: no query on the request path)."""
    model = model or _default_of([m for m in catalog.snapshot().models
                                  if m.type == type and (not capability or m.supports(capability))], tier)
    params = dict(params or {})
    if type == "image":
        params.setdefault("variant", "i2i" if params.get("references") else "t2i")
    return credits_quote(PRICING_KIND.get(capability, type), model=model, params=params)


def candidates(call: Call, now=None) -> list[AIModel]:
    """The models to try, in order: the requested (or default) one, then its fallbacks — the
    enabled models as the configuration catalog has them (no query: a model disabled, or put in
    a cooldown, is seen by every process within a second; modo/catalog.py)."""
    now = now or timezone.now()
    capability = call.capability or CAPABILITY_FOR_TYPE.get(call.type, "")
    pool = sorted((m for m in catalog.snapshot().models if m.type == call.type), key=lambda m: (m.priority, m.id))
    first = _default_of(pool, call.tier) if call.model is None else _chosen(call, pool)
    ordered = ([first] if first else []) + [m for m in pool if not first or m.pk != first.pk]
    chosen = []
    for model in ordered:
        if not model.supports(capability) or model.in_cooldown(now):
            continue
        if model is not first and call.max_credits is not None and _credits(call, model) > call.max_credits:
            continue
        chosen.append(model)
    return chosen


def _chosen(call: Call, pool: list[AIModel]) -> AIModel | None:
    """The creator's choice as the catalog has it now (one disabled since they chose it is not
    tried). A choice this process's catalog does not hold yet (switched on in the last second) is
    read live: what the creator asked for is tried whenever it is on."""
    in_catalog = next((m for m in pool if m.pk == call.model.pk), None)
    return in_catalog or AIModel.objects.select_related("provider").filter(
        pk=call.model.pk, type=call.type, enabled=True, provider__enabled=True).first()


def multi_reference_model(*, count: int) -> AIModel | None:
    """The model the router would pick for `count` reference pictures sent as they are (a
    multi-reference model that takes that many), or None: then they go as one composited grid."""
    return next((m for m in candidates(Call(type="image", capability="multi_reference"))
                 if m.max_references >= count), None)


def _credits(call: Call, model: AIModel) -> int:
    try:
        return quote(type=call.type, model=model, params=call.params, capability=call.capability)
    except Exception:  # a model whose cost cannot be computed is not a safe fallback
        return 10**9


class _Attempts:
    """Each candidate model once, plus one retry after a transient error (with a short backoff).
    A model whose retry failed too sits out a cooldown."""

    def __init__(self, call: Call):
        self.models = candidates(call)
        if not self.models:
            raise ProviderError(
                gettext_noop("No AI model is available for this right now. Please try again in a minute."), permanent=False,
                code="no_model", detail=f"no enabled {call.type} model with capability {call.capability or '-'}",
            )
        self.last_error: ProviderError | None = None

    def __iter__(self) -> Iterator[tuple[AIModel, int]]:
        attempt = 0
        for model in self.models:
            for retry in (False, True):
                if retry:
                    if self.last_error is None or self.last_error.permanent:
                        break
                    time.sleep(min(settings.AI_RETRY_BACKOFF_SECONDS, self.last_error.retry_after or 1e9))
                attempt += 1
                self.retrying = retry
                yield model, attempt

    def failed(self, model: AIModel, error: ProviderError) -> None:
        self.last_error = error
        if self.retrying and not error.permanent:
            _cool_down(model)


def _cool_down(model: AIModel) -> None:
    """The model sits out AI_MODEL_COOLDOWN_SECONDS: on its row, and in every process's catalog."""
    until = timezone.now() + timezone.timedelta(seconds=settings.AI_MODEL_COOLDOWN_SECONDS)
    AIModel.objects.filter(pk=model.pk).update(cooldown_until=until)
    model.cooldown_until = until
    catalog.changed()


def _est_cost(model: AIModel, *, tokens: int = 0, seconds: float = 0) -> Decimal:
    unit = model.est_cost_usd or Decimal(0)
    if model.cost_unit == AIModel.CostUnit.PER_1K_TOKENS:
        return unit * Decimal(tokens) / 1000
    if model.cost_unit == AIModel.CostUnit.PER_SECOND:
        return unit * Decimal(str(seconds))
    return unit


def _log(call: Call, model: AIModel, *, attempt: int, status: str, started: float, error: ProviderError | None = None,
         ended: float | None = None, **fields) -> UsageLog:
    return UsageLog.objects.create(
        user=call.user if getattr(call.user, "pk", None) else None,
        provider_id=model.provider_id, model=model, kind=call.type, attempt=attempt, status=status,
        latency_ms=int(((ended or time.monotonic()) - started) * 1000), reference=call.reference[:120],
        error_class=(error.code if error else "")[:80], error_message=(error.detail if error else "")[:500],
        **fields,
    )


def _run(call: Call, work):
    """Calls `work(adapter, model)` through the attempts; returns (result, model, usage_log)."""
    attempts = _Attempts(call)
    for model, attempt in attempts:
        started = time.monotonic()
        try:
            adapter = adapter_for(config_for(model.provider, model))
            result, fields = work(adapter, model)
        except ProviderError as exc:
            _log(call, model, attempt=attempt, status=UsageLog.Status.ERROR, started=started, error=exc)
            log.warning("ai %s %s attempt %s failed: %s", call.type, model.model_id, attempt, exc.detail)
            if exc.permanent:
                raise
            attempts.failed(model, exc)
            continue
        return result, model, _log(call, model, attempt=attempt, status=UsageLog.Status.OK, started=started, **fields)
    raise attempts.last_error


def generate_image(call: Call, request: ImageRequest) -> tuple[ImageResult, AIModel, UsageLog]:
    if request.references and call.capability in ("", "t2i"):
        call.capability = "multi_reference" if len(request.references) > 1 else "i2i"

    def work(adapter, model):
        if len(request.references) > max(model.max_references, 1):
            raise ProviderError(
                gettext_noop("This model accepts at most %(n)s reference images."), permanent=True, code="unsupported",
                params={"n": model.max_references},
            )
        result = adapter.generate_image(model.model_id, request)
        return result, {"request_id": result.request_id[:160], "est_cost_usd": _est_cost(model)}

    return _run(call, work)


def upscale_image(call: Call, request: UpscaleRequest) -> tuple[ImageResult, AIModel, UsageLog]:
    """Only models that can upscale are tried (an image generator never stands in for one)."""
    call.capability = "upscale"
    call.params = {"variant": "upscale", **call.params}

    def work(adapter, model):
        result = adapter.upscale_image(model.model_id, request)
        return result, {"request_id": result.request_id[:160], "est_cost_usd": _est_cost(model)}

    return _run(call, work)


def start_video(call: Call, request: VideoRequest) -> tuple[VideoJob, AIModel, UsageLog]:
    def work(adapter, model):
        if model.durations and request.duration not in model.durations:
            raise ProviderError(gettext_noop("This model cannot make a video of that length."), permanent=True, code="unsupported")
        job = adapter.start_video(model.model_id, request)
        return job, {"request_id": job.job_id[:160], "seconds": request.duration,
                     "est_cost_usd": _est_cost(model, seconds=request.duration)}

    return _run(call, work)


def speak(call: Call, request: SpeechRequest) -> tuple[SpeechResult, AIModel, UsageLog]:
    """One line of speech (type audio, capability tts), with the usual retry and fallback."""
    def work(adapter, model):
        result = adapter.speak(model.model_id, request)
        return result, {"request_id": result.request_id[:160], "seconds": result.duration,
                        "est_cost_usd": _est_cost(model, seconds=result.duration)}

    return _run(call, work)


def voices(*, model: AIModel) -> list[Voice]:
    """The voices `model` offers (the vendor is asked for those it lists; errors are the caller's)."""
    return adapter_for(config_for(model.provider)).voices(model.model_id)


def start_lipsync(call: Call, request: LipSyncRequest) -> tuple[VideoJob, AIModel, UsageLog]:
    """A talking video from a face and a sound (type video, capability lipsync — lipsync_video
    when the face is a video: only models that take one are tried); poll_video follows it."""
    call.capability = "lipsync_video" if request.video else "lipsync"

    def work(adapter, model):
        job = adapter.start_lipsync(model.model_id, request)
        return job, {"request_id": job.job_id[:160], "seconds": request.duration,
                     "est_cost_usd": _est_cost(model, seconds=request.duration)}

    return _run(call, work)


def poll_video(*, model: AIModel, job_id: str) -> VideoJob:
    """One poll of a running vendor job (the worker's loop calls this; errors are the caller's)."""
    return adapter_for(config_for(model.provider, model)).poll_video(model.model_id, job_id)


def _caches(model: AIModel) -> bool:
    """The identical-request cache: a text model's own switch (images and videos never)."""
    return model.type == AIModel.Type.TEXT and model.cache_ttl_seconds > 0


def _cache_key(model: AIModel, request: TextRequest) -> str:
    payload = json.dumps(
        [model.model_id, request.system, request.messages, request.prompt, request.max_tokens, request.temperature,
         request.context], sort_keys=True, default=str,
    )
    return f"ai:text:{model.pk}:{hashlib.sha256(payload.encode()).hexdigest()}"


def stream_text(call: Call, request: TextRequest) -> Iterator[str | Usage]:
    """Yields text chunks then one Usage. Falls back to another model only before the first chunk
    reached the caller; a stream cut off later raises ProviderError and is logged as partial."""
    attempts = _Attempts(call)
    for model, attempt in attempts:
        if _caches(model) and (cached := cache.get(_cache_key(model, request))) is not None:
            started = time.monotonic()
            yield cached
            _settle_and_log(call, model, attempt=attempt, status=UsageLog.Status.CACHED, started=started)
            yield Usage()
            return
        started, first_token_ms, parts, usage = time.monotonic(), None, [], Usage()
        try:
            adapter = adapter_for(config_for(model.provider, model))
            for item in adapter.generate_text(model.model_id, request):
                if isinstance(item, Usage):
                    usage = item
                    continue
                if first_token_ms is None:
                    first_token_ms = int((time.monotonic() - started) * 1000)
                parts.append(item)
                yield item
        except ProviderError as exc:
            status = UsageLog.Status.PARTIAL if parts else UsageLog.Status.ERROR
            _log(call, model, attempt=attempt, status=status, started=started, error=exc, first_token_ms=first_token_ms,
                 tokens_in=usage.input_tokens, tokens_out=usage.output_tokens or _estimate_tokens(parts))
            if exc.permanent or parts:
                raise
            attempts.failed(model, exc)
            continue
        except GeneratorExit:
            # The client went away mid-stream: what was produced is still recorded.
            gone = ProviderError(gettext_noop("The stream was closed."), permanent=False, code="disconnected", detail="client disconnected")
            _log(call, model, attempt=attempt, status=UsageLog.Status.PARTIAL, started=started, error=gone,
                 first_token_ms=first_token_ms, tokens_out=_estimate_tokens(parts))
            raise
        tokens = usage.input_tokens + usage.output_tokens
        if _caches(model):
            cache.set(_cache_key(model, request), "".join(parts), timeout=model.cache_ttl_seconds)
        # Last: once the caller's settlement has committed, nothing is left that could fail.
        _settle_and_log(call, model, attempt=attempt, status=UsageLog.Status.OK, started=started,
                        first_token_ms=first_token_ms, tokens_in=usage.input_tokens, tokens_out=usage.output_tokens,
                        request_id=usage.request_id[:160], est_cost_usd=_est_cost(model, tokens=tokens))
        yield usage
        return
    raise attempts.last_error


def _settle_and_log(call: Call, model: AIModel, **fields) -> None:
    """The usage row of a completed text, with the caller's settlement in the same transaction.
    Should the settlement fail, its part is rolled back and the row is still written (without
    credits): the vendor's work happened and is counted."""
    if call.settle is None:
        _log(call, model, **fields)
        return
    fields["ended"] = time.monotonic()  # the vendor's time, not the settlement's
    try:
        with transaction.atomic():
            _log(call, model, credits_charged=call.settle(), **fields)
    except Exception:
        _log(call, model, **fields)
        raise


def _estimate_tokens(parts: list[str]) -> int:
    return sum(len(p.split()) for p in parts)
