"""Password validators: Django's, where one needs a correction."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length, with its error in Italian: Django 6.1 reworded the message and
    its Italian catalogue still translates only the old wording."""

    def get_error_message(self) -> str:
        return ngettext(
            "Questa password è troppo corta. Deve contenere almeno %(min_length)d carattere.",
            "Questa password è troppo corta. Deve contenere almeno %(min_length)d caratteri.",
            self.min_length,
        ) % {"min_length": self.min_length}
