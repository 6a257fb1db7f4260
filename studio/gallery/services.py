"""Writes of the galleries that mean something to the bible: a project's primary image is its
cover and a character's is its reference sheet. Media flags the asset and stores or removes its
files (media/services.py); the studio rows that point at it change here, in the same transaction.

Both writers of a character's sheet (the creator's choice and a job's first image) lock the
character's row first, so they take turns: the unique "one primary per target" index is never
raced."""

from django.db import transaction
from django.utils import timezone

from media import services as media_services
from media.models import MediaAsset

from ..models import Character, Project

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
