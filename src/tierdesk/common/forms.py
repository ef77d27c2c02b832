"""The form renderer every form of tierdesk uses (FORM_RENDERER): Django's templates
overridden in tierdesk/templates/django/forms/ so that `{{ form }}`, `as_p`, `as_div`
and `as_ul` all render labels above full-width fields, a required mark, help text and
errors tied to the field with aria-describedby, and never a raw field name."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "django/forms/div.html"
    field_template_name = "django/forms/field.html"


def errors_by_label(form: Any) -> list[tuple[str, list[str]]]:
    """A form's errors named by each field's label (its name never shows): for a summary
    or a message. Errors of the whole form come first, without a label."""
    found: list[tuple[str, list[str]]] = []
    for name, problems in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        found.append((label, [str(p) for p in problems]))
    found.sort(key=lambda item: item[0] != "")
    return found


def errors_text(form: Any) -> str:
    """The same as one sentence: "제목: 이 필드는 필수 항목입니다." """
    return " ".join(
        f"{label}: {' '.join(problems)}" if label else " ".join(problems)
        for label, problems in errors_by_label(form)
    )
