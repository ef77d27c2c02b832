"""An article's files and images: what is accepted, and how the article's Markdown shows
them.

Accepted: the ticket attachments' types and size (`desk.services.ALLOWED_ATTACHMENT_TYPES`,
`DeskSettings.max_attachment_mb`); an image must also be what its name says (its first
bytes, `desk.intake.image_kind`), because images are served inline.

In the body, a writer refers to an attachment by its number:

    ![The settings screen](attachment:12)     an image, shown in the article
    [the log](attachment:13)                  a link that downloads the file

Only attachments of the same article are resolved; any other number stays as typed. The
references are swapped for placeholders before the Markdown renderer runs (it escapes
everything), then for `<img>`/`<a>` pointing at the download view, and nh3 cleans the
result once more, keeping an `<img>` only when its `src` is one of those download URLs."""

from __future__ import annotations

import html
import re
import secrets
from pathlib import Path

import nh3
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from tierdesk.common import markdown
from tierdesk.desk.intake import IMAGE_KINDS, image_kind
from tierdesk.desk.models import DeskSettings
from tierdesk.desk.services import ALLOWED_ATTACHMENT_TYPES
from tierdesk.knowledge.models import Article, ArticleAttachment

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
"""Types served inline (`Content-Disposition: inline`) and shown in the article body."""
MAX_PER_ARTICLE = 50
REFERENCE = re.compile(r"(!?)\[([^\]\n]{0,200})\]\(attachment:(\d{1,18})\)")


def is_image(attachment: ArticleAttachment) -> bool:
    return attachment.content_type in IMAGE_TYPES


def markdown_for(attachment: ArticleAttachment) -> str:
    """What a writer pastes into the body to show or link this attachment."""
    alt = Path(attachment.name).stem.replace("[", "(").replace("]", ")")[:100]
    if is_image(attachment):
        return f"![{alt}](attachment:{attachment.pk})"
    return f"[{alt}](attachment:{attachment.pk})"


def upload_check(upload: UploadedFile[bytes], *, count: int = 0) -> tuple[str, str]:
    """(name, content type) of an acceptable upload, or ValidationError {"file": …}: the
    ticket attachments' types and size limit; an image must really be that image."""
    name = Path(upload.name or "file").name.replace("\x00", "")[:200] or "file"
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            {"file": _("This type of file is not accepted: %s") % (suffix or name)}
        )
    limit_mb = DeskSettings.load().max_attachment_mb
    if (upload.size or 0) > limit_mb * 1024 * 1024:
        raise ValidationError({"file": _("Files may be at most %d MB.") % limit_mb})
    if not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = ALLOWED_ATTACHMENT_TYPES[suffix]
    if content_type in IMAGE_TYPES:
        upload.seek(0)
        kind = image_kind(bytes(upload.read(32)))
        upload.seek(0)
        expected = {".jpeg": ".jpg"}.get(suffix, suffix)
        if kind is None or IMAGE_KINDS[kind] != expected:
            raise ValidationError(
                {"file": _("“%(name)s” is not the image its name says.") % {"name": name}}
            )
    if count >= MAX_PER_ARTICLE:
        raise ValidationError({"file": _("An article keeps at most %d files.") % MAX_PER_ARTICLE})
    return name, content_type


def download_url(attachment: ArticleAttachment, *, embed: bool = False) -> str:
    """The one way to fetch the file: the reader's view (asks `can_read`) or, on the
    embedded form's article page, the embed's (anonymous-audience articles only)."""
    name = "knowledge:embed-attachment" if embed else "knowledge:attachment"
    return reverse(name, args=[attachment.article_id, attachment.pk])


def render_body(
    article: Article, *, embed: bool = False, attachments: list[ArticleAttachment] | None = None
) -> str:
    """The article's body as safe HTML, its attachment references resolved."""
    source = article.body or ""
    if "attachment:" not in source:
        return markdown.render(source)
    known = {
        a.pk: a for a in (attachments if attachments is not None else article.attachments.all())
    }
    nonce = secrets.token_hex(8)
    used: list[tuple[bool, str, ArticleAttachment]] = []

    def hold(match: re.Match[str]) -> str:
        bang, alt, pk = match.groups()
        found = known.get(int(pk))
        if found is None:
            return match.group(0)
        used.append((bang == "!", alt, found))
        return f"kbref{nonce}n{len(used) - 1}x"

    rendered = markdown.render(REFERENCE.sub(hold, source))
    urls = {download_url(a, embed=embed) for _image, _alt, a in used}

    def put(match: re.Match[str]) -> str:
        image, alt, found = used[int(match.group(1))]
        url = html.escape(download_url(found, embed=embed))
        if image and is_image(found):
            return f'<img src="{url}" alt="{html.escape(alt)}">'
        return f'<a href="{url}">{html.escape(alt or found.name)}</a>'

    with_files = re.sub(rf"kbref{nonce}n(\d+)x", put, rendered)

    def keep(element: str, attribute: str, value: str) -> str | None:
        if (element, attribute) == ("img", "src") or (
            (element, attribute) == ("a", "href") and value.startswith("/")
        ):
            return value if value in urls else None
        return value

    return nh3.clean(
        with_files,
        tags=markdown.ALLOWED_TAGS | {"img"},
        attributes={"a": {"href"}, "img": {"src", "alt"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=keep,
    )
