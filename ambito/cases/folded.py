"""The case page's add-forms folded under their titles (issue 7, scenario b).

The page offers each of them by its title only; the form is built and rendered when the user
opens it: htmx GETs `cases:form`, which answers the form alone (`views.case_form`), and the
same URL without JavaScript is the case page with that form open. Their selects (services,
operators, diary entries, court orders) and their widgets are thus no longer paid for on
every view of the page.
"""

from collections.abc import Callable

from django import forms


class Folded:
    """A blank form the case page offers, not built yet: the section templates show its title
    and the link that opens it; `build()` makes the form when it is opened."""

    # The templates tell a folded form from a built one (blank when opened, bound with errors
    # after a POST) by this attribute, which forms do not have.
    folded = True

    def __init__(self, build: Callable[[], forms.Form]) -> None:
        self.build = build
