"""Replicate through the official `replicate` client: predictions for images, image-to-video and text."""

import time
from collections.abc import Iterator

import httpx
import replicate
from django.utils.translation import gettext_noop
from replicate.client import RetryTransport
from replicate.exceptions import ReplicateError, ReplicateException

from . import downloads, errors, payloads
from .base import (
    Adapter,
    ImageRequest,
    ImageResult,
    LipSyncRequest,
    ProviderConfig,
    ProviderError,
    TextRequest,
    UpscaleRequest,
    Usage,
    VideoJob,
    VideoRequest,
)

REPLICATE_URL = "https://api.replicate.com"
TERMINAL = {"succeeded", "failed", "canceled"}
# Words in a failed prediction's error that mean a safety checker refused the input or output.
SAFETY_MARKERS = ("nsfw", "sensitive", "safety", "content policy", "flagged", "e005")
# Replicate models name their inputs differently; these are the common names. Override them per
# provider in config.config, or per model in config.config["models"][model_id], e.g.
# {"models": {"black-forest-labs/flux-kontext-pro": {"image_key": "input_image", "strength_key": ""}}}.
DEFAULT_OPTIONS = {
    "image_key": "image",  # one reference image (image-to-image)
    "images_key": "image_input",  # several reference images
    "strength_key": "prompt_strength",  # "" when the model has no such input
    "size": "aspect_ratio",  # or "width_height"
    "video_image_key": "image",
    "duration_key": "duration",
    "upscale_image_key": "image",  # upscalers (Real-ESRGAN: image, scale)
    "scale_key": "scale",
    "lipsync_image_key": "source_image",  # lip-sync: the face...
    "lipsync_audio_key": "driven_audio",  # ...and the sound
    # A lip-sync model that takes a video face names its input here (e.g. "video" or "face");
    # "" (SadTalker's case): it takes a picture only, and a video face is refused.
    "lipsync_video_key": "",
    "input": {},  # extra fixed inputs, e.g. {"output_format": "png"}
    "poll_interval": 1.0,  # seconds between polls while waiting for a prediction
}


