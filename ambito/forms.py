"""Form helpers shared by the pages: Bootstrap Italia markup and errors raised by actions."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItaliaBoundField(BoundField):
    """Adds Bootstrap Italia's `is-invalid` to a widget with errors.

    Django already sets aria-invalid and aria-describedby="<id>_error" (and "<id>_helptext");
    forms/field.html renders the elements with those ids.
    """

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            own = (widget or self.field.widget).attrs.get("class", "")
            attrs["class"] = f"{own} is-invalid".strip()
        return attrs


class ItaliaFormMixin:
    """Bootstrap Italia classes on the widgets.

    Templates render a form with {% include "forms/form.html" %} or field by field with
    forms/field.html: the form renderer does not see the project's template directory.
    """

    bound_field_class: type[BoundField] | None = ItaliaBoundField
    # Several forms share the case page: a pattern per form keeps their HTML ids unique, so that
    # every label points at its own field.
    html_id = "id_%s"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", self.html_id)
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.Select):
                continue
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} form-control".strip()


def add_action_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Shows an action's ValidationError on the form: on its field, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
