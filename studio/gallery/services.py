"""Writes of the galleries that mean something to the bible: a project's primary image is its
cover and a character's is its reference sheet. Media flags the asset and stores or removes its
files (media/services.py); the studio rows that point at it change here, in the same transaction."""

from django.db import transaction

from media import services as media_services
from media.models import MediaAsset

from ..models import Character, Project


def asset_set_primary(*, asset: MediaAsset) -> MediaAsset:
    """Makes the image its target's primary picture, unsetting the previous one; for a project
    that is its cover, for a character its reference sheet. Raises media's NotAnImage."""
    with transaction.atomic():
        media_services.asset_set_primary(asset=asset)
        if asset.target_kind == MediaAsset.Target.PROJECT:
            Project.objects.filter(public_id=asset.target_id).update(cover=asset)
        elif asset.target_kind == MediaAsset.Target.CHARACTER:
            Character.objects.filter(public_id=asset.target_id).update(primary_image=asset)
    return asset


def asset_delete(*, asset: MediaAsset) -> None:
    """Deletes the asset (media's soft delete, its files once committed) and unsets it where it
    was a cover or a reference sheet."""
    with transaction.atomic():
        media_services.asset_delete(asset=asset)
        Project.objects.filter(cover=asset).update(cover=None)
        Character.objects.filter(primary_image=asset).update(primary_image=None)
