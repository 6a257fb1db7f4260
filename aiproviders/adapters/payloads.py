"""What the vendor adapters put into requests and read from answers: the conversation as
alternating turns, the nearest supported size or aspect ratio, images as data URIs, and the media
type and pixel size of returned bytes."""

import base64
import io
import math
from collections.abc import Mapping

from .base import TextRequest


def sniff_mime(data: bytes) -> str:
    """The media type from the first bytes, for the formats vendors send back ("" when unknown)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[4:8] == b"ftyp":
        return "video/quicktime" if data[8:10] == b"qt" else "video/mp4"
    if data.startswith(b"\x1aE\xdf\xa3"):
        return "video/webm"
    return ""


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) read from the image header, (0, 0) if Pillow cannot tell."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return 0, 0


def data_uri(data: bytes) -> str:
    return f"data:{sniff_mime(data) or 'application/octet-stream'};base64,{base64.b64encode(data).decode()}"


def audio_data_uri(data: bytes, mime: str = "audio/wav") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def pcm_to_wav(pcm: bytes, rate: int) -> bytes:
    """Raw 16-bit little-endian mono PCM (what Gemini and ElevenLabs send) as a WAV file."""
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm[: len(pcm) // 2 * 2])
    return out.getvalue()


def conversation(request: TextRequest) -> list[dict]:
    """Earlier turns plus the prompt as [{"role": "user" | "assistant", "content": str}], oldest first.

    Empty turns are dropped and consecutive turns by the same speaker are joined, which every
    vendor accepts (Anthropic and Google reject two user turns in a row)."""
    turns: list[dict] = []
    for message in [*request.messages, {"role": "user", "content": request.prompt}]:
        role = "assistant" if message.get("role") == "assistant" else "user"
        content = str(message.get("content") or "").strip()
        if not content:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += "\n\n" + content
        else:
            turns.append({"role": role, "content": content})
    return turns


def nearest_size(width: int, height: int, choices: Mapping[str, tuple[int, int]]) -> str:
    """The key in `choices` whose aspect ratio is closest to width × height."""
    wanted = math.log(max(width, 1) / max(height, 1))
    return min(choices, key=lambda key: abs(math.log(choices[key][0] / choices[key][1]) - wanted))


ASPECT_RATIOS = {
    "1:1": (1, 1), "16:9": (16, 9), "9:16": (9, 16), "4:3": (4, 3), "3:4": (3, 4),
    "3:2": (3, 2), "2:3": (2, 3), "21:9": (21, 9), "9:21": (9, 21), "5:4": (5, 4), "4:5": (4, 5),
}


def aspect_ratio(width: int, height: int, allowed: tuple[str, ...] | None = None) -> str:
    choices = {k: v for k, v in ASPECT_RATIOS.items() if allowed is None or k in allowed}
    return nearest_size(width, height, choices)
