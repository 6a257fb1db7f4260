from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LedgerEntry


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *LedgerEntry.Kind.choices])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("“From” must be on or before “To”."))
        return data


class OrderForm(forms.Form):
    package = forms.CharField(required=False)
    plan = forms.CharField(required=False)
    billing_cycle = forms.ChoiceField(choices=[("monthly", _("Monthly")), ("yearly", _("Yearly"))], required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("package")) == bool(data.get("plan")):
            raise forms.ValidationError(_("Choose a credit package or a plan."))
        data["billing_cycle"] = data.get("billing_cycle") or "monthly"
        return data
