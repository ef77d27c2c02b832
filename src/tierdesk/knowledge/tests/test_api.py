"""The knowledge API: the same rules as the pages (hidden is 404, refused is 403), the
version check (409 with both versions), moves and revisions; the schema lists it."""

from __future__ import annotations

from rest_framework.test import APIClient

from conftest import Org
from tierdesk.knowledge.models import Article
from tierdesk.knowledge.tests.factories import article

URL = "/api/v1/knowledge/articles/"


def _api(org: Org, role: str) -> APIClient:
    api = APIClient()
    api.force_authenticate(org.users[role])
    return api


def test_create_update_conflict_and_moves(org: Org) -> None:
    agent = _api(org, "agent")
    made = agent.post(
        URL,
        {
            "title": "Teams 알림 설정",
            "body": "본문",
            "topic": "how_to",
            "audience": "public",
            "solutions": [org.own.pk],
            "note": "첫 판",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["status"] == "draft" and body["owner"] == org.users["agent"].pk
    assert body["solutions"] == [org.own.pk] and body["version"] == 1
    pk = body["id"]
    changed = agent.patch(f"{URL}{pk}/", {"body": "고친 본문", "version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = agent.patch(f"{URL}{pk}/", {"body": "늦은 본문", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["body"] == "고친 본문"
    assert stale.json()["yours"]["body"] == "늦은 본문"
    assert agent.patch(f"{URL}{pk}/", {"body": "x"}, format="json").status_code == 400
    assert agent.post(f"{URL}{pk}/submit/").json()["status"] == "in_review"
    assert agent.post(f"{URL}{pk}/submit/").status_code == 400
    assert agent.post(f"{URL}{pk}/publish/").json()["status"] == "published"
    revisions = agent.get(f"{URL}{pk}/revisions/").json()
    assert [r["number"] for r in revisions] == [2, 1]
    requester = _api(org, "requester")
    assert requester.get(f"{URL}{pk}/").status_code == 200
    assert requester.get(f"{URL}{pk}/revisions/").status_code == 404
    assert requester.post(f"{URL}{pk}/retire/").status_code == 403
    assert (
        requester.patch(f"{URL}{pk}/", {"body": "x", "version": 3}, format="json").status_code
        == 403
    )
    assert agent.post(f"{URL}{pk}/retire/").json()["status"] == "retired"
    assert requester.get(f"{URL}{pk}/").status_code == 404


def test_reads_follow_the_rules(org: Org) -> None:
    owner = org.users["agent"]
    internal = article(owner=owner, title="내부", status="published")
    public = article(owner=owner, title="공개", audience="public", status="published")
    draft = article(owner=owner, title="초안", audience="public")
    seen = {r["id"] for r in _api(org, "requester").get(URL).json()["results"]}
    assert seen == {public.pk}
    assert _api(org, "requester").get(f"{URL}{internal.pk}/").status_code == 404
    seen = {r["id"] for r in _api(org, "manager").get(URL).json()["results"]}
    assert seen == {internal.pk, public.pk, draft.pk}
    rows = _api(org, "agent").get(URL, {"status": "draft"}).json()["results"]
    assert [r["id"] for r in rows] == [draft.pk]


def test_refused_and_bad_writes(org: Org) -> None:
    requester, manager = _api(org, "requester"), _api(org, "manager")
    assert requester.post(URL, {"title": "t", "body": "b"}, format="json").status_code == 403
    assert manager.post(URL, {"title": "t", "body": "b"}, format="json").status_code == 403
    agent = _api(org, "agent")
    bad = agent.post(URL, {"title": "t", "body": "b", "topic": "nope"}, format="json")
    assert bad.status_code == 400 and "topic" in bad.json()["errors"]
    hidden = article(owner=org.users["other_maker"], title="남의 초안")
    # a ticket or translation out of sight reads as one that does not exist
    unseen = agent.post(URL, {"title": "t", "body": "b", "translation_of": 10**12}, format="json")
    assert unseen.status_code == 400
    maker = _api(org, "maker")
    assert maker.get(f"{URL}{hidden.pk}/").status_code == 404
    assert not Article.objects.exclude(pk=hidden.pk).exists()


def test_the_schema_lists_the_articles(org: Org) -> None:
    schema = _api(org, "agent").get("/api/schema/?format=json").json()
    assert f"{URL.removesuffix('/').replace('/api/v1', '/api/v1')}/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/knowledge/articles/{id}/publish/"]
