"""A readable difference between two revisions of an article: words (and the spaces and
punctuation between them) compared with difflib, every piece HTML-escaped, what was added
in `<ins>` and what was removed in `<del>`. Line breaks are kept; the page shows them."""

from __future__ import annotations

import difflib
import html
import re

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def diff_html(before: str, after: str) -> str:
    """HTML (already escaped) showing how `before` became `after`."""
    old, new = _tokens(before), _tokens(after)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(old[i1:i2])))
            continue
        if op in {"delete", "replace"}:
            out.append(f"<del>{html.escape(''.join(old[i1:i2]))}</del>")
        if op in {"insert", "replace"}:
            out.append(f"<ins>{html.escape(''.join(new[j1:j2]))}</ins>")
    return "".join(out)


def changed(before: str, after: str) -> bool:
    return (before or "") != (after or "")
