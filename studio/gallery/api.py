"""The assets endpoints of /api/v1/: a creator's assets — list, upload, link from Google Drive,
replace, check, make primary, download, delete.

Targets are written "kind:uuid" (e.g. "character:2f1c…"); a project's own gallery is
"project:<project id>". Every asset and target comes through an ownership-checked selector;
storing and reading files is media's, what an asset means to the bible (a cover, a reference
sheet) is gallery/services.py's. The operationIds are the ones clients already generated code
from (these endpoints were media's)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.db.models import Q
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from accounts.selectors import workspace_for
from media import selectors as media_selectors
from media import services as media_services
from media.drive import DRIVE_URL_PATTERN
from media.models import MediaAsset
from media.selectors import TargetRef
from media.views import file_response
from modo.envelope import ERRORS, DeletedEnvelope, ErrorEnvelope, invalid, ok
from modo.http import absolute_url
from modo.inputs import Input, PageNumber

from .. import selectors, targets
from ..schemas import Meta, page_of
from . import services

router = Router(tags=["assets"])

ASSETS_PER_PAGE = 50


class Generation(Schema):
    model: str
    prompt: str
    params: dict
    credits: int


class AssetOut(Schema):
    id: UUID
    project: UUID
    target: str = Field(description='"kind:uuid"')
    media_type: str
    file_name: str
    mime: str
    size: int
    width: int | None
    height: int | None
    duration: float | None
    source_type: str
    storage: str
    is_accessible: bool
    last_checked_at: datetime | None
    is_favourite: bool
    is_primary: bool
    drive_file_id: str
    drive_view_link: str
    original_url: str
    linked_at: datetime | None
    generation: Generation | None
    download_url: str = Field(description="This API's download endpoint for the file")
    created_at: datetime
    updated_at: datetime


class AssetEnvelope(Schema):
    success: bool = True
    data: AssetOut


class AssetListEnvelope(Schema):
    success: bool = True
    data: list[AssetOut]
    meta: Meta


class CheckOut(Schema):
    id: UUID
    is_accessible: bool
    last_checked_at: datetime | None


class CheckEnvelope(Schema):
    success: bool = True
    data: CheckOut


def asset_out(asset: MediaAsset, request) -> dict:
    generated = asset.source_type == MediaAsset.Source.GENERATED
    return {
        "id": asset.public_id, "project": asset.project.public_id, "target": f"{asset.target_kind}:{asset.target_id}",
        **{name: getattr(asset, name) for name in (
            "media_type", "file_name", "mime", "size", "width", "height", "duration", "source_type", "storage",
            "is_accessible", "last_checked_at", "is_favourite", "is_primary", "drive_file_id", "drive_view_link",
            "original_url", "linked_at", "created_at", "updated_at")},
        "generation": {"model": asset.gen_model, "prompt": asset.prompt, "params": asset.params,
                       "credits": asset.credits} if generated else None,
        "download_url": absolute_url(reverse("api:asset_download", args=[asset.public_id]), request),
    }


def _target(user, value: str, project_id: UUID | None = None) -> TargetRef:
    """The target named "kind:uuid" — or, with only a project, the project's own gallery."""
    if not value:
        if project_id is None:
            raise invalid("target", "Give a target (kind:uuid) or a project.")
        return targets.target_of(selectors.project_get(user=user, public_id=project_id))
    try:
        kind, public_id = targets.parse_target(value)
    except ValueError:
        raise invalid("target", 'Write the target as "kind:uuid", kind one of: '
                      + ", ".join(MediaAsset.Target.values)) from None
    target = targets.target_get(user=user, kind=kind, public_id=public_id)
    if project_id is not None and target.project.public_id != project_id:
        raise invalid("target", "That target belongs to another project.")
    return target


class AssetFilters(Input):
    target: str = Field("", max_length=60, description='"kind:uuid"',
                        json_schema_extra={"pattern": f"^$|{targets.TARGET_PATTERN}"})
    project: UUID | None = None
    media_type: Literal["image", "video", "audio"] | None = None
    inaccessible: bool = Field(False, description="Only files that could not be reached at the last check")
    page: PageNumber = 1


@router.get("/assets", response={200: AssetListEnvelope, **ERRORS}, summary="Your assets, by target or project",
            operation_id="media_api_asset_list")
def asset_list(request, filters: Query[AssetFilters]):
    user = request.auth
    target = _target(user, filters.target) if filters.target else None
    project = selectors.project_get(user=user, public_id=filters.project) if filters.project else None
    assets = media_selectors.assets_for(user=user, team=workspace_for(request, user=user), project=project,
                                        target=target).select_related("project")
    if filters.media_type:
        assets = assets.filter(media_type=filters.media_type)
    if filters.inaccessible:
        assets = assets.filter(Q(is_accessible=False))
    page, meta = page_of(assets, page=filters.page, per_page=ASSETS_PER_PAGE)
    return ok([asset_out(a, request) for a in page], meta=meta)


