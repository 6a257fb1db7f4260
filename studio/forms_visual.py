"""Forms of the visual pages: moodboards, image and animation requests, the gallery's filters.
They only parse; the services (studio/jobs.py, studio/moodboards.py) decide."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .generate import jobs
from .models import Moodboard, Project

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


class MoodboardForm(forms.ModelForm):
    class Meta:
        model = Moodboard
        fields = ["title", "scene", "location", "characters", "pose", "action", "notes"]
        labels = {"characters": _("Characters"), "scene": _("Scene"), "location": _("Location")}
        widgets = {"characters": forms.CheckboxSelectMultiple, "notes": forms.Textarea(attrs={"rows": 3}),
                   "action": forms.TextInput(attrs={"placeholder": _("e.g. sharing a secret")}),
                   "pose": forms.TextInput(attrs={"placeholder": _("e.g. back to back")})}
        help_texts = {"notes": _("For you: the AI does not read the notes.")}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this project's scenes, locations and characters can be linked.
        self.fields["scene"].queryset = project.scenes.all()
        self.fields["location"].queryset = project.locations.all()
        self.fields["characters"].queryset = project.characters.select_related("primary_image")
        self.fields["scene"].empty_label = _("No scene")
        self.fields["location"].empty_label = _("The world's setting")

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the moodboard a title."))
        return title


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=STATUS_FILTERS)


class GalleryFilterForm(forms.Form):
    SORTS = {"newest": ("-created_at", "-id"), "oldest": ("created_at", "id"),
             "favourites": ("-is_favourite", "-created_at", "-id")}

    q = forms.CharField(label=_("Search prompts"), max_length=200, required=False)
    media = forms.ChoiceField(label=_("Type"), required=False,
                              choices=[("", _("All")), ("image", _("Images")), ("video", _("Videos"))])
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=[("", _("All")), ("generated", _("Generated")),
                                        ("uploaded", _("Uploaded")), ("linked", _("From Google Drive"))])
    favourites = forms.BooleanField(label=_("Favourites only"), required=False)
    stale = forms.BooleanField(label=_("Out of date only"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False,
                             choices=[("newest", _("Newest first")), ("oldest", _("Oldest first")),
                                      ("favourites", _("Favourites first"))])

