"""Every page, for every role and for a visitor, in Korean: no English word of the UI and no
raw code.

A person who has not chosen a language asks for Korean (Accept-Language: ko) and opens
every GET page route of the URL resolver (ids filled from the write matrix's world with
objects the role can see). On each HTML page that answers 200, the visible text (plus
what assistive technology reads: aria-label, title, placeholder, alt) must contain:

(a) no English msgid of the catalogs: the UI's own English strings, every msgid with a
    Korean translation that does not keep it, longer than three characters and with a
    letter, product names excluded;
(b) no raw code: no value of a TextChoices enum of tierdesk's apps (`waiting_on_requester`,
    `first_response`, `p1`…) as a whole word.

User data is not UI: every string stored in the database (names, subjects, e-mail
addresses…) is taken out of the text before the checks, except the stored codes
themselves. Code samples (`<code>`, `<pre>`, `<kbd>`) are what people copy and stay as
they are; so does the language switch, which names each language in itself.

`KNOWN_ENGLISH_PAGES` lists pages known to fail (route, role); it is empty: a page that
fails is fixed, not listed."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.test_write_matrix import ROLES, World, world  # noqa: F401 (the fixture)

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "tierdesk"
SAMPLE_IMPORT = (
    Path(__file__).resolve().parent
    / "samples"
    / "field"
    / "01-getadminpowerapp-owner-column"
    / "input"
)

KNOWN_ENGLISH_PAGES: set[tuple[str, str]] = set()
"""(route, role) pairs allowed to fail for now. Keep it empty."""

# Names that stay as they are in Korean text: products, formats, standards.
PRODUCT_WORDS = {
    "tierdesk",
    "SLA",
    "OLA",
    "API",
    "CSV",
    "XLSX",
    "JSON",
    "HTML",
    "URL",
    "UPN",
    "CoE",
    "CoE Starter Kit",
    "Power Apps",
    "Power Automate",
    "Power Platform",
    "Copilot Studio",
    "Dataverse",
    "SharePoint",
    "Microsoft",
    "Microsoft 365",
    "Microsoft Teams",
    "Teams",
    "Entra",
    "Entra ID",
    "Excel",
    "PowerShell",
    "Azure",
    "GUID",
    "ISO",
    "UTC",
    "ITIL",
    "Launch()",
    "OnSelect",
    "iframe",
    "E-mail",
    "Email",
}
# Routes that are not pages people read: files, JSON, the API, health checks.
NOT_PAGES = re.compile(
    r"^(api/|admin/|healthz|static/|media/)|export\.(csv|xlsx)$|/pick/$|attachments/"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


# ------------------------------------------------------------------ what the UI says


def _msgids() -> list[str]:
    found: set[str] = set()
    for po in sorted(PACKAGE.rglob("locale/ko/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(po)):
            if entry.obsolete:
                continue
            translated = entry.msgstr or next(iter(entry.msgstr_plural.values()), "")
            if not translated:
                continue
            for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
                # a term the Korean keeps ("JSON lines(한 줄에 개체 하나)") is a name
                if msgid in translated or msgid in PRODUCT_WORDS:
                    continue
                literal = PLACEHOLDER.sub("", msgid)
                if len(literal.strip()) > 3 and re.search(r"[A-Za-z]{2}", literal):
                    found.add(msgid)
    return sorted(found, key=len, reverse=True)


class Phrase:
    """One msgid as a whole-word pattern; placeholders match anything short."""

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid
        pieces = PLACEHOLDER.split(msgid)
        self.needles = [p.strip() for p in pieces if re.search(r"[A-Za-z]", p)]
        pattern = r".{1,80}?".join(re.escape(p) for p in pieces)
        self.regex = re.compile(rf"(?<![\w-]){pattern}(?![\w-])")

    def found_in(self, text: str) -> bool:
        if not all(needle in text for needle in self.needles):
            return False
        return bool(self.regex.search(text))


def _codes() -> set[str]:
    found: set[str] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("tierdesk."):
            continue
        for module_name in ("choices", "models"):
            try:
                module = __import__(f"{config.name}.{module_name}", fromlist=["*"])
            except ImportError:
                continue
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, models.TextChoices)
                    and value is not models.TextChoices
                ):
                    found.update(str(v) for v in value.values if v)
    from tierdesk.common.roles import Role

    found.update(str(v) for v in Role.values)
    # codes that are ordinary Korean-page content: language codes in lang attributes only
    return {c for c in found if re.fullmatch(r"[a-z][a-z0-9_]*", c) and len(c) > 1}


# ------------------------------------------------------------------ what a page shows


class _Text(HTMLParser):
    SKIP = {"script", "style", "template", "code", "pre", "kbd", "samp", "textarea", "svg"}
    ATTRS = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if self.skipping:
            if tag == self.skipping[-1] and tag not in {"input", "br", "img", "meta", "link"}:
                self.skipping.append(tag)
            return
        if tag in self.SKIP or (tag == "form" and "language" in classes):
            self.skipping.append(tag)
            return
        for name in self.ATTRS:
            if found.get(name):
                self.parts.append(str(found[name]))
        if tag == "input" and found.get("type") in {"submit", "button"} and found.get("value"):
            self.parts.append(str(found["value"]))

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def _stored_strings(codes: set[str]) -> list[str]:
    """Every string the database holds (user data), longest first, codes left out."""
    found: set[str] = set()

    def leaves(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield str(k)
                yield from leaves(v)
        elif isinstance(value, list | tuple):
            for v in value:
                yield from leaves(v)

    for model in apps.get_models():
        if not model.__module__.startswith("tierdesk."):
            continue  # Django's own tables (content types, permissions) are not shown
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                for text in leaves(value):
                    text = text.strip()
                    if len(text) > 1 and text not in codes:
                        found.add(re.sub(r"\s+", " ", text))
    return sorted(found, key=len, reverse=True)


def without_data(text: str, data: list[str]) -> str:
    """The text with every stored string taken out where it stands as whole words."""
    for value in data:
        if value in text:
            text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    return text


# ------------------------------------------------------------------ the pages


def page_routes() -> list[str]:
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = (prefix + str(p.pattern)).replace("^", "")
                if "(?P<format>" in route or "drf_format_suffix" in route:
                    continue
                if not NOT_PAGES.search(route):
                    found.append(route)

    walk(get_resolver().url_patterns, "")
    return found


Fill = Callable[[World], list[dict[str, Any]]]


def _solutions(w: World) -> list[dict[str, Any]]:
    return [{"pk": s.pk} for s in (w.org.own, w.org.other, w.org.partner_solution)]


def _tickets(w: World) -> list[dict[str, Any]]:
    return [{"pk": t.pk} for t in (*w.tickets.values(), *w.partners.values())]


def _moves(w: World) -> list[dict[str, Any]]:
    from tierdesk.desk.forms import MOVE_FORMS

    return [{"pk": t["pk"], "move": m} for t in _tickets(w)[:2] for m in MOVE_FORMS]


def _model_pks(label: str) -> Fill:
    def fill(w: World) -> list[dict[str, Any]]:
        model = apps.get_model(label)
        return [
            {"pk": pk}
            for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:6]
        ]

    return fill


def _with(action: str, label: str) -> Fill:
    def fill(w: World) -> list[dict[str, Any]]:
        return [{**row, "action": action} for row in _model_pks(label)(w)]

    return fill


FILL: dict[str, Fill] = {
    "knowledge/proposals/<id:pk>/": _model_pks("knowledge.ArticleProposal"),
    "knowledge/proposals/<id:pk>/publish/": _model_pks("knowledge.ArticleProposal"),
    "knowledge/proposals/<id:pk>/decline/": _model_pks("knowledge.ArticleProposal"),
    "knowledge/proposals/from-ticket/<id:ticket_pk>/": lambda w: [
        {"ticket_pk": t["pk"]} for t in _tickets(w)
    ],
    "knowledge/feeds/<id:pk>/<slug:action>/": _with("fetch", "knowledge.FeedSubscription"),
    "knowledge/review-tasks/<id:pk>/": _model_pks("knowledge.ReviewTask"),
    "knowledge/review-tasks/<id:pk>/<slug:action>/": _with("done", "knowledge.ReviewTask"),
    "insights/automation/<id:pk>/": _model_pks("insights.AutomationCandidate"),
    "insights/coe/connectors/<id:pk>/": _model_pks("inventory.Connector"),
    "insights/downloads/<id:pk>/": _model_pks("insights.PreparedDownload"),
    "insights/downloads/<id:pk>/file/": _model_pks("insights.PreparedDownload"),
    "inventory/solutions/<id:pk>/": _solutions,
    "inventory/environments/<id:pk>/": lambda w: [
        {"pk": e.pk} for e in (w.org.env_sales, w.org.env_prod, w.spare_environment)
    ],
    "inventory/imports/<id:pk>/": _model_pks("inventory.ImportRun"),
    "inventory/imports/mappings/<id:pk>/": lambda w: [{"pk": w.mapping.pk}],
    "inventory/imports/mappings/<id:pk>/delete/": lambda w: [{"pk": w.mapping.pk}],
    "governance/solutions/<id:pk>/": _solutions,
    "governance/solutions/<id:pk>/assess/": _solutions,
    "governance/solutions/<id:pk>/confirm-tier/": _solutions,
    "governance/solutions/<id:pk>/graduate/": _solutions,
    "governance/signals/<id:pk>/<str:action>/": lambda w: [
        {"pk": s.pk, "action": a} for s in w.signals.values() for a in ("dismiss", "resolve")
    ],
    "governance/findings/<id:pk>/waive/": lambda w: [{"pk": f.pk} for f in w.findings.values()],
    "governance/graduations/<id:pk>/": lambda w: [{"pk": g.pk} for g in w.graduations.values()],
    "governance/graduations/<id:pk>/<str:action>/": lambda w: [
        {"pk": g.pk, "action": a}
        for g in w.graduations.values()
        for a in ("approve", "reject", "acknowledge")
    ],
    "desk/queue/views/<id:pk>/": _model_pks("common.SavedView"),
    "desk/queue/views/<id:pk>/delete/": _model_pks("common.SavedView"),
    "desk/tickets/<id:pk>/": _tickets,
    "desk/tickets/<id:pk>/edit/": _tickets,
    "desk/tickets/<id:pk>/move/<slug:move>/": _moves,
    "desk/tickets/<id:pk>/merge/": _tickets,
    "desk/tickets/<id:pk>/merge/<id:target_pk>/": lambda w: [
        {"pk": w.tickets[k].pk, "target_pk": w.partners[k].pk} for k in ("own", "other")
    ],
    "desk/canned/<id:pk>/": _model_pks("desk.CannedResponse"),
    "desk/canned/<id:pk>/delete/": _model_pks("desk.CannedResponse"),
    "desk/vendor-cases/<id:pk>/update/": _model_pks("desk.VendorCase"),
    "desk/tickets/<id:pk>/<slug:what>/": lambda w: [
        {"pk": t["pk"], "what": what} for t in _tickets(w)[:2] for what in ("reply", "note")
    ],
    "desk/embed/<str:platform_id>/": lambda w: [
        {"platform_id": s.platform_id} for s in (w.org.own, w.org.other)
    ],
    "sla/on-call/<id:pk>/overrides/": lambda w: [{"pk": r.pk} for r in w.rotations.values()],
    "notifications/<id:pk>/open/": _model_pks("notify.InboxItem"),
    "notifications/<id:pk>/read/": _model_pks("notify.InboxItem"),
    "notifications/outbox/<id:pk>/": _model_pks("notify.Notification"),
    "knowledge/<id:pk>/": _model_pks("knowledge.Article"),
    "knowledge/<id:pk>/edit/": _model_pks("knowledge.Article"),
    "knowledge/<id:pk>/submit/": _model_pks("knowledge.Article"),
    "knowledge/<id:pk>/publish/": _model_pks("knowledge.Article"),
    "knowledge/<id:pk>/vote/": _model_pks("knowledge.Article"),
    "knowledge/<id:pk>/retire/": _model_pks("knowledge.Article"),
    "integrations/webhooks/<id:pk>/delete/": _model_pks("integrations.WebhookSubscription"),
    "integrations/webhooks/<id:pk>/reactivate/": _model_pks("integrations.WebhookSubscription"),
    "knowledge/<id:pk>/revisions/<id:number>/": lambda w: [
        {**row, "number": 2} for row in _model_pks("knowledge.Article")(w)
    ],
}


def _path(route: str, kwargs: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(kwargs[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def _prepare(w: World) -> None:
    """User data is taken out of the text, but names that are also UI words or codes
    ("Maker", `partner`) would hide them: people get neutral names. An import run for the
    import pages, and one of each desk object its pages list."""
    from tierdesk.accounts.models import User
    from tierdesk.desk.models import TicketEvent
    from tierdesk.inventory.importers.services import import_run_execute
    from tierdesk.notify.models import InboxItem, Notification

    renamed: dict[str, str] = {}
    for user in User.objects.all():
        before = str(user)
        user.display_name = f"사용자 {user.pk}"
        user.username = f"u{user.pk}"
        user.email = user.upn = f"u{user.pk}@example.com"
        user.preferred_language = ""  # has not chosen: the browser's language applies
        user.save()
        renamed[before] = str(user)
    # The world was built while its people had English names and had chosen English:
    # what was written then (names in the timeline, mail and in-app notices in English)
    # is what those people would rightly see. Written again as if they had not chosen.
    for event in TicketEvent.objects.exclude(parameters={}):
        params = dict(event.parameters)
        for key in ("agent", "logged_by"):
            if params.get(key) in renamed:
                params[key] = renamed[params[key]]
        if params != event.parameters:
            TicketEvent.objects.filter(pk=event.pk).update(parameters=params)
    from tierdesk.desk.models import TicketMessage

    for before, after in renamed.items():
        TicketMessage.objects.filter(author_label=before).update(author_label=after)
    InboxItem.objects.all().delete()
    Notification.objects.all().delete()
    from tierdesk.desk import services as desk_services

    desk_services.ticket_reply(
        ticket=w.tickets["own"],
        author=User.objects.get(pk=w.org.users["agent"].pk),
        body="확인하고 있습니다.",
    )
    import_run_execute(paths=[SAMPLE_IMPORT], actor=w.org.users["admin"])
    # one of each thing the desk's own pages list, so their detail pages are read too
    from tierdesk.accounts.models import SupportTeam
    from tierdesk.common.models import SavedView
    from tierdesk.desk.models import CannedResponse, VendorCase

    help_desk = SupportTeam.objects.filter(kind="help_desk").first()
    CannedResponse.objects.create(title="첫 인사", body="안녕하세요.", team=help_desk)
    VendorCase.objects.create(
        ticket=w.tickets["own"], vendor="Microsoft", filed_by=w.org.users["platform"]
    )
    SavedView.objects.create(
        owner=w.org.users["agent"], page="desk.queue", name="내 보기", query="status=new"
    )
    # a published article with two revisions, so its page and its diff are read too
    from tierdesk.knowledge import services as knowledge

    written = knowledge.article_create(
        actor=None,
        data={"title": "프린터 연결", "body": "설정을 엽니다.", "owner": w.org.users["agent"]},
    )
    knowledge.article_update(
        article=written, actor=None, expected_version=1, data={"body": "설정을 다시 엽니다."}
    )
    knowledge.article_publish(article=written, actor=None)
    # the loops: a proposal from a resolved escalation, a review task from a product update
    # and one for a passed review date, an automation candidate
    from tierdesk.desk import ladder
    from tierdesk.knowledge import proposals
    from tierdesk.knowledge.models import FeedItem, FeedSubscription, ReviewTask

    platform_team = SupportTeam.objects.get(kind="platform")
    for key in ("own", "other"):
        ladder.ticket_assign(
            ticket=w.partners[key], actor=None, team=platform_team, reason="플랫폼 팀"
        )
        desk_services.ticket_resolve(ticket=w.partners[key], actor=None, reason="연결을 고쳤습니다")
    proposals.proposal_create(
        actor=None,
        ticket=w.partners["other"],
        data={
            "title": "연결 오류",
            "question": "흐름이 멈춰요",
            "resolution": "연결을 고쳤습니다",
            "topic": "data",
        },
    )
    feed = FeedSubscription.objects.order_by("pk").first()
    item = FeedItem.objects.create(
        feed=feed,
        guid="https://www.example.com/blog/?p=1",
        title="Printer connector settings moved",
        link="https://www.example.com/blog/printer-connector/",
        summary="The printer connector settings moved to the admin center.",
    )
    ReviewTask.objects.create(article=written, reason="feed_item", feed_item=item, matched="설정")
    ReviewTask.objects.create(article=written, reason="review_due")
    from tests.writes_insights import _candidate

    _candidate("open")(w, "own")
    # a connector a solution uses, for the CoE connector drill-down
    from tierdesk.inventory.models import Connector, SolutionConnector

    connector = Connector.objects.create(
        platform_id="shared_sharepointonline", name="SharePoint", tier="standard"
    )
    SolutionConnector.objects.create(solution=w.org.own, connector=connector)
    # the admin's prepared downloads: one being written (its live part), one whose file
    # is gone (the page says so), one that failed (its reason in the asker's words)
    import datetime as dt

    from tierdesk.common import clock
    from tierdesk.insights.models import PreparedDownload

    for status, rows, error in (
        ("running", 5000, ""),
        ("ready", 5000, ""),
        ("failed", None, "파일을 만들지 못했습니다."),
    ):
        PreparedDownload.objects.create(
            owner=w.org.users["admin"],
            export="unused-solutions",
            kind="xlsx",
            language="ko",
            title="미사용 솔루션",
            status=status,
            rows_total=rows,
            rows_done=1500 if rows else 0,
            error=error,
            expires_at=clock.now() + dt.timedelta(hours=24),
        )


def _check(html: str, data: list[str], phrases: list[Phrase], codes: set[str]) -> list[str]:
    text = without_data(visible_text(html), data)
    text = without_data(text, sorted(PRODUCT_WORDS, key=len, reverse=True))
    problems = [f"English “{p.msgid}”" for p in phrases if p.found_in(text)]
    if os.environ.get("KO_DEBUG") and problems:
        print(text)
    words = set(re.findall(r"(?<![\w-])[a-z][a-z0-9_]*(?![\w-])", text))
    problems += [f"code “{c}”" for c in sorted(words & codes)]
    return problems


def test_visible_text_and_checks() -> None:
    html = (
        '<p title="Due soon">마감 <b>waiting_on_requester</b></p><script>var x="Save";</script>'
        '<code>p1</code><form class="language"><option>English</option></form>'
    )
    text = visible_text(html)
    assert "Due soon" in text and "waiting_on_requester" in text
    assert "Save" not in text and "p1" not in text and "English" not in text
    phrases = [Phrase("Due soon"), Phrase("%(n)s tickets waiting"), Phrase("Solutions")]
    problems = _check(html, [], phrases, {"waiting_on_requester", "p1"})
    assert problems == ["English “Due soon”", "code “waiting_on_requester”"]
    assert Phrase("%(n)s tickets waiting").found_in("오늘 12 tickets waiting 입니다")
    assert not Phrase("Solutions").found_in("Solutions-hub")
    assert _check("<p>Line check 제목</p>", ["Line check"], [Phrase("Line")], set()) == []


def test_every_page_route_with_ids_can_be_filled() -> None:
    """A new page route with ids needs a row in FILL, or this test cannot open it."""
    unfilled = [r for r in page_routes() if "<" in r and r not in FILL]
    assert unfilled == []


@pytest.mark.django_db
def test_every_page_is_korean_for_every_role(world: World) -> None:  # noqa: F811
    _prepare(world)
    phrases = [Phrase(m) for m in _msgids()]
    codes = _codes()
    # stored text that is itself a UI string (a default named in English) is not excused
    data = [d for d in _stored_strings(codes) if d not in {p.msgid for p in phrases}]
    routes = page_routes()
    users = {role: world.org.users[role] for role in ROLES}
    failures: list[str] = []
    visited: list[str] = []
    opened = 0
    for role in [*ROLES, "anonymous"]:
        client = Client(HTTP_ACCEPT_LANGUAGE="ko")
        if role != "anonymous":
            client.force_login(users[role])
        for route in routes:
            candidates = FILL[route](world) if "<" in route else [{}]
            for kwargs in candidates:
                path = _path(route, kwargs)
                response = client.get(path)
                if response.status_code != 200:
                    continue
                if not response.get("Content-Type", "").startswith("text/html"):
                    break
                opened += 1
                visited.append(f"{path} [{role}]")
                html = response.content.decode()
                for problem in _check(html, data, phrases, codes):
                    if (route, role) not in KNOWN_ENGLISH_PAGES:
                        failures.append(f"{path} [{role}]: {problem}")
                break
    print("\n".join(visited))  # which pages were read (pytest -s shows them)
    assert opened > 100
    if failures:
        pytest.fail(f"{len(failures)} English words or codes:\n" + "\n".join(failures))
