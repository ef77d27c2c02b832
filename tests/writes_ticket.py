"""Write-matrix rows of the ticket page and the desk model (issue 11): setting a ticket's
solution, adding watchers, vendor case updates, logging a request for someone, canned
responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.test_write_matrix import (
    DESK,
    EVERYONE,
    PLATFORM,
    SEES_TICKET,
    WORKS_TICKET,
    World,
    Write,
    _t,
)
from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.desk import ladder
from tierdesk.desk.models import CannedResponse, VendorCase


def _seen(ok: int, allowed: Any) -> Any:
    """Hidden from who cannot see the ticket; `allowed(target)` among who sees it."""
    return lambda target: {
        404: EVERYONE - SEES_TICKET[target],
        ok: allowed(target) & SEES_TICKET[target],
    }


def _case_opened(w: World, target: str) -> None:
    ladder.vendor_case_open(
        ticket=w.tickets[target],
        actor=None,
        health_checked_at=clock.now() - dt.timedelta(hours=1),
        health_result="healthy",
        external_number="MS-42",
    )


def _case(w: World, target: str) -> int:
    found = VendorCase.objects.filter(ticket=w.tickets[target]).first()
    return found.pk if found is not None else 1


def _canned_written(w: World, target: str) -> None:
    CannedResponse.objects.create(title="공통 안내", body="{{ requester.name }}님 안녕하세요")


def _canned(w: World, target: str) -> int:
    found = CannedResponse.objects.order_by("id").first()
    return found.pk if found is not None else 1


def _someone(w: World) -> int:
    return User.objects.get(username="someone").pk


def _canned_expect(ok: int, hidden: bool) -> Any:
    return lambda target: {ok: PLATFORM, **({404: {"requester"}} if hidden else {})}


def writes() -> list[Write]:
    one = ("-",)
    return [
        Write(
            "set the solution",
            "page",
            "post",
            lambda w, t: f"/desk/tickets/{_t(w, t)}/move/set_solution/",
            lambda w, t: {
                "set_solution-solution": w.org.partner_solution.pk,
                "set_solution-reason": "본문에 앱 이름",
            },
            _seen(302, lambda t: DESK),
        ),
        Write(
            "set the solution",
            "api",
            "post",
            lambda w, t: f"/api/v1/tickets/{_t(w, t)}/set-solution/",
            lambda w, t: {"solution": None, "reason": "앱과 무관"},
            _seen(200, lambda t: DESK),
        ),
        Write(
            "add a watcher",
            "page",
            "post",
            lambda w, t: f"/desk/tickets/{_t(w, t)}/move/add_watcher/",
            lambda w, t: {"add_watcher-person": _someone(w)},
            _seen(302, lambda t: WORKS_TICKET[t]),
        ),
        Write(
            "add a watcher",
            "api",
            "post",
            lambda w, t: f"/api/v1/tickets/{_t(w, t)}/watch/",
            lambda w, t: {"user": _someone(w)},
            _seen(200, lambda t: WORKS_TICKET[t]),
        ),
        Write(
            "update a vendor case",
            "page",
            "post",
            lambda w, t: f"/desk/vendor-cases/{_case(w, t)}/update/",
            lambda w, t: {"status": "resolved_by_vendor", "note": "패치 배포"},
            _seen(302, lambda t: PLATFORM),
            prepare=_case_opened,
        ),
        Write(
            "update a vendor case",
            "api",
            "post",
            lambda w, t: f"/api/v1/vendor-cases/{_case(w, t)}/update/",
            lambda w, t: {"status": "resolved_by_vendor", "note": "패치 배포"},
            _seen(200, lambda t: PLATFORM),
            prepare=_case_opened,
        ),
        Write(
            "log a request for someone",
            "page",
            "post",
            lambda w, t: "/desk/log/",
            lambda w, t: {
                "requester": _someone(w),
                "channel": "phone",
                "solution": getattr(w.org, t).pk,
                "subject": "전화로 문의",
                "description": "",
                "topic": "how_to",
                "impact": "low",
                "urgency": "low",
            },
            lambda t: {302: DESK},
        ),
        Write(
            "log a request for someone by phone",
            "api",
            "post",
            lambda w, t: "/api/v1/tickets/",
            lambda w, t: {
                "subject": "전화로 문의",
                "on_behalf_of": _someone(w),
                "channel": "phone",
                "solution_platform_id": getattr(w.org, t).platform_id,
            },
            lambda t: {201: DESK},
        ),
        Write(
            "canned response create",
            "page",
            "post",
            lambda w, t: "/desk/canned/new/",
            lambda w, t: {"title": "안내", "body": "확인 중입니다", "team": ""},
            _canned_expect(302, hidden=False),
            targets=one,
        ),
        Write(
            "canned response create",
            "api",
            "post",
            lambda w, t: "/api/v1/canned-responses/",
            lambda w, t: {"title": "안내", "body": "확인 중입니다", "team": None},
            _canned_expect(201, hidden=False),
            targets=one,
        ),
        Write(
            "canned response edit",
            "page",
            "post",
            lambda w, t: f"/desk/canned/{_canned(w, t)}/",
            lambda w, t: {"title": "바뀐 안내", "body": "b", "team": ""},
            _canned_expect(302, hidden=True),
            targets=one,
            prepare=_canned_written,
        ),
        Write(
            "canned response edit",
            "api",
            "patch",
            lambda w, t: f"/api/v1/canned-responses/{_canned(w, t)}/",
            lambda w, t: {"title": "바뀐 안내"},
            _canned_expect(200, hidden=True),
            targets=one,
            prepare=_canned_written,
        ),
        Write(
            "canned response delete",
            "page",
            "post",
            lambda w, t: f"/desk/canned/{_canned(w, t)}/delete/",
            lambda w, t: {},
            _canned_expect(302, hidden=True),
            targets=one,
            prepare=_canned_written,
        ),
        Write(
            "canned response delete",
            "api",
            "delete",
            lambda w, t: f"/api/v1/canned-responses/{_canned(w, t)}/",
            lambda w, t: None,
            _canned_expect(204, hidden=True),
            targets=one,
            prepare=_canned_written,
        ),
    ]
