from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import TIMEZONE_CHOICES, User


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=80, required=False)
    avatar = forms.ImageField(
        label=_("Avatar"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 5 MB. It is cropped to a square."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)
    locale = forms.ChoiceField(label=_("Language"), choices=User.Locale.choices)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if avatar and avatar.size > settings.AVATAR_MAX_BYTES:
            raise forms.ValidationError(
                _("The image is too large (%(size)s MB); the limit is %(limit)s MB."),
                params={
                    "size": f"{avatar.size / 1024 / 1024:.1f}",
                    "limit": settings.AVATAR_MAX_BYTES // 1024 // 1024,
                },
            )
        return avatar


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("A name that reminds you where the token is used, e.g. “render farm script”."),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. my pipeline script")}),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name