class ReplicateAdapter(Adapter):
    """Images: a prediction created with `Prefer: wait`, then polled (`reload`) until it ends or
    config.timeout passes (then it is cancelled); the output URL is downloaded and the bytes
    returned. Video: `start_video` creates the prediction (with a webhook when
    config.config["webhook_url"] is set) and `poll_video` reloads it, downloading the MP4 once it
    succeeds. Text: language models run as one prediction and their output list is yielded as
    chunks once it finishes (no token streaming), then Usage from the prediction's metrics.

    The client's own retry transport is limited to one attempt: the router owns retries."""

    kind = "replicate"
    vendor = "Replicate"

    def __init__(self, config: ProviderConfig):
        super().__init__(config)
        self._client: replicate.Client | None = None
        self._error_headers: httpx.Headers | None = None

    @property
    def client(self) -> replicate.Client:
        if self._client is None:
            if not self.config.api_key:
                raise errors.missing_key(self.vendor)
            client = replicate.Client(
                api_token=self.config.api_key,
                base_url=self.config.base_url or REPLICATE_URL,
                timeout=httpx.Timeout(self.config.timeout),
                # ReplicateError keeps no headers; this keeps Retry-After for a 429.
                event_hooks={"response": [self._remember_error_headers]},
            )
            # The client always wraps its transport in RetryTransport (ten attempts for GETs on
            # 429/503/504) and has no option for it, so the attempt count is set here.
            transport = client._client._transport
            if isinstance(transport, RetryTransport):
                transport.max_attempts = 1
            self._client = client
        return self._client

    def _remember_error_headers(self, response: httpx.Response):
        if response.status_code >= 400:
            self._error_headers = response.headers

    def _options(self, model_id: str) -> dict:
        settings = self.config.config
        per_model = (settings.get("models") or {}).get(model_id) or {}
        return {key: per_model.get(key, settings.get(key, default)) for key, default in DEFAULT_OPTIONS.items()}

    def generate_text(self, model_id: str, request: TextRequest) -> Iterator[str | Usage]:
        options = self._options(model_id)
        turns = payloads.conversation(request)
        if len(turns) == 1:
            prompt = turns[0]["content"]
        else:  # language models on Replicate take one prompt string: send the conversation as a transcript
            prompt = "\n\n".join(f"{turn['role'].capitalize()}: {turn['content']}" for turn in turns) + "\n\nAssistant:"
        model_input = {"prompt": prompt, "max_tokens": request.max_tokens, "temperature": request.temperature,
                       **options["input"]}
        if request.system:
            model_input["system_prompt"] = request.system
        prediction = self._run(model_id, model_input, options)
        output = prediction.output
        for chunk in output if isinstance(output, list) else [output]:
            if chunk:
                yield str(chunk)
        metrics = prediction.metrics or {}
        yield Usage(input_tokens=int(metrics.get("input_token_count") or 0),
                    output_tokens=int(metrics.get("output_token_count") or 0), request_id=prediction.id)

    def generate_image(self, model_id: str, request: ImageRequest) -> ImageResult:
        options = self._options(model_id)
        model_input = {"prompt": request.prompt, **options["input"]}
        if options["size"] == "width_height":
            model_input.update(width=request.width, height=request.height)
        else:
            model_input["aspect_ratio"] = payloads.aspect_ratio(request.width, request.height)
        if len(request.references) == 1:
            model_input[options["image_key"]] = payloads.data_uri(request.references[0])
            if options["strength_key"]:
                model_input[options["strength_key"]] = request.strength
        elif request.references:
            model_input[options["images_key"]] = [payloads.data_uri(data) for data in request.references]
        prediction = self._run(model_id, model_input, options)
        data, _ = self._download_output(prediction)
        data, mime = downloads.checked_image(data, vendor=self.vendor)  # an image, and not a huge one
        width, height = payloads.image_size(data)
        return ImageResult(data=data, mime=mime, width=width, height=height, request_id=prediction.id)

    def upscale_image(self, model_id: str, request: UpscaleRequest) -> ImageResult:
        """An upscaler's prediction (e.g. Real-ESRGAN: `image`, `scale`), waited for and polled like
        an image; the output URL downloaded."""
        options = self._options(model_id)
        model_input = {options["upscale_image_key"]: payloads.data_uri(request.image), **options["input"]}
        if options["scale_key"]:
            model_input[options["scale_key"]] = request.scale
        prediction = self._run(model_id, model_input, options)
        data, mime = self._download_output(prediction)
        width, height = payloads.image_size(data)
        return ImageResult(data=data, mime=mime, width=width, height=height, request_id=prediction.id)

    def start_video(self, model_id: str, request: VideoRequest) -> VideoJob:
        options = self._options(model_id)
        model_input = {options["video_image_key"]: payloads.data_uri(request.image),
                       options["duration_key"]: request.duration, **options["input"]}
        if request.prompt:
            model_input["prompt"] = request.prompt
        params = {}
        if self.config.config.get("webhook_url"):
            params = {"webhook": self.config.config["webhook_url"], "webhook_events_filter": ["completed"]}
        with self._translated():
            prediction = self._create(model_id, model_input, wait=False, **params)
        return self._video_job(prediction, options)

    def start_lipsync(self, model_id: str, request: LipSyncRequest) -> VideoJob:
        """A lip-sync prediction (face image or video + sound), followed like a video: webhook and
        poll_video. A video face goes to the model's `lipsync_video_key` input; a model without
        one takes pictures only and is refused a video (permanent, "unsupported")."""
        options = self._options(model_id)
        if request.video:
            if not options["lipsync_video_key"]:
                raise ProviderError(gettext_noop("This lip-sync model takes a picture as the face, not a video."),
                                    permanent=True, code="unsupported",
                                    detail=f"{model_id}: no lipsync_video_key in the model's options")
            face = {options["lipsync_video_key"]: payloads.data_uri(request.video)}
        else:
            face = {options["lipsync_image_key"]: payloads.data_uri(request.image)}
        model_input = {**face, options["lipsync_audio_key"]: payloads.audio_data_uri(request.audio), **options["input"]}
        params = {}
        if self.config.config.get("webhook_url"):
            params = {"webhook": self.config.config["webhook_url"], "webhook_events_filter": ["completed"]}
        with self._translated():
            prediction = self._create(model_id, model_input, wait=False, **params)
        return self._video_job(prediction, options)

    def poll_video(self, model_id: str, job_id: str) -> VideoJob:
        with self._translated():
            prediction = self.client.predictions.get(job_id)
        return self._video_job(prediction, self._options(model_id))

    def test_connection(self) -> str:
        with self._translated():
            account = self.client.accounts.current()
        return f"OK: signed in as {account.username}"

    def _create(self, model_id: str, model_input: dict, *, wait: bool, **params) -> replicate.prediction.Prediction:
        owner_name, _, version = model_id.partition(":")
        if owner_name.count("/") != 1:
            raise errors.misconfigured(self.vendor, f"model id {model_id!r} is not owner/name[:version]")
        if wait:  # Replicate holds the request open for up to 60 s
            params["wait"] = min(60, max(1, int(self.config.timeout)))
        if version:
            return self.client.predictions.create(version=version, input=model_input, **params)
        return self.client.models.predictions.create(model=owner_name, input=model_input, **params)

    def _run(self, model_id: str, model_input: dict, options: dict) -> replicate.prediction.Prediction:
        """The finished prediction; raises ProviderError if it failed or outlived config.timeout."""
        deadline = time.monotonic() + self.config.timeout
        with self._translated():
            prediction = self._create(model_id, model_input, wait=True)
            while prediction.status not in TERMINAL:
                if time.monotonic() >= deadline:
                    self._cancel(prediction)
                    raise ProviderError(errors.TIMEOUT, permanent=False, code="timeout",
                                        detail=f"{self.vendor}: prediction {prediction.id} still {prediction.status} "
                                               f"after {self.config.timeout:g}s; cancelled")
                time.sleep(float(options["poll_interval"]))
                prediction.reload()
        if prediction.status != "succeeded":
            raise self._failure(prediction)
        return prediction

    def _cancel(self, prediction):
        try:
            prediction.cancel()
        except (ReplicateException, *errors.TRANSPORT_ERRORS):
            pass  # best effort: the timeout is what the caller needs to hear about

    def _video_job(self, prediction, options: dict) -> VideoJob:
        if prediction.status == "succeeded":
            data, mime = self._download_output(prediction)
            try:
                duration = float((prediction.input or {}).get(options["duration_key"]) or 0)
            except (TypeError, ValueError):
                duration = 0.0
            return VideoJob(job_id=prediction.id, status="succeeded", progress=100, data=data,
                            mime=mime if mime.startswith("video/") else "video/mp4", request_id=prediction.id,
                            duration=duration)
        if prediction.status in ("failed", "canceled"):
            return VideoJob(job_id=prediction.id, status="failed", error=self._failure(prediction),
                            request_id=prediction.id)
        progress = prediction.progress
        return VideoJob(job_id=prediction.id, status="running", request_id=prediction.id,
                        progress=min(99, int(progress.percentage * 100)) if progress else 0)

    def _download_output(self, prediction) -> tuple[bytes, str]:
        output = prediction.output
        if isinstance(output, dict):
            output = list(output.values())
        urls = [item for item in (output if isinstance(output, list) else [output]) if isinstance(item, str)]
        if not urls:
            raise errors.no_output(vendor=self.vendor, detail=f"prediction {prediction.id} has no output URL")
        return downloads.download(urls[0], timeout=self.config.timeout, vendor=self.vendor)

    def _failure(self, prediction) -> ProviderError:
        detail = f"prediction {prediction.id} {prediction.status}: {prediction.error or ''}"
        if any(marker in str(prediction.error or "").lower() for marker in SAFETY_MARKERS):
            return errors.content_policy(vendor=self.vendor, detail=detail, secret=self.config.api_key)
        return ProviderError(errors.GENERATION_FAILED, permanent=False, code=f"prediction_{prediction.status}",
                             detail=errors.scrub(f"{self.vendor}: {detail}", self.config.api_key))

    def _translated(self):
        return errors.translating(self._error, (ReplicateException, *errors.TRANSPORT_ERRORS))

    def _error(self, exc: Exception) -> ProviderError:
        secret = self.config.api_key
        if isinstance(exc, ReplicateError):
            headers, self._error_headers = self._error_headers, None
            return errors.status_error(vendor=self.vendor, status=exc.status, message=f"{exc.title}: {exc.detail}",
                                      exc_name=type(exc).__name__, headers=headers, secret=secret)
        if errors.is_transport_error(exc):
            return errors.transport_error(exc, vendor=self.vendor, secret=secret)
        return errors.misconfigured(self.vendor, errors.scrub(f"{type(exc).__name__}: {exc}", secret))
