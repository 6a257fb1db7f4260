"""Writes for accounts: profile, avatar, personal API tokens."""

import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps

from modo.imaging import UploadRejected, decode_image

from .models import ApiToken, User

TOKEN_PREFIX = "modo_"
# Writing last_used_at on every API call would turn reads into writes; once a minute is enough.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
AVATAR_SIZE = 256


class AvatarError(ValueError):
    """The uploaded file is not an image we accept; the message is for the user."""


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    raw: str  # shown to the user once, never stored


def api_token_create(*, user: User, name: str) -> CreatedToken:
    """Creates a token and returns its plaintext once; only a SHA-256 of it is stored."""
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_PREFIX}{secret}"
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=raw[: len(TOKEN_PREFIX) + 6], token_hash=token_hash(raw)
    )
    return CreatedToken(token=token, raw=raw)


def api_token_revoke(*, token: ApiToken) -> None:
    """Idempotent: revoking a revoked token changes nothing."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_touch(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def avatar_webp(data: bytes) -> bytes:
    """Decodes an uploaded picture with the shared upload checks (size, type, polyglots, pixel
    cap), crops it square and re-encodes it as WebP, which drops any metadata the original
    carried. Raises UploadRejected (FileTooLarge) before anything could be stored. Users' and
    teams' avatars alike."""
    image, _format = decode_image(data)
    image = ImageOps.fit(image.convert("RGB"), (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=85)
    return out.getvalue()


def _avatar_webp(upload) -> bytes:
    upload.seek(0)
    try:
        return avatar_webp(upload.read())
    except UploadRejected as exc:
        raise AvatarError(exc.message) from exc


def user_profile_update(
    *,
    user: User,
    display_name: str,
    locale: str,
    timezone_name: str,
    avatar=None,
    remove_avatar: bool = False,
) -> User:
    """Saves the profile. The avatar is decoded and re-encoded before anything is stored; the old
    file is removed only after the new one is saved."""
    old_avatar_name = user.avatar.name if user.avatar else ""
    new_avatar = ContentFile(_avatar_webp(avatar), name="avatar.webp") if avatar else None
    user.display_name = display_name.strip()
    user.locale = locale
    user.timezone = timezone_name
    if new_avatar is not None:
        user.avatar.save(new_avatar.name, new_avatar, save=False)
    elif remove_avatar:
        user.avatar = ""
    user.save(update_fields=["display_name", "locale", "timezone", "avatar", "updated_at"])
    if old_avatar_name and old_avatar_name != (user.avatar.name if user.avatar else ""):
        storage = user.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar_name))
    return user


def user_locale_set(*, user: User, locale: str) -> None:
    if user.locale != locale:
        User.objects.filter(pk=user.pk).update(locale=locale)
        user.locale = locale
