"""Writes of the galleries that mean something to the bible: a project's primary image is its
cover and a character's is its reference sheet. Media flags the asset and stores or removes its
files (media/services.py); the studio rows that point at it change here, in the same transaction.

Both writers of a character's sheet (the creator's choice and a job's first image) lock the
character's row first, so they take turns: the unique "one primary per target" index is never
raced."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from media import services as media_services
from media.models import MediaAsset
from modo.errors import AppError

from ..models import Character, Project


class InvalidAsset(AppError):
    code, status = "INVALID_INPUT", 422
    default_message = gettext_lazy("Pick an image of this project.")


_OWNERS = {MediaAsset.Target.PROJECT: (Project, "cover"), MediaAsset.Target.CHARACTER: (Character, "primary_image")}


def asset_set_primary(*, asset: MediaAsset) -> MediaAsset:
    """Makes the image its target's primary picture, unsetting the previous one; for a project
    that is its cover, for a character its reference sheet. Raises media's NotAnImage."""
    with transaction.atomic():
        owner = _OWNERS.get(asset.target_kind)
        if owner is not None:
            list(owner[0].objects.select_for_update().filter(public_id=asset.target_id).values_list("pk"))
        media_services.asset_set_primary(asset=asset)
        if owner is not None:
            owner[0].objects.filter(public_id=asset.target_id).update(**{owner[1]: asset})
    return asset


def asset_use_as_sheet(*, asset: MediaAsset, character: Character) -> MediaAsset:
    """Makes an image of the character's project (a restyled photo, an upscale, an upload) the
    character's reference sheet: it moves to the character's gallery (it stays in the project's)
    and stops being whatever it was the primary picture of before. Raises NotAnImage, and
    InvalidAsset for an image of another project."""
    if asset.project_id != character.project_id:
        raise InvalidAsset()
    with transaction.atomic():
        Project.objects.filter(cover=asset).update(cover=None)
        Character.objects.filter(primary_image=asset).exclude(pk=character.pk).update(primary_image=None)
        MediaAsset.objects.filter(pk=asset.pk).update(target_kind=MediaAsset.Target.CHARACTER,
                                                      target_id=character.public_id, is_primary=False,
                                                      updated_at=timezone.now())
        asset.target_kind, asset.target_id, asset.is_primary = MediaAsset.Target.CHARACTER, character.public_id, False
        return asset_set_primary(asset=asset)


def sheet_set_if_missing(*, asset: MediaAsset) -> bool:
    """Makes a finished image of a character its reference sheet when it has none yet (the
    creator can change it). A conditional update: of two images finishing at once, the first
    wins and the other stays an ordinary image. Call it inside the transaction that records the
    job's result. True when the image became the sheet."""
    if asset.target_kind != MediaAsset.Target.CHARACTER or not asset.is_image:
        return False
    if not Character.objects.filter(public_id=asset.target_id, primary_image__isnull=True).update(primary_image=asset):
        return False
    now = timezone.now()
    # No other image of the character can be primary while it has no sheet; clear any stray flag
    # anyway rather than fail the job on the unique index.
    MediaAsset.objects.filter(target_kind=asset.target_kind, target_id=asset.target_id, is_primary=True
                              ).exclude(pk=asset.pk).update(is_primary=False, updated_at=now)
    MediaAsset.objects.filter(pk=asset.pk).update(is_primary=True, updated_at=now)
    asset.is_primary = True
    return True


def asset_delete(*, asset: MediaAsset) -> None:
    """Deletes the asset (media's soft delete, its files once committed) and unsets it where it
    was a cover or a reference sheet."""
    with transaction.atomic():
        media_services.asset_delete(asset=asset)
        Project.objects.filter(cover=asset).update(cover=None)
        Character.objects.filter(primary_image=asset).update(primary_image=None)
