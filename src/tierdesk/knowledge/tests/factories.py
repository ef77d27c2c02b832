"""Articles for tests, written through the services as tierdesk itself (actor None)."""

from __future__ import annotations

from typing import Any

from tierdesk.knowledge import services
from tierdesk.knowledge.models import Article


def article(*, status: str = "draft", **data: Any) -> Article:
    data.setdefault("title", "프린터 연결 방법")
    data.setdefault("body", "설정에서 **프린터**를 추가합니다.")
    found = services.article_create(actor=None, data=data)
    if status in {"in_review"}:
        found = services.article_submit(article=found, actor=None)
    if status in {"published", "retired"}:
        found = services.article_publish(article=found, actor=None)
    if status == "retired":
        found = services.article_retire(article=found, actor=None)
    return found
