"""Stability AI over its REST API with httpx: Stable Image (Core, Ultra, SD 3.5) and SDXL 1.0
text-to-image, image-to-image with a strength, and the upscalers.

There is no maintained official Python SDK for the v2beta API (stability-sdk speaks the retired
gRPC API). Requests are multipart forms with `Authorization: Bearer <key>` and
`Accept: image/*`; a success is the image bytes themselves (a `finish-reason: CONTENT_FILTERED`
header means the picture was blurred by the moderation). Errors are JSON:
`{"name": "content_moderation" | "payment_required" | "rate_limit_exceeded" | ..., "errors": [...]}`.

Which endpoint answers depends on the model id:
    core, ultra                       v2beta/stable-image/generate/<id> (Core: prompt only)
    sd3.5-large, sd3.5-medium, ...    v2beta/stable-image/generate/sd3 with model=<id>
    stable-diffusion-xl-1024-v1-0     v1/generation/<id>/text-to-image | image-to-image
    fast, conservative                v2beta/stable-image/upscale/<id> (upscale_image)"""

import httpx

from . import downloads, errors, payloads
from .base import (
    Adapter,
    ImageRequest,
    ImageResult,
    ProviderConfig,
    ProviderError,
    UpscaleRequest,
)

STABILITY_URL = "https://api.stability.ai"
V2_ASPECT_RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
SDXL_SIZES = {f"{w}x{h}": (w, h) for w, h in [(1024, 1024), (1152, 896), (896, 1152), (1216, 832), (832, 1216),
                                              (1344, 768), (768, 1344), (1536, 640), (640, 1536)]}
UPSCALERS = ("fast", "conservative")


