"""Import pages for admins: the runs, one run's report, and the upload form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ADMIN_ONLY
from tierdesk.inventory.importers import formats
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.importers.uploads import stored_uploads


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    upload = MultipleFileField(
        label=_("Files"),
        widget=MultipleFileInput(),
        help_text=_("CSV, JSON, JSON lines or XLSX; a data-export folder as one .zip"),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Detect"))] + [(k, f.label) for k, f in formats.FORMATS.items()],
    )
    mapping = forms.ModelChoiceField(
        label=_("Column mapping"), required=False, queryset=ColumnMapping.objects.all()
    )
    dry_run = forms.BooleanField(label=_("Dry run (change nothing)"), required=False)


class ImportListView(RoleRequiredMixin, View):
    allowed_roles = ADMIN_ONLY

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(ImportRun.objects.select_related("actor"), 50).get_page(
            request.GET.get("page")
        )
        return render(request, "inventory/imports/import_list.html", {"page": page, "query": ""})


class ImportDetailView(RoleRequiredMixin, View):
    allowed_roles = ADMIN_ONLY

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(ImportRun.objects.select_related("actor"), pk=pk)
        label = formats.FORMATS[run.format].label if run.format in formats.FORMATS else run.format
        context = {"run": run, "format_label": label, "counts": sorted(run.counts.items())}
        return render(request, "inventory/imports/import_detail.html", context)


class ImportUploadView(RoleRequiredMixin, View):
    allowed_roles = ADMIN_ONLY

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "inventory/imports/import_upload.html", {"form": UploadForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(
                request, "inventory/imports/import_upload.html", {"form": form}, status=400
            )
        user = request.user
        assert isinstance(user, User)
        files = form.cleaned_data["upload"]
        with stored_uploads(files) as folder:
            run = import_run_execute(
                paths=[folder],
                actor=user,
                format=form.cleaned_data["format"] or None,
                dry_run=form.cleaned_data["dry_run"],
                mapping=form.cleaned_data["mapping"],
                interface="upload",
                source=", ".join(f.name or "" for f in files),
            )
        return HttpResponseRedirect(reverse("inventory:import-detail", args=[run.pk]))
