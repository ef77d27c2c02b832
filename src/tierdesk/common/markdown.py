"""The one Markdown renderer for text users write (ticket bodies, onboarding pages,
justifications): a small subset — paragraphs, line breaks, headings, lists, **bold**,
*italic*, `code`, code blocks, quotes, links. User text is escaped first, so only the tags
produced here can appear, and nh3 is the final gate (design.md §6)."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "h5",
}
_HEADING = re.compile(r"^(#{1,4}) (.+)$")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^\s)]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<!\*)\*([^*]+)\*(?!\*)")
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    text = _CODE.sub(r"<code>\1</code>", text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    return _LINK.sub(r'<a href="\2">\1</a>', text)


def render(source: str) -> str:
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", html.escape(source or "", quote=False).strip()):
        lines = block.splitlines()
        if not lines:
            continue
        heading = _HEADING.match(lines[0]) if len(lines) == 1 else None
        if heading:
            level = len(heading.group(1)) + 1  # the page's own title is the h1
            blocks.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif block.startswith("```"):
            code = "\n".join(line for line in lines if not line.startswith("```"))
            blocks.append(f"<pre><code>{code}</code></pre>")
        elif all(re.match(r"^\s*[-*] ", line) for line in lines):
            items = "".join(f"<li>{_inline(line.split(' ', 1)[1])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif all(re.match(r"^\s*\d+\. ", line) for line in lines):
            items = "".join(f"<li>{_inline(line.split('. ', 1)[1])}</li>" for line in lines)
            blocks.append(f"<ol>{items}</ol>")
        elif all(line.startswith("&gt;") for line in lines):
            inner = "<br>".join(_inline(line[4:].strip()) for line in lines)
            blocks.append(f"<blockquote>{inner}</blockquote>")
        else:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return nh3.clean(
        "".join(blocks),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_ANY_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_LINE_MARK = re.compile(r"^\s*(?:#{1,6}\s+|(?:&gt;|>)\s?|[-*+]\s+|\d+\.\s+)")
_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)[*_`]|[*_`](?!\w))")


def plain_text(source: str) -> str:
    """The words a reader of `render(source)` sees, without Markdown's marks: heading and
    list marks, emphasis, code fences and quote marks dropped, links and images replaced
    by their text. For search (its snippets quote this text) and previews."""
    lines: list[str] = []
    for line in (source or "").splitlines():
        if line.lstrip().startswith("```"):
            continue
        line = _LINE_MARK.sub("", line)
        line = _ANY_LINK.sub(r"\1", _IMAGE.sub(r"\1", line))
        lines.append(_EMPHASIS.sub("", line).strip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
