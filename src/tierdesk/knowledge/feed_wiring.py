"""What the feed part of the knowledge base hooks into when the app is ready: two daily
jobs (fetching the product-update feeds, review tasks for articles past their review
date)."""

from __future__ import annotations


def register() -> None:
    """Called once from `KnowledgeConfig.ready`."""
    from tierdesk.common.daily import register_daily

    register_daily(
        "knowledge-feeds",
        "tierdesk.knowledge.feeds.feeds_fetch_all",
        "Product-update feeds: new posts stored and matched to articles (review tasks).",
    )
    register_daily(
        "knowledge-review-due",
        "tierdesk.knowledge.review_tasks.review_due_tasks",
        "Review tasks for published articles past their review-by date.",
    )
