"""Import pages for admins: the runs, one run's report (with progress while it runs), the
upload form, and the saved column mappings of the generic importer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ADMIN_ONLY
from tierdesk.inventory.importers import formats
from tierdesk.inventory.importers.background import (
    import_run_in_background,
    sync_run_in_background,
)
from tierdesk.inventory.importers.delegated import (
    ConnectError,
    inventory_api_connect_begin,
    inventory_api_connect_finish,
    inventory_api_connection,
    inventory_api_disconnect,
)
from tierdesk.inventory.importers.labels import (
    counts_in_words,
    duration_text,
    field_label,
    table_label,
    warning_label,
)
from tierdesk.inventory.importers.mappings import (
    CHOICE_FIELDS,
    VALUE_EXAMPLES,
    column_mapping_delete,
    column_mapping_save,
    mapping_fields,
    parse_value_lines,
)
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun, ImportRunStatus
from tierdesk.inventory.importers.readers import sniff
from tierdesk.inventory.importers.runs import effective_status
from tierdesk.inventory.importers.selectors import column_mappings, import_runs
from tierdesk.inventory.importers.services import (
    import_run_begin,
    import_run_execute,
    import_run_progress,
)
from tierdesk.inventory.importers.sync import (
    sync_begin,
    sync_config,
    sync_execute,
    sync_running,
)
from tierdesk.inventory.importers.uploads import (
    UploadRejected,
    discard,
    max_upload_bytes,
    store_uploads,
)

STATUS_LABELS = dict(ImportRunStatus.choices)
FILE_WARNINGS = frozenset({"unread_columns", "legacy_encoding"})


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
        label=gettext_lazy("Files"),
        widget=MultipleFileInput(),
        help_text=gettext_lazy(
            "CSV, JSON, JSON lines or XLSX, in any encoding the tools write; a data-export "
            "folder as one .zip"
        ),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("", gettext_lazy("Recognise it for me"))]
        + [(k, f.label) for k, f in formats.FORMATS.items()],
    )
    mapping = forms.ModelChoiceField(
        label=gettext_lazy("Column mapping (for other spreadsheets)"),
        required=False,
        queryset=ColumnMapping.objects.all(),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: show what would change, change nothing"), required=False
    )


def run_view(run: ImportRun) -> dict[str, Any]:
    """What a page shows of a run: status as it really is, words instead of codes."""
    status = effective_status(run)
    fmt = formats.FORMATS.get(run.format)
    recognised = fmt is not None
    return {
        "recognised": recognised,
        "run": run,
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "format_label": fmt.label
        if fmt
        else (_("being recognised") if status == ImportRunStatus.RUNNING else _("not recognised")),
        "duration": duration_text(run.duration_ms) if run.finished_at else "—",
        "running": status == ImportRunStatus.RUNNING,
    }


class ImportListView(RoleRequiredMixin, View):
    allowed_roles = ADMIN_ONLY

    def get(self, request: HttpRequest) -> HttpResponse:
        return import_list_page(request)


def import_list_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    page = Paginator(import_runs(), 50).get_page(request.GET.get("page"))
    rows = [run_view(run) for run in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "query": "",
        "sync_configured": sync_config(),
        "inventory_api": inventory_api_connection(),
    }
    return render(request, "inventory/imports/import_list.html", context, status=status)


class ImportDetailView(RoleRequiredMixin, View):
    allowed_roles = ADMIN_ONLY

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(import_runs(), pk=pk)
        context = run_view(run)
        # Counters that stayed at zero say nothing; "rows read" is always shown.
        context["counts"] = [
            row for row in counts_in_words(run.counts) if row[2] or row[0] == "rows_read"
        ]
        context["warnings"] = [
            {
                **w,
                "label": warning_label(str(w.get("code", ""))),
                # how many rows it concerns; a warning about a whole file has no count
                "rows": w.get("count") if w.get("code") not in FILE_WARNINGS else None,
            }
            for w in run.warnings
        ]
        context["files"] = [{**f, "table": table_label(str(f.get("table", "")))} for f in run.files]
        if context["running"]:
            context["progress"] = _progress_view(import_run_progress(run))
        if request.headers.get("HX-Request") and request.GET.get("part") == "live":
            if context["running"]:
                return render(request, "inventory/imports/_live.html", context)
            # finished: reload the whole page so the report shows
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "inventory/imports/import_detail.html", context)


def _progress_view(progress: dict[str, Any] | None) -> dict[str, Any]:
    if not progress:
        return {"phase": "starting"}
    done, total = progress.get("done") or 0, progress.get("total")
    percent = int(done * 100 / total) if total else None
    return {**progress, "percent": percent}


class ImportUploadView(RoleRequiredMixin, View):
    allowed_roles = ADMIN_ONLY

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, UploadForm())

    def page(self, request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "max_mb": settings.TIERDESK_IMPORT_MAX_UPLOAD_MB}
        return render(request, "inventory/imports/import_upload.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form, status=400)
        user = request.user
        assert isinstance(user, User)
        files = form.cleaned_data["upload"]
        if sum(f.size or 0 for f in files) > max_upload_bytes():
            form.add_error("upload", _("The files are larger than the upload limit."))
            return self.page(request, form, status=413)
        try:
            folder = store_uploads(files)
        except UploadRejected as exc:
            form.add_error("upload", exc.message)
            return self.page(request, form, status=400)
        options = {
            "actor": user,
            "format": form.cleaned_data["format"] or None,
            "dry_run": form.cleaned_data["dry_run"],
            "mapping": form.cleaned_data["mapping"],
            "interface": "upload",
        }
        run = import_run_begin(
            actor=user,
            source=", ".join(f.name or "" for f in files),
            interface="upload",
            format=options["format"],
        )
        if settings.TIERDESK_IMPORTS_IN_BACKGROUND:
            language = translation.get_language() or settings.LANGUAGE_CODE
            import_run_in_background(run=run, folder=folder, language=language, **options)
        else:
            try:
                import_run_execute(run=run, paths=[folder], **options)
            finally:
                discard(folder)
        return HttpResponseRedirect(reverse("inventory:import-detail", args=[run.pk]))


class SyncNowView(RoleRequiredMixin, View):
    """The imports page's "Sync now": start a live sync from the tenant and show its run
    (the sync's service decides who may: `selectors.can_sync`). The button shows only
    when the sync is configured; without configuration the run is recorded as failed,
    saying so."""

    allowed_roles = ADMIN_ONLY

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        running = sync_running()
        if running is not None:
            messages.info(request, _("A sync is already running; here is its progress."))
            return HttpResponseRedirect(reverse("inventory:import-detail", args=[running.pk]))
        run = sync_begin(actor=user, interface="web")
        # Not configured: the run records at once that it cannot start (its page says so).
        if settings.TIERDESK_IMPORTS_IN_BACKGROUND and sync_config() is not None:
            language = translation.get_language() or settings.LANGUAGE_CODE
            sync_run_in_background(run=run, actor=user, language=language)
        else:
            sync_execute(run=run, actor=user, interface="web")
        return HttpResponseRedirect(reverse("inventory:import-detail", args=[run.pk]))


# The MSAL auth code flow (state, nonce, PKCE verifier) between "Connect" and the callback:
# kept in the admin's server-side session, used once.
INVENTORY_API_FLOW = "tierdesk.inventory_api_flow"


class InventoryApiConnectView(RoleRequiredMixin, View):
    """ "Connect the inventory API": send the admin to Entra ID's sign-in (authorization
    code + PKCE); the service decides who may (`selectors.can_connect_inventory_api`).
    Without the sync configured there is nothing to connect with: 400, saying so."""

    allowed_roles = ADMIN_ONLY

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        try:
            flow = inventory_api_connect_begin(actor=user)
        except ConnectError as error:
            messages.error(
                request,
                _("The inventory API cannot be connected: %(reason)s") % {"reason": error},
            )
            if sync_config() is None:
                return import_list_page(request, status=400)
            return HttpResponseRedirect(reverse("inventory:import-list"))
        request.session[INVENTORY_API_FLOW] = flow
        return HttpResponseRedirect(flow["auth_uri"])


class InventoryApiCallbackView(RoleRequiredMixin, View):
    """Where Entra ID sends the admin back (GET with `code` and `state`, or an `error`):
    the service redeems the code against the flow this browser started."""

    allowed_roles = ADMIN_ONLY

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        flow = request.session.pop(INVENTORY_API_FLOW, None)
        try:
            row = inventory_api_connect_finish(actor=user, flow=flow, answer=request.GET.dict())
        except ConnectError as error:
            messages.error(
                request,
                _("The inventory API was not connected: %(reason)s") % {"reason": error},
            )
        else:
            messages.success(
                request,
                _("The inventory API is connected as %(account)s: the next sync reads agents too.")
                % {"account": row.account_upn or "?"},
            )
        return HttpResponseRedirect(reverse("inventory:import-list"))


class InventoryApiDisconnectView(RoleRequiredMixin, View):
    """ "Disconnect": forget the connection and its tokens; later syncs read no agents."""

    allowed_roles = ADMIN_ONLY

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        if inventory_api_disconnect(actor=user):
            messages.success(
                request,
                _(
                    "The inventory API is disconnected: its tokens are deleted and syncs no "
                    "longer read agents."
                ),
            )
        else:
            messages.info(request, _("The inventory API was not connected."))
        return HttpResponseRedirect(reverse("inventory:import-list"))


# ------------------------------------------------------------------ column mappings


class MappingForm(forms.Form):
    name = forms.SlugField(
        label=gettext_lazy("Name"),
        max_length=64,
        help_text=gettext_lazy("letters, digits and hyphens, e.g. contoso-app-register"),
    )
    table = forms.ChoiceField(
        label=gettext_lazy("What one row of the file is"),
        choices=[
            ("app", gettext_lazy("An app")),
            ("flow", gettext_lazy("A flow")),
            ("bot", gettext_lazy("A chatbot / agent")),
            ("environment", gettext_lazy("An environment")),
        ],
    )
    sample = forms.FileField(
        label=gettext_lazy("A sample of the file (optional)"),
        required=False,
        help_text=gettext_lazy("its column headings are offered below; nothing is imported"),
    )


class MappingEditView(RoleRequiredMixin, View):
    """Create (no pk) or change a saved column mapping."""

    allowed_roles = ADMIN_ONLY

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        mapping = get_object_or_404(column_mappings(), pk=pk) if pk else None
        table = request.GET.get("table") or (mapping.table if mapping else "app")
        form = MappingForm(
            initial={"name": mapping.name if mapping else "", "table": table},
        )
        columns = dict(mapping.columns) if mapping else {}
        values = dict(mapping.values or {}) if mapping else {}
        part = request.headers.get("HX-Request") and request.GET.get("part") == "fields"
        return self.page(request, form, mapping, table, columns, values, [], partial=bool(part))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        mapping = get_object_or_404(column_mappings(), pk=pk) if pk else None
        form = MappingForm(request.POST, request.FILES)
        table = request.POST.get("table") or "app"
        columns = {f: request.POST.get(f"column-{f}", "") for f, _r in mapping_fields(table)}
        raw_values = {f: request.POST.get(f"values-{f}", "") for f in CHOICE_FIELDS}
        headings: list[str] = []
        if not form.is_valid():
            return self.page(request, form, mapping, table, columns, raw_values, [], status=400)
        sample = form.cleaned_data.get("sample")
        if sample is not None:
            headings = _headings(sample)
            for field, _required in mapping_fields(table):
                if not columns.get(field):
                    match = next((h for h in headings if _same_name(h, field)), "")
                    columns[field] = match
            return self.page(request, form, mapping, table, columns, raw_values, headings)
        try:
            values = {f: parse_value_lines(f, text) for f, text in raw_values.items() if text}
            user = request.user
            assert isinstance(user, User)
            saved = column_mapping_save(
                actor=user,
                mapping=mapping,
                name=form.cleaned_data["name"],
                table=form.cleaned_data["table"],
                columns=columns,
                values=values,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.page(request, form, mapping, table, columns, raw_values, [], status=400)
        messages.success(request, _("Column mapping “%(name)s” saved.") % {"name": saved.name})
        return HttpResponseRedirect(reverse("inventory:mapping-list"))

    def page(
        self,
        request: HttpRequest,
        form: MappingForm,
        mapping: ColumnMapping | None,
        table: str,
        columns: dict[str, str],
        values: dict[str, Any],
        headings: list[str],
        *,
        status: int = 200,
        partial: bool = False,
    ) -> HttpResponse:
        rows = [
            {
                "field": field,
                "label": field_label(field),
                "required": required,
                "heading": columns.get(field, ""),
                "choices": CHOICE_FIELDS.get(field),
                "example": VALUE_EXAMPLES.get(field, ""),
                "values": _value_text(values.get(field)),
            }
            for field, required in mapping_fields(table)
        ]
        context = {
            "form": form,
            "mapping": mapping,
            "rows": rows,
            "headings": headings,
            "table": table,
        }
        template = (
            "inventory/imports/_mapping_fields.html"
            if partial
            else "inventory/imports/mapping_form.html"
        )
        return render(request, template, context, status=status)


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k} = {v}" for k, v in value.items())
    return str(value or "")


def _same_name(heading: str, field: str) -> bool:
    simple = "".join(c for c in heading.lower() if c.isalnum())
    return simple == field.replace("_", "") or (field == "env" and simple == "environment")


def _headings(sample: Any) -> list[str]:
    import tempfile
    from pathlib import Path

    suffix = Path(sample.name or "sample.csv").suffix or ".csv"
    with tempfile.NamedTemporaryFile(suffix=suffix) as fh:
        for chunk in sample.chunks():
            fh.write(chunk)
        fh.flush()
        found = sniff(Path(fh.name))
        if found.layout is not None:
            return [h for h in found.layout.header if h]
        return [str(k) for k in found.first]


class MappingListView(RoleRequiredMixin, View):
    allowed_roles = ADMIN_ONLY

    def get(self, request: HttpRequest) -> HttpResponse:
        tables = dict(MappingForm.base_fields["table"].choices)  # type: ignore[attr-defined]
        mappings = list(column_mappings())
        for m in mappings:
            m.table_label = tables.get(m.table, m.table)  # type: ignore[attr-defined]
        return render(request, "inventory/imports/mapping_list.html", {"mappings": mappings})


class MappingDeleteView(RoleRequiredMixin, View):
    allowed_roles = ADMIN_ONLY

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        mapping = get_object_or_404(column_mappings(), pk=pk)
        user = request.user
        assert isinstance(user, User)
        column_mapping_delete(actor=user, mapping=mapping)
        messages.success(request, _("Column mapping “%(name)s” deleted.") % {"name": mapping.name})
        return HttpResponseRedirect(reverse("inventory:mapping-list"))