@router.post("/assets", response={201: AssetEnvelope, 409: ErrorEnvelope, 413: ErrorEnvelope, **ERRORS},
             summary="Upload an image (JPEG, PNG or WebP), a sound (WAV, MP3, Ogg, M4A) or a video (MP4, MOV, WebM; "
                     "a lip-sync's face); 413 too large, 422 not clean",
             operation_id="media_api_asset_upload",
             # An empty part is no file at all (Django drops it): the document says a file has bytes.
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {"properties": {
                 "file": {"minLength": 1},
                 "target": {"maxLength": 60, "pattern": f"^$|{targets.TARGET_PATTERN}",
                            "description": '"kind:uuid"; none: the project’s own gallery'}}}}}}})
def asset_upload(request, file: File[UploadedFile], project: Form[UUID], target: Form[str] = ""):
    target_ref = _target(request.auth, target, project)
    asset = media_services.asset_upload(file=file, owner=request.auth, target=target_ref)
    return Status(201, ok(asset_out(asset, request)))


class LinkIn(Input):
    target: str = Field(max_length=60, description='"kind:uuid"', json_schema_extra={"pattern": targets.TARGET_PATTERN})
    drive_url: str = Field(max_length=2048, json_schema_extra={"pattern": DRIVE_URL_PATTERN})
    media_type: Literal["image", "video"] = "image"


@router.post("/assets/link", response={201: AssetEnvelope, 409: ErrorEnvelope, **ERRORS},
             summary="Link a Google Drive file (only Drive file URLs; checked before it is stored)",
             operation_id="media_api_asset_link")
def asset_link(request, payload: LinkIn):
    target = _target(request.auth, payload.target)
    asset = media_services.asset_link_drive(url=payload.drive_url, owner=request.auth, target=target,
                                            media_type=payload.media_type)
    return Status(201, ok(asset_out(asset, request)))


@router.get("/assets/{asset_id}", response={200: AssetEnvelope, **ERRORS}, summary="An asset",
            operation_id="media_api_asset_detail")
def asset_detail(request, asset_id: UUID):
    return ok(asset_out(media_selectors.asset_get(user=request.auth, public_id=asset_id), request))


@router.delete("/assets/{asset_id}", response={200: DeletedEnvelope, **ERRORS},
               summary="Delete an asset and its stored file (a linked Drive file itself is left alone)",
               operation_id="media_api_asset_delete")
def asset_delete(request, asset_id: UUID):
    services.asset_delete(asset=media_selectors.asset_get(user=request.auth, public_id=asset_id))
    return ok({"deleted": True})


class ReplaceIn(Input):
    drive_url: str = Field(max_length=2048, json_schema_extra={"pattern": DRIVE_URL_PATTERN})


@router.put("/assets/{asset_id}/replace", response={200: AssetEnvelope, 409: ErrorEnvelope, **ERRORS},
            summary="Point an asset at another Google Drive file (source becomes “replaced”)",
            operation_id="media_api_asset_replace")
def asset_replace(request, asset_id: UUID, payload: ReplaceIn):
    asset = media_selectors.asset_get(user=request.auth, public_id=asset_id)
    return ok(asset_out(media_services.asset_replace(asset=asset, url=payload.drive_url), request))


@router.get("/assets/{asset_id}/check", response={200: CheckEnvelope, **ERRORS},
            summary="Check now that the file can still be reached",
            operation_id="media_api_asset_check")
def asset_check(request, asset_id: UUID):
    asset = media_services.asset_check(asset=media_selectors.asset_get(user=request.auth, public_id=asset_id))
    return ok({"id": asset.public_id, "is_accessible": asset.is_accessible, "last_checked_at": asset.last_checked_at})


@router.post("/assets/{asset_id}/primary", response={200: AssetEnvelope, **ERRORS},
             summary="Make an image its target's primary picture (project cover, character sheet)",
             operation_id="media_api_asset_primary")
def asset_primary(request, asset_id: UUID):
    asset = media_selectors.asset_get(user=request.auth, public_id=asset_id)
    return ok(asset_out(services.asset_set_primary(asset=asset), request))


@router.get("/assets/{asset_id}/download", url_name="asset_download", response={302: None, **ERRORS},
            summary="The file: its bytes, or a redirect to a short-lived signed URL",
            operation_id="media_api_asset_download")
def asset_download(request, asset_id: UUID):
    asset = media_selectors.asset_get(user=request.auth, public_id=asset_id)
    return file_response(asset, thumbnail=False, download=True, placeholder=False)