class StabilityAdapter(Adapter):
    kind = "stability"
    vendor = "Stability AI"

    def __init__(self, config: ProviderConfig):
        super().__init__(config)
        self.base_url = (config.base_url or STABILITY_URL).rstrip("/")

    def generate_image(self, model_id: str, request: ImageRequest) -> ImageResult:
        if len(request.references) > 1:
            raise errors.no_references(self.vendor, f"{model_id} (several references)")
        reference = request.references[0] if request.references else None
        output_format = self.config.model_options(model_id).get("output_format", "png")
        if model_id.startswith("stable-diffusion"):
            return self._sdxl(model_id, request, reference)
        fields = {"prompt": request.prompt, "output_format": output_format}
        if model_id == "core":
            if reference is not None:
                raise errors.no_references(self.vendor, model_id)
            path = "v2beta/stable-image/generate/core"
        elif model_id == "ultra":
            path = "v2beta/stable-image/generate/ultra"
        else:
            path = "v2beta/stable-image/generate/sd3"
            fields["model"] = model_id
            fields["mode"] = "image-to-image" if reference is not None else "text-to-image"
        files = {}
        if reference is not None:
            files["image"] = ("reference.png", reference, payloads.sniff_mime(reference) or "image/png")
            fields["strength"] = request.strength
        else:
            fields["aspect_ratio"] = payloads.aspect_ratio(request.width, request.height, V2_ASPECT_RATIOS)
        return self._image(path, fields=fields, files=files)

    def upscale_image(self, model_id: str, request: UpscaleRequest) -> ImageResult:
        if model_id not in UPSCALERS:
            raise errors.misconfigured(self.vendor, f"{model_id!r} is not an upscaler ({', '.join(UPSCALERS)})")
        fields = {"output_format": self.config.model_options(model_id).get("output_format", "png")}
        if model_id == "conservative":
            fields["prompt"] = request.prompt or "same picture, sharper"
        files = {"image": ("image.png", request.image, payloads.sniff_mime(request.image) or "image/png")}
        return self._image(f"v2beta/stable-image/upscale/{model_id}", fields=fields, files=files)

    def test_connection(self) -> str:
        response = self._send("GET", "v1/user/balance", accept="application/json")
        try:
            credits = response.json()["credits"]
        except (ValueError, KeyError, TypeError):
            raise _malformed("balance answer without credits", self.config.api_key) from None
        return f"OK: {credits} credits left"

    # --- requests ---------------------------------------------------------------------------

    def _sdxl(self, engine: str, request: ImageRequest, reference: bytes | None) -> ImageResult:
        if reference is None:
            size = SDXL_SIZES[payloads.nearest_size(request.width, request.height, SDXL_SIZES)]
            body = {"text_prompts": [{"text": request.prompt, "weight": 1}], "width": size[0], "height": size[1],
                    "samples": 1}
            return self._image(f"v1/generation/{engine}/text-to-image", json=body, accept="image/png")
        fields = {"text_prompts[0][text]": request.prompt, "text_prompts[0][weight]": 1, "samples": 1,
                  "init_image_mode": "IMAGE_STRENGTH", "image_strength": round(1 - request.strength, 3)}
        files = {"init_image": ("reference.png", reference, payloads.sniff_mime(reference) or "image/png")}
        return self._image(f"v1/generation/{engine}/image-to-image", fields=fields, files=files, accept="image/png")

    def _image(self, path: str, *, fields: dict | None = None, files: dict | None = None, json: dict | None = None,
               accept: str = "image/*") -> ImageResult:
        if json is None and not files:
            files = {"none": ("", b"")}  # the v2beta endpoints take multipart forms only
        response = self._send("POST", path, data=fields, files=files, json=json, accept=accept)
        finish = response.headers.get("finish-reason", "SUCCESS").upper()
        if finish == "CONTENT_FILTERED":
            raise errors.content_policy(vendor=self.vendor, detail=f"{path}: finish-reason CONTENT_FILTERED")
        if finish == "ERROR":
            raise ProviderError(errors.GENERATION_FAILED, permanent=False, code="generation_failed",
                                detail=f"{self.vendor}: {path} finish-reason ERROR")
        data, mime = downloads.checked_image(response.content, vendor=self.vendor)
        width, height = payloads.image_size(data)
        return ImageResult(data=data, mime=mime, width=width, height=height,
                           request_id=response.headers.get("x-request-id", "") or response.headers.get("seed", ""))

    def _send(self, method: str, path: str, *, accept: str, data=None, files=None, json=None) -> httpx.Response:
        if not self.config.api_key:
            raise errors.missing_key(self.vendor)
        secret = self.config.api_key
        headers = {"authorization": f"Bearer {secret}", "accept": accept}
        try:
            with httpx.Client(timeout=self.config.timeout) as client, client.stream(
                    method, f"{self.base_url}/{path}", headers=headers, data=data, files=files, json=json) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > downloads.MAX_IMAGE_BYTES:
                        raise ProviderError(errors.BAD_OUTPUT, permanent=True, code="bad_output",
                                            detail=f"{self.vendor}: answer larger than {downloads.MAX_IMAGE_BYTES} bytes")
                    chunks.append(chunk)
        except httpx.TransportError as exc:
            raise errors.transport_error(exc, vendor=self.vendor, secret=secret) from None
        response = httpx.Response(response.status_code, headers=response.headers, content=b"".join(chunks))
        if response.status_code >= 400:
            raise self._status_error(response)
        return response

    def _status_error(self, response: httpx.Response) -> ProviderError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        name = str(body.get("name") or "")
        found = body.get("errors") or body.get("message") or ""
        message = "; ".join(map(str, found)) if isinstance(found, list) else str(found)
        status = response.status_code
        if status == 429 and not response.headers.get("retry-after"):
            retry = 60.0  # Stability's documented time-out after going over the rate limit
        else:
            retry = None
        if name in ("insufficient_balance", "payment_required"):
            status = 402
        return errors.status_error(vendor=self.vendor, status=status, message=message, code=name, exc_name="HTTPError",
                                   headers=response.headers, secret=self.config.api_key, retry_after_s=retry)


def _malformed(what: str, secret: str) -> ProviderError:
    return ProviderError(errors.UNAVAILABLE, permanent=False, code="malformed",
                         detail=errors.scrub(f"Stability AI: malformed answer: {what}", secret))
