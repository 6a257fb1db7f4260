"""Forms of the bible's pages: projects and their sections, publishing, moodboards. They only
parse; the services (studio/services.py, studio/moodboards.py) decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Beat, Character, Location, Moodboard, Project, Relationship, Scene, Story, World


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["title", "logline", "premise", "genre", "tone", "format", "target_audience", "status"]
        widgets = {"premise": forms.Textarea(attrs={"rows": 5}), "logline": forms.Textarea(attrs={"rows": 2})}

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give your project a title."))
        return title


class StoryForm(forms.ModelForm):
    class Meta:
        model = Story
        fields = ["synopsis", "themes"]
        widgets = {"synopsis": forms.Textarea(attrs={"rows": 10}), "themes": forms.Textarea(attrs={"rows": 3})}


class StructureForm(forms.Form):
    structure = forms.ChoiceField(label=_("Structure"), choices=Story.Structure.choices)


class BeatForm(forms.ModelForm):
    class Meta:
        model = Beat
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class CharacterForm(forms.ModelForm):
    class Meta:
        model = Character
        fields = ["name", "role", "age", "appearance", "clothing", "accessories", "personality", "backstory",
                  "motivation", "visual_style"]
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in Character.TEXT_FIELDS}


class CharacterQuickForm(forms.ModelForm):
    class Meta:
        model = Character
        fields = ["name", "role"]


class RelationshipForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Character"), queryset=Character.objects.none())
    kind = forms.ChoiceField(label=_("Relationship"), choices=Relationship.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, character: Character, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = character.project.characters.exclude(pk=character.pk)


class WorldForm(forms.ModelForm):
    class Meta:
        model = World
        fields = ["setting", "history", "culture", "rules"]
        widgets = {f: forms.Textarea(attrs={"rows": 6}) for f in World.TEXT_FIELDS}


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "description", "visual_notes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "visual_notes": forms.Textarea(attrs={"rows": 3})}


class SceneForm(forms.ModelForm):
    class Meta:
        model = Scene
        fields = ["title", "beat", "location", "characters", "mood", "description", "script"]
        labels = {"characters": _("Characters"), "location": _("Location"), "beat": _("Beat")}
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "script": forms.Textarea(attrs={"rows": 16}),
                   "characters": forms.CheckboxSelectMultiple}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this project's beats, locations and characters can be linked.
        self.fields["beat"].queryset = project.beats.all()
        self.fields["location"].queryset = project.locations.all()
        self.fields["characters"].queryset = project.characters.all()


class SceneQuickForm(forms.ModelForm):
    class Meta:
        model = Scene
        fields = ["title"]


class PublishForm(forms.Form):
    sections = forms.MultipleChoiceField(
        label=_("Sections to publish"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("story", _("Story")), ("characters", _("Characters")), ("world", _("World")),
                 ("scenes", _("Scenes")), ("script", _("Script"))],
    )
    pen_name = forms.CharField(
        label=_("Pen name"), required=False, max_length=80,
        help_text=_("The name your bible is signed with. Leave it empty to use your display name."),
    )
    watch = forms.MultipleChoiceField(label=_("Show on Watch"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, animations=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The bible's clips (animations, lip-syncs, other videos): each one ticked is shown on
        # /watch/ while its section is published.
        self.fields["watch"].choices = [(str(a.public_id), clip_label(a)) for a in animations]


def clip_label(asset) -> str:
    """What the publish page calls a video of the bible: an animation or a lip-sync (its job's kind,
    kept in the asset's params) of what it belongs to, or a video of it."""
    label = {"label": asset.target_info["label"]}
    kind = (asset.params or {}).get("kind")
    if kind == "lipsync":
        return _("Lip-sync of “%(label)s”") % label
    if kind == "animation":
        return _("Animation of “%(label)s”") % label
    return _("Video of “%(label)s”") % label


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All statuses")), *Project.Status.choices])
    genre = forms.ChoiceField(label=_("Genre"), required=False, choices=[("", _("All genres")), *Project.Genre.choices])
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[
        ("updated", _("Recently edited")), ("created", _("Newest")), ("title", _("Title"))])


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
