"""The desk's API: thin viewsets; every read through the visibility selector, every
write through one service. Ladder moves are explicit actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from tierdesk.accounts.choices import SupportType
from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user
from tierdesk.common import clock
from tierdesk.common.exports import FORMATS, XLSX_TYPE
from tierdesk.common.permissions import roles_of
from tierdesk.common.records import VersionConflict
from tierdesk.common.roles import ADMIN_ONLY, ANY_USER, DESK_CONSOLE, PLATFORM_STAFF, WRITERS
from tierdesk.common.viewsets import ServiceModelViewSet
from tierdesk.desk import ladder, selectors, services, ticket_filters
from tierdesk.desk.api import serializers as s
from tierdesk.desk.choices import Channel, Topic
from tierdesk.desk.exports import tickets_export
from tierdesk.desk.models import CannedResponse, RequestType, Ticket, VendorCase
from tierdesk.inventory.choices import Tier

FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Words of the subject, or a TD- number"),
    OpenApiParameter("created_from", OpenApiTypes.DATE, description="Filed on or after (local)"),
    OpenApiParameter("created_to", OpenApiTypes.DATE, description="Filed on or before (local)"),
    OpenApiParameter("resolved_from", OpenApiTypes.DATE, description="Resolved on or after"),
    OpenApiParameter("resolved_to", OpenApiTypes.DATE, description="Resolved on or before"),
    OpenApiParameter(
        "business_unit",
        int,
        description="Business unit id: the solution's, or (no solution) the requester's",
    ),
    OpenApiParameter(
        "tier", str, enum=[*Tier.values, ticket_filters.TIER_NONE], description="Solution tier"
    ),
    OpenApiParameter("level", str, enum=list(SupportType.values), description="Current level"),
    OpenApiParameter("topic", str, enum=list(Topic.values)),
    OpenApiParameter("team", int, description="Support team id"),
    OpenApiParameter("open", bool, description="Open tickets only"),
    OpenApiParameter(
        "mine", bool, description="Only your tickets: requested by you, assigned to you or watched"
    ),
    OpenApiParameter("breached", bool, description="A first-response or resolution SLA missed"),
    OpenApiParameter("escalated", bool, description="Escalated at least once"),
]


TRUE = {"1", "true", "yes", "on"}
FALSE = {"", "0", "false", "no", "off"}


def _flag(params: Any, name: str) -> bool:
    """A yes/no query parameter; anything else answers 400 naming it."""
    value = str(params.get(name, "")).strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValidationError({name: [_("Enter true or false.")]})


class NewestFirst(CursorPagination):
    """Cursor pages: no COUNT(*) over the table, stable under inserts."""

    ordering = ("-created_at", "-id")
    page_size = 50


class NewestUpdated(CursorPagination):
    ordering = ("-updated_at", "-id")
    page_size = 50


class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Ticket],
):
    """Tickets the caller may see. Edits send the version read (409 on conflict)."""

    pagination_class = NewestFirst
    # team and level are among the ticket search's filters (`desk.ticket_filters`), which
    # the list and the export read from the query too.
    filterset_fields = ["status", "priority", "is_open"]
    ordering_fields: list[str] = []
    action_roles = {
        "list": ANY_USER,
        "retrieve": ANY_USER,
        "create": ANY_USER,
        "partial_update": ANY_USER,
        "export": ANY_USER,
        "reply": ANY_USER,
        "note": ANY_USER,
        "messages": ANY_USER,
        "timeline": ANY_USER,
        "triage": ANY_USER,
        "assign": ANY_USER,
        "redirect": ANY_USER,
        "escalate": ANY_USER,
        "de_escalate": ANY_USER,
        "hand_back": ANY_USER,
        "hand_over": ANY_USER,
        "link_duplicate": ANY_USER,
        "merge": ANY_USER,
        "resolve": ANY_USER,
        "reopen": ANY_USER,
        "set_status": ANY_USER,
        "close": ANY_USER,
        "vendor_case": ANY_USER,
        "partner_case": ANY_USER,
        "set_solution": ANY_USER,
        "watch": ANY_USER,
    }

    def get_queryset(self) -> QuerySet[Ticket]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Ticket.objects.none()
        qs = selectors.tickets_visible_to(request_user(self.request))
        q = self.request.query_params.get("q", "")
        if q:
            qs = selectors.ticket_search(qs, q)
        if self.action in ("list", "export") and _flag(self.request.query_params, "mine"):
            qs = selectors.tickets_mine(qs, request_user(self.request))
        if self.action in ("list", "export"):
            filters = ticket_filters.parse(self.request.query_params)
            if not filters.is_valid():
                raise ValidationError({k: [str(e) for e in v] for k, v in filters.errors.items()})
            qs = ticket_filters.narrowed(qs, filters.cleaned_data, at=clock.now())
        return qs.select_related("team", "solution")

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Tickets the caller may see, newest first; `q` searches, the filters narrow
        (dates are local days, both ends included; a bad value answers 400 naming it)."""
        return super().list(request, *args, **kwargs)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "list":
            return s.TicketListSerializer
        if self.action == "create":
            return s.TicketCreateSerializer
        return s.TicketSerializer

    def get_object(self) -> Ticket:
        return selectors.ticket_get_for_user(request_user(self.request), int(self.kwargs["pk"]))

    @extend_schema(request=s.TicketCreateSerializer, responses={201: s.TicketSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        incoming = s.TicketCreateSerializer(data=request.data, context={"user": user})
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        on_behalf = data.pop("on_behalf_of", None)
        channel = data.pop("channel", None) if on_behalf is not None else None
        data.pop("channel", None)
        try:
            ticket = services.ticket_create(
                requester=on_behalf or user,
                actor=user,
                channel=channel or Channel.API,
                is_bypass=on_behalf is not None and channel is None,
                language=user.mail_language,
                **data,
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        # Built from the ticket in hand: no re-fetch, no model introspection per request.
        return Response(s.ticket_data(ticket), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TicketUpdateSerializer, responses={200: s.TicketSerializer, 409: None})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        ticket = self.get_object()
        incoming = s.TicketUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        expected = changes.pop("version", None)
        if expected is None:
            raise ValidationError({"version": ["Send the version you read."]})
        try:
            ticket = services.ticket_update(
                ticket=ticket, actor=user, expected_version=expected, changes=changes
            )
        except VersionConflict as conflict:
            raise VersionConflict(
                current=s.TicketSerializer(conflict.current).data,
                yours=incoming.initial_data,
                detail=_("Someone else changed this ticket since you read it."),
            ) from conflict
        return Response(s.TicketSerializer(ticket).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "file_format", str, enum=[*FORMATS], description="csv (default) or xlsx"
            ),
            *FILTER_PARAMETERS,
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
        },
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> StreamingHttpResponse | FileResponse:
        """The visible tickets as a file people open in a spreadsheet: CSV (UTF-8 with a
        byte-order mark) or, with `?file_format=xlsx`, an Excel workbook; translated
        headings, local times, formula-safe cells; at most 10,000 rows, newest first."""
        kind = request.query_params.get("file_format", "csv")
        if kind not in FORMATS:
            raise ValidationError({"file_format": [f"Choose one of: {', '.join(FORMATS)}."]})
        qs = self.filter_queryset(self.get_queryset()).order_by("-created_at", "-id")
        return tickets_export(qs, kind, "tickets")

    @extend_schema(responses={200: s.MessageSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def messages(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        ticket = self.get_object()
        messages = ticket.messages.all()
        if not selectors.can_see_notes(user, ticket):
            messages = messages.filter(kind="reply")
        return Response(s.MessageSerializer(messages, many=True).data)

    @extend_schema(responses={200: s.EventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        ticket = self.get_object()
        events = ticket.events.order_by("created_at", "id")
        if not selectors.can_see_notes(user, ticket):
            events = events.filter(is_internal=False)
        return Response(s.EventSerializer(events, many=True).data)

    def _run(
        self,
        request: Request,
        move: str | None,
        serializer_class: type[BaseSerializer[Any]],
        run: Callable[[Ticket, User, dict[str, Any]], Any],
    ) -> Response:
        user = request_user(request)
        ticket = self.get_object()
        # The service decides whether this user may (its named rule in selectors).
        incoming = serializer_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            run(ticket, user, dict(incoming.validated_data))
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        ticket = Ticket.objects.get(pk=ticket.pk)
        return Response(s.TicketSerializer(ticket).data)

    @extend_schema(request=s.TextSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str) -> Response:
        return self._run(
            request,
            None,
            s.TextSerializer,
            lambda t, u, d: services.ticket_reply(
                ticket=t, author=u, body=d["body"], channel=Channel.API
            ),
        )

    @extend_schema(request=s.TextSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def note(self, request: Request, pk: str) -> Response:
        return self._run(
            request,
            None,
            s.TextSerializer,
            lambda t, u, d: services.ticket_note(ticket=t, author=u, body=d["body"]),
        )

    @extend_schema(request=s.TriageSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str) -> Response:
        return self._run(
            request,
            "triage",
            s.TriageSerializer,
            lambda t, u, d: ladder.ticket_triage(ticket=t, actor=u, **d),
        )

    @extend_schema(request=s.AssignSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        return self._run(
            request,
            "assign",
            s.AssignSerializer,
            lambda t, u, d: ladder.ticket_assign(ticket=t, actor=u, **d),
        )

    def _reason_move(self, request: Request, move: str, fn: Callable[..., Any]) -> Response:
        return self._run(
            request,
            move,
            s.ReasonSerializer,
            lambda t, u, d: fn(ticket=t, actor=u, reason=d["reason"]),
        )

    @extend_schema(request=s.ReasonSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def redirect(self, request: Request, pk: str) -> Response:
        return self._reason_move(request, "redirect", ladder.ticket_redirect)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str) -> Response:
        return self._reason_move(request, "escalate", ladder.ticket_escalate)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"], url_path="de-escalate")
    def de_escalate(self, request: Request, pk: str) -> Response:
        return self._reason_move(request, "de_escalate", ladder.ticket_de_escalate)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"], url_path="hand-back")
    def hand_back(self, request: Request, pk: str) -> Response:
        return self._reason_move(request, "hand_back", ladder.ticket_hand_back)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: Request, pk: str) -> Response:
        return self._reason_move(request, "hand_over", ladder.ticket_hand_over)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        return self._reason_move(request, "resolve", services.ticket_resolve)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        return self._reason_move(request, "reopen", services.ticket_reopen)

    @extend_schema(request=s.StatusSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"], url_path="set-status")
    def set_status(self, request: Request, pk: str) -> Response:
        """Put an open ticket on hold for its requester (its SLA clocks pause until they
        reply), on hold for a vendor or partner, or back in progress."""
        return self._run(
            request,
            "set_status",
            s.StatusSerializer,
            lambda t, u, d: services.ticket_set_status(
                ticket=t, actor=u, status=d["status"], reason=d["reason"]
            ),
        )

    @extend_schema(request=s.ReasonSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Close for good: the requester, or who supports the ticket."""
        return self._reason_move(request, "close", services.ticket_close)

    def _other(self, request: Request, d: dict[str, Any]) -> Ticket:
        try:
            return selectors.ticket_get_for_user(request_user(request), d["other"])
        except Http404 as error:
            raise ValidationError({"other": ["No such ticket."]}) from error

    @extend_schema(request=s.OtherTicketSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"], url_path="link-duplicate")
    def link_duplicate(self, request: Request, pk: str) -> Response:
        return self._run(
            request,
            "link_duplicate",
            s.OtherTicketSerializer,
            lambda t, u, d: ladder.ticket_link_duplicate(
                ticket=t, original=self._other(request, d), actor=u, reason=d["reason"]
            ),
        )

    @extend_schema(request=s.OtherTicketSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        """Merge this ticket into `other`."""
        return self._run(
            request,
            "merge",
            s.OtherTicketSerializer,
            lambda t, u, d: ladder.ticket_merge(source=t, target=self._other(request, d), actor=u),
        )

    @extend_schema(request=s.VendorCaseInputSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"], url_path="vendor-case")
    def vendor_case(self, request: Request, pk: str) -> Response:
        return self._run(
            request,
            "vendor_case",
            s.VendorCaseInputSerializer,
            lambda t, u, d: ladder.vendor_case_open(ticket=t, actor=u, **d),
        )

    @extend_schema(request=s.PartnerCaseInputSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"], url_path="partner-case")
    def partner_case(self, request: Request, pk: str) -> Response:
        return self._run(
            request,
            "partner_case",
            s.PartnerCaseInputSerializer,
            lambda t, u, d: ladder.partner_case_open(ticket=t, actor=u, **d),
        )

    @extend_schema(request=s.SolutionSetSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"], url_path="set-solution")
    def set_solution(self, request: Request, pk: str) -> Response:
        """Attach, change or clear the solution the ticket is about (the help desk, the
        platform team and admins who work it); routing and the SLA follow."""
        user = request_user(request)
        ticket = self.get_object()
        incoming = s.SolutionSetSerializer(data=request.data, context={"user": user})
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        try:
            ladder.ticket_set_solution(
                ticket=ticket, actor=user, solution=data["solution"], reason=data["reason"]
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(s.TicketSerializer(Ticket.objects.get(pk=ticket.pk)).data)

    @extend_schema(request=s.WatcherSerializer, responses={200: s.TicketSerializer})
    @action(detail=True, methods=["post"])
    def watch(self, request: Request, pk: str) -> Response:
        """Add a watcher: oneself (who may reply), or someone (who supports the ticket)."""
        return self._run(
            request,
            "watch",
            s.WatcherSerializer,
            lambda t, u, d: services.ticket_watch(ticket=t, user=d["user"], actor=u),
        )


class VendorCaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[VendorCase]
):
    """Vendor and partner cases of tickets the caller sees, most recently updated first;
    `?status=` filters. The platform team and admins update them."""

    pagination_class = NewestUpdated
    serializer_class = s.VendorCaseListSerializer
    filterset_fields = ["status", "is_partner"]
    ordering_fields: list[str] = []
    action_roles = {"list": PLATFORM_STAFF, "retrieve": PLATFORM_STAFF, "update_case": ANY_USER}

    def get_queryset(self) -> QuerySet[VendorCase]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return VendorCase.objects.none()
        return selectors.vendor_cases_visible_to(request_user(self.request))

    def get_object(self) -> VendorCase:
        return selectors.vendor_case_get_for_user(
            request_user(self.request), int(self.kwargs["pk"])
        )

    @extend_schema(
        request=s.VendorCaseUpdateSerializer, responses={200: s.VendorCaseListSerializer}
    )
    @action(detail=True, methods=["post"], url_path="update")
    def update_case(self, request: Request, pk: str) -> Response:
        """Where the case stands: open, waiting on vendor (the ticket waits too, its SLA
        clocks paused), resolved by vendor, closed; with the vendor's latest word."""
        case = self.get_object()
        incoming = s.VendorCaseUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        try:
            case = ladder.vendor_case_update(
                case=case,
                actor=request_user(request),
                status=data["status"],
                external_number=data["external_number"],
                note=data["note"],
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(s.VendorCaseListSerializer(case).data)


class CannedResponseViewSet(ServiceModelViewSet[CannedResponse]):
    """Canned responses the caller may use (everyone's and their teams'); team leads
    write their team's, the platform team and admins every one."""

    serializer_class = s.CannedResponseSerializer
    save_service = services.canned_response_save
    delete_service = services.canned_response_delete
    filterset_fields = ["team"]
    action_roles = {
        "list": DESK_CONSOLE,
        "retrieve": DESK_CONSOLE,
        "create": WRITERS,
        "update": WRITERS,
        "partial_update": WRITERS,
        "destroy": WRITERS,
    }

    def get_queryset(self) -> QuerySet[CannedResponse]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return CannedResponse.objects.none()
        return selectors.canned_responses_for(request_user(self.request))


class RequestTypeViewSet(ServiceModelViewSet[RequestType]):
    """The fast-track request catalog: everyone reads what is offered; admins edit it."""

    serializer_class = s.RequestTypeSerializer
    save_service = services.request_type_save
    delete_service = services.request_type_delete
    action_roles = {
        "list": ANY_USER,
        "retrieve": ANY_USER,
        "create": ADMIN_ONLY,
        "update": ADMIN_ONLY,
        "partial_update": ADMIN_ONLY,
        "destroy": ADMIN_ONLY,
    }

    def get_queryset(self) -> QuerySet[RequestType]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return RequestType.objects.none()
        qs = RequestType.objects.order_by("name", "id")
        if not roles_of(self.request.user) & ADMIN_ONLY:
            qs = qs.filter(is_active=True)
        return qs
