"""The project gallery's filters. They only parse; gallery/selectors.py applies them."""

from django import forms
from django.utils.translation import gettext_lazy as _


class GalleryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search prompts"), max_length=200, required=False)
    media = forms.ChoiceField(label=_("Type"), required=False,
                              choices=[("", _("All")), ("image", _("Images")), ("video", _("Videos")), ("audio", _("Audio")),
                                       ("lipsync", _("Lip-sync"))])
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=[("", _("All")), ("generated", _("Generated")),
                                        ("uploaded", _("Uploaded")), ("linked", _("From Google Drive")),
                                        ("upscaled", _("Upscaled")), ("restyled", _("Restyled"))])
    favourites = forms.BooleanField(label=_("Favourites only"), required=False)
    stale = forms.BooleanField(label=_("Out of date only"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False,
                             choices=[("newest", _("Newest first")), ("oldest", _("Oldest first")),
                                      ("favourites", _("Favourites first"))])

