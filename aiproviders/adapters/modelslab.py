"""ModelsLab (Seedream 4.5 images, LTX 2 Pro image-to-video) over its REST API with httpx.

ModelsLab's official Python SDK (modelslab-py) sends through `requests` without timeouts and
turns every error into a bare Exception, so this adapter speaks the API directly: JSON bodies
that carry the key (`"key": ...`), answers with a `status` of `success` (with `output` URLs),
`processing` (with an `id` and an `eta` in seconds: the fetch endpoint is asked again) or
`error` / `failed` (with a `message`).

Images are waited for here (fetched until they end or config.timeout passes), like Replicate's.
Videos use the worker's start/poll flow: `start_video` returns the vendor id of a `processing`
job and `poll_video` asks the fetch endpoint once. Output URLs are downloaded without the key,
size capped and checked (an image must decode, a video must look like one): the creator is never
sent to the vendor's host.

Options (provider config, or per model in config["models"][model_id], which the router fills
from the model row's own options): endpoints, the name of the image field, the size field, and
the poll interval / size caps — see DEFAULT_OPTIONS."""

import time

import httpx
from django.utils.translation import gettext_noop

from . import downloads, errors, payloads
from .base import (
    Adapter,
    ImageRequest,
    ImageResult,
    ProviderConfig,
    ProviderError,
    VideoJob,
    VideoRequest,
)

MODELSLAB_URL = "https://modelslab.com/api"
DEFAULT_OPTIONS = {
    "t2i_endpoint": "v7/images/text-to-image",
    "i2i_endpoint": "v7/images/image-to-image",
    "image_fetch_endpoint": "v7/images/fetch/{id}",
    "i2v_endpoint": "v7/video-fusion/image-to-video",
    "video_fetch_endpoint": "v7/video-fusion/fetch/{id}",
    "image_key": "init_image",  # reference images, sent as a list of data URIs
    "strength_key": "strength",  # "" when the model has none
    "size": "aspect_ratio",  # or "width_height"
    "input": {},  # extra fixed fields, e.g. {"output_format": "png"}
    "poll_interval": 2.0,  # seconds between fetches of a processing image (the ETA, up to 10 s, when longer)
    "max_image_bytes": downloads.MAX_IMAGE_BYTES,
    "max_video_bytes": 200 * 1024 * 1024,
}
ASPECT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9")
FAILED = gettext_noop("The AI provider could not make this one. Your credits were not charged.")

# Words in an `error` message and what they mean (ModelsLab answers most errors with HTTP 200).
AUTH_WORDS = ("invalid api key", "invalid key", "api key is invalid", "unauthorized", "key not found")
QUOTA_WORDS = ("insufficient", "wallet", "balance", "subscription", "out of credit", "no credits", "upgrade your plan")
BUSY_WORDS = ("rate limit", "too many requests", "try again", "server is busy", "overloaded", "timeout", "timed out",
              "queue is full", "temporarily")
POLICY_WORDS = ("nsfw", "not safe", "content policy", "inappropriate", "safety", "prohibited")
NOT_FOUND_WORDS = ("model not found", "invalid model", "model_id is invalid", "no model")


