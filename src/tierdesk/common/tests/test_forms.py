"""Every form renders through tierdesk's form templates: labels above fields, required
marks, help and errors tied to the field, never a raw field name."""

from __future__ import annotations

import re

from django import forms
from django.utils import translation

from tierdesk.common.forms import errors_by_label, errors_text


class VendorForm(forms.Form):
    health_checked_at = forms.DateTimeField(
        label="Health checked", help_text="When you looked at the service health page."
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    token = forms.CharField(widget=forms.HiddenInput, label="Token")
    agree = forms.BooleanField(label="I agree")


def _bound() -> VendorForm:
    form = VendorForm(data={"health_checked_at": "yesterday", "note": "x"})
    assert not form.is_valid()
    return form


def test_every_way_of_rendering_a_form_uses_the_field_template() -> None:
    form = _bound()
    for html in (str(form), form.as_p(), form.as_div(), form.as_ul()):
        assert 'class="field has-error' in html
        assert '<label for="id_health_checked_at">Health checked' in html
        assert 'class="required-mark"' in html
        assert 'id="id_health_checked_at_helptext"' in html
        assert 'id="id_health_checked_at_error"' in html
        described = re.search(r'<input[^>]*name="health_checked_at"[^>]*>', html)
        assert described is not None
        assert 'aria-describedby="id_health_checked_at_helptext id_health_checked_at_error"' in (
            described.group(0)
        )
        assert 'aria-invalid="true"' in described.group(0)
        assert 'role="alert"' in html  # the summary of a hidden field's error
        assert "health_checked_at)" not in html and "Hidden field" not in html
        assert "Token: " in html  # the hidden field's error named by its label


def test_error_dicts_never_print_field_names() -> None:
    form = _bound()
    assert "health_checked_at" not in form.errors.as_text()
    assert "* health_checked_at" not in str(form.errors)
    assert '<a href="#id_health_checked_at">' in form.errors.as_ul()


def test_errors_by_label() -> None:
    with translation.override("en"):
        form = _bound()
        labels = [label for label, _problems in errors_by_label(form)]
        assert "Health checked" in labels and "health_checked_at" not in labels
        assert errors_text(form).startswith("Health checked: ") or "Health checked: " in (
            errors_text(form)
        )
