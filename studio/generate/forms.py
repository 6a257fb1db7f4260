"""Forms of the generation pages: AI text, image and animation requests, the jobs list's filter.
They only parse; the services (generate/drafts.py, generate/jobs.py) decide."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from . import jobs

STATUS_FILTERS = [("", _("All")), ("active", _("Active")), ("succeeded", _("Done")), ("failed", _("Failed")),
                  ("cancelled", _("Cancelled"))]
SIZE_GROUPS = [("square", _("Square")), ("portrait", _("Portrait")), ("landscape", _("Landscape"))]


def fresh_key() -> str:
    """A new idempotency key for a request form: a double submit of one form makes one job."""
    return str(uuid.uuid4())


def size_groups(presets) -> list[tuple[str, list]]:
    """The size presets grouped by aspect (their keys start with square-, portrait-, landscape-)."""
    groups = [(label, [p for p in presets if p.key.startswith(f"{key}-")]) for key, label in SIZE_GROUPS]
    rest = [p for p in presets if not any(p.key.startswith(f"{key}-") for key, _label in SIZE_GROUPS)]
    return [(label, items) for label, items in groups if items] + ([(_("Other"), rest)] if rest else [])


class _ImageRequestForm(forms.Form):
    prompt = forms.CharField(label=_("Extra direction"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    style = forms.CharField(max_length=40, required=False)
    size = forms.CharField(max_length=40, required=False)
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)


class CharacterImageForm(_ImageRequestForm):
    reference = forms.UUIDField(required=False)
    strength = forms.FloatField(required=False, min_value=0, max_value=1)


class MoodboardImageForm(_ImageRequestForm):
    pass


class AnimateForm(forms.Form):
    duration = forms.TypedChoiceField(label=_("Length"), coerce=int, choices=[(d, d) for d in jobs.DURATIONS],
                                      initial=jobs.DURATIONS[0], widget=forms.RadioSelect)
    motion = forms.ChoiceField(label=_("Camera motion"), choices=list(jobs.MOTIONS.items()), initial="zoom_in")
    prompt = forms.CharField(label=_("Direction"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)


class UpscaleForm(forms.Form):
    scale = forms.TypedChoiceField(label=_("Scale"), coerce=int, choices=[(2, "2×"), (4, "4×")],
                                   widget=forms.RadioSelect)
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)


class RestyleForm(forms.Form):
    photo = forms.FileField(label=_("Upload a photo"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    source = forms.UUIDField(required=False)
    style = forms.CharField(max_length=40)
    size = forms.ChoiceField(choices=[("small", "small"), ("medium", "medium"), ("large", "large")])
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)


class SheetForm(forms.Form):
    character = forms.UUIDField(label=_("Character"))

    def __init__(self, *args, characters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = {c.public_id for c in characters}

    def clean_character(self):
        value = self.cleaned_data["character"]
        if value not in self.allowed:
            raise forms.ValidationError(_("Choose a character of this project."))
        return value


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=STATUS_FILTERS)


class GenerateForm(forms.Form):
    target_kind = forms.CharField(max_length=12)
    target_id = forms.UUIDField(required=False)
    field = forms.CharField(max_length=40)
    prompt = forms.CharField(max_length=2000, required=False)
    model = forms.IntegerField(required=False)