class ModelsLabAdapter(Adapter):
    kind = "modelslab"
    vendor = "ModelsLab"

    def __init__(self, config: ProviderConfig):
        super().__init__(config)
        self.base_url = (config.base_url or MODELSLAB_URL).rstrip("/")

    # --- the three kinds of work ------------------------------------------------------------

    def generate_image(self, model_id: str, request: ImageRequest) -> ImageResult:
        options = self._options(model_id)
        body = {"model_id": model_id, "prompt": request.prompt, **options["input"]}
        if options["size"] == "width_height":
            body.update(width=request.width, height=request.height)
        else:
            body["aspect_ratio"] = payloads.aspect_ratio(request.width, request.height, ASPECT_RATIOS)
        endpoint = options["t2i_endpoint"]
        if request.references:
            endpoint = options["i2i_endpoint"]
            body[options["image_key"]] = [payloads.data_uri(data) for data in request.references]
            if options["strength_key"]:
                body[options["strength_key"]] = request.strength
        answer = self._post(endpoint, body)
        deadline = time.monotonic() + self.config.timeout
        while answer["status"] == "processing":
            if time.monotonic() >= deadline:
                raise ProviderError(errors.TIMEOUT, permanent=False, code="timeout",
                                    detail=f"{self.vendor}: image {answer.get('id')} still processing after "
                                           f"{self.config.timeout:g}s")
            time.sleep(self._delay(options, answer))
            answer = self._post(options["image_fetch_endpoint"].format(id=self._job_id(answer)), {})
        urls = self._output(answer)
        data, mime = downloads.download_image(urls[0], timeout=self.config.timeout, vendor=self.vendor,
                                              max_bytes=int(options["max_image_bytes"]))
        width, height = payloads.image_size(data)
        return ImageResult(data=data, mime=mime, width=width, height=height, request_id=str(answer.get("id") or ""))

    def start_video(self, model_id: str, request: VideoRequest) -> VideoJob:
        options = self._options(model_id)
        body = {"model_id": model_id, "init_image": payloads.data_uri(request.image), "duration": request.duration,
                **options["input"]}
        if request.prompt:
            body["prompt"] = request.prompt
        answer = self._post(options["i2v_endpoint"], body)
        return self._video_job(answer, options, duration=request.duration)

    def poll_video(self, model_id: str, job_id: str) -> VideoJob:
        options = self._options(model_id)
        try:
            answer = self._post(options["video_fetch_endpoint"].format(id=job_id), {})
        except ProviderError as error:
            if not error.permanent:
                raise
            return VideoJob(job_id=job_id, status="failed", error=error, request_id=job_id)
        return self._video_job(answer, options, job_id=job_id)

    def test_connection(self) -> str:
        answer = self._post("wallet_balance", {}, expect_status=False)
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        if answer.get("status") not in (None, "success") or "balance" not in data:
            raise self._answer_error(answer, during="start")
        return f"OK: wallet balance {data.get('balance')} {data.get('currency', '')}".strip()

    # --- HTTP -------------------------------------------------------------------------------

    def _options(self, model_id: str) -> dict:
        settings = self.config.config
        per_model = self.config.model_options(model_id)
        return {key: per_model.get(key, settings.get(key, default)) for key, default in DEFAULT_OPTIONS.items()}

    def _post(self, path: str, body: dict, *, expect_status: bool = True) -> dict:
        """The JSON answer of one POST (the key in the body); HTTP and transport errors, a body
        that is not JSON and an `error` answer all leave as ProviderError."""
        if not self.config.api_key:
            raise errors.missing_key(self.vendor)
        secret = self.config.api_key
        try:
            with httpx.Client(timeout=self.config.timeout) as client:
                response = client.post(f"{self.base_url}/{path.lstrip('/')}", json={"key": secret, **body},
                                       headers={"accept": "application/json"})
        except httpx.TransportError as exc:
            raise errors.transport_error(exc, vendor=self.vendor, secret=secret) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 400:
            message = _message(answer) if isinstance(answer, dict) else response.text[:200]
            raise errors.status_error(vendor=self.vendor, status=response.status_code, message=message,
                                      exc_name="HTTPError", headers=response.headers, secret=secret)
        if not isinstance(answer, dict):
            raise _malformed(f"HTTP {response.status_code} answer is not a JSON object", secret)
        if not expect_status:
            return answer
        status = str(answer.get("status") or "").lower()
        if status not in ("success", "processing", "error", "failed"):
            raise _malformed(f"unknown status {answer.get('status')!r}", secret)
        answer["status"] = status
        if status in ("error", "failed"):
            raise self._answer_error(answer, during="fetch" if not body else "start")
        return answer

    def _answer_error(self, answer: dict, *, during: str) -> ProviderError:
        """An `error` / `failed` answer: its message decides (ModelsLab documents no codes)."""
        message = _message(answer)
        lowered = message.lower()
        detail = errors.scrub(f"{self.vendor} {during} answered {answer.get('status')}: {message}", self.config.api_key)
        if any(word in lowered for word in AUTH_WORDS):
            return ProviderError(errors.AUTH, permanent=True, detail=detail, code="auth")
        if any(word in lowered for word in QUOTA_WORDS):
            return ProviderError(errors.QUOTA, permanent=True, detail=detail, code="quota")
        if any(word in lowered for word in POLICY_WORDS):
            return errors.content_policy(vendor=self.vendor, detail=detail)
        if any(word in lowered for word in BUSY_WORDS):
            return ProviderError(errors.RATE_LIMITED, permanent=False, detail=detail, code="rate_limited")
        if any(word in lowered for word in NOT_FOUND_WORDS):
            return ProviderError(errors.NOT_FOUND, permanent=True, detail=detail, code="not_found")
        if during == "start":
            return ProviderError(errors.BAD_REQUEST, permanent=True, detail=detail, code="bad_request")
        return ProviderError(FAILED, permanent=True, detail=detail, code="generation_failed")

    # --- answers ----------------------------------------------------------------------------

    def _job_id(self, answer: dict) -> str:
        job_id = answer.get("id")
        if job_id in (None, ""):
            raise _malformed("a processing answer without an id", self.config.api_key)
        return str(job_id)

    def _output(self, answer: dict) -> list[str]:
        output = answer.get("output")
        urls = [u for u in (output if isinstance(output, list) else [output]) if isinstance(u, str) and u]
        if not urls:
            raise errors.no_output(vendor=self.vendor, detail=f"success answer {answer.get('id')} has no output URL")
        return urls

    @staticmethod
    def _delay(options: dict, answer: dict) -> float:
        delay = float(options["poll_interval"])
        try:
            eta = float(answer.get("eta") or 0)
        except (TypeError, ValueError):
            eta = 0.0
        return min(max(delay, eta), 10.0) if delay > 0 else 0.0

    def _video_job(self, answer: dict, options: dict, *, job_id: str = "", duration: float = 0) -> VideoJob:
        job_id = job_id or self._job_id(answer)
        if answer["status"] == "processing":
            return VideoJob(job_id=job_id, status="running", progress=0, request_id=job_id)
        urls = self._output(answer)
        data, mime = downloads.download_video(urls[0], timeout=self.config.timeout, vendor=self.vendor,
                                              max_bytes=int(options["max_video_bytes"]))
        return VideoJob(job_id=job_id, status="succeeded", progress=100, data=data, mime=mime, request_id=job_id,
                        duration=float(duration or 0))


def _message(answer: dict) -> str:
    """ModelsLab's error text: `message` (sometimes `messege`), or a dict / list of them."""
    value = answer.get("message") or answer.get("messege") or answer.get("error") or ""
    if isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items())
    elif isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    return str(value)


def _malformed(what: str, secret: str) -> ProviderError:
    return ProviderError(errors.UNAVAILABLE, permanent=False, code="malformed",
                         detail=errors.scrub(f"ModelsLab: malformed answer: {what}", secret))
