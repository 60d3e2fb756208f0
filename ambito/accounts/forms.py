from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ambito.accounts import lockout, twofactor
from ambito.forms import ItaliaFormMixin


class LoginForm(ItaliaFormMixin, auth_forms.AuthenticationForm):
    """Django's login form, with Bootstrap Italia markup; a locked-out username is refused
    before its password is checked."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username and (until := lockout.locked_until(username)):
            raise ValidationError(lockout.locked_message(until), code="locked")
        return super().clean()

    @property
    def attempt_failed(self) -> bool:
        """A password was checked and refused (not a lockout, not a missing field)."""
        return self.has_error(NON_FIELD_ERRORS, "invalid_login")


class CodeForm(ItaliaFormMixin, forms.Form):
    """The second step: the six digits of the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Codice di verifica",
        max_length=20,
        help_text="Le 6 cifre mostrate ora dall'app di autenticazione, oppure uno dei codici "
        "di recupero.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device: Any = None

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self.device = twofactor.verify_code(self.user, code)
        return code

    @property
    def attempt_failed(self) -> bool:
        """A code was checked and refused (not an empty field)."""
        return self.has_error("code", "wrong") or self.has_error("code", "throttled")


class EnrolmentForm(CodeForm):
    """The first code of a new authenticator app: it proves the app holds the key."""

    def __init__(self, device: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(device.user, *args, **kwargs)
        help_text = "Le 6 cifre che l'app mostra dopo aver aggiunto la chiave o il codice QR."
        self.fields["code"].help_text = help_text
        self.enrolling = device

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self.device = twofactor.verify_on(self.enrolling, code)
        return code


class PasswordChangeForm(ItaliaFormMixin, auth_forms.PasswordChangeForm):
    """Django's password change form (the validators of AUTH_PASSWORD_VALIDATORS), styled."""
