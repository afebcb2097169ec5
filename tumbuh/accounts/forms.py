from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from tumbuh.organisation.models import Opd, Puskesmas
from tumbuh.wilayah.models import Level, Wilayah

from . import policy
from .models import User


class UserForm(forms.ModelForm):
    new_password = forms.CharField(label=_("New password"), required=False, widget=forms.PasswordInput, strip=False)
    reason = forms.CharField(label=_("Reason for the change"), required=False)

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "role", "wilayah", "puskesmas", "opd", "is_active"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["wilayah"].queryset = policy.visible(actor, Wilayah.objects.filter(level__gte=Level.KABUPATEN))
        self.fields["puskesmas"].queryset = policy.visible(actor, Puskesmas.objects.all())
        self.fields["opd"].queryset = policy.visible(actor, Opd.objects.all())
        if self.instance.pk is None:
            self.fields["new_password"].required = True

    def clean_new_password(self):
        password = self.cleaned_data.get("new_password")
        if password:
            validate_password(password, self.instance)
        return password
