from django.contrib.auth.forms import AuthenticationForm

from ambito.forms import ItaliaFormMixin


class LoginForm(ItaliaFormMixin, AuthenticationForm):
    """Django's login form, with Bootstrap Italia markup."""
