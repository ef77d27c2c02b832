"""Intake: what the portal's request form and the embedded form need beyond the services.

- Naming the solution a request is about: a typed text that names one solution picks it;
  one that matches several offers them as choices; one that matches none says so and
  lets the request go without a solution. Never a silent pick among several.
- The embedded form's guards (a honeypot, a signed fill time) turn a suspicious
  submission into an honest "send it again" page that keeps what was typed; a signed
  retry stamp lets the resubmission through, and each rendered form carries a nonce so a
  form sent twice files one ticket.
- Screenshots: up to three images, recognised by their content, not their name.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser
from enum import StrEnum
from pathlib import Path
from typing import Any

from django import forms
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import User
from tierdesk.accounts.pickers import PersonPickerField
from tierdesk.accounts.selectors import user_find_by_principal
from tierdesk.common.ids import form_id
from tierdesk.desk import selectors
from tierdesk.desk import services as desk_services
from tierdesk.desk.choices import Channel
from tierdesk.desk.forms import BypassForm, EmbedForm, TicketForm
from tierdesk.desk.models import DeskSettings, Ticket, TicketAttachment
from tierdesk.inventory.models import Solution
from tierdesk.inventory.pickers import SolutionPickerField

# ----------------------------------------------------------------- naming a solution

NO_SOLUTION = "none"
MAX_CHOICES = 8


@dataclass(frozen=True)
class SolutionMatch:
    """What a typed solution text names: exactly one solution, or the choices to offer
    (`exact`: they all carry that very name; otherwise their names contain it)."""

    solution: Solution | None
    choices: tuple[Solution, ...] = ()
    exact: bool = False


def solution_match(user: Any, text: str) -> SolutionMatch:
    """A platform id names its solution (the id an app's "About" shows); otherwise the
    solutions the user may name (`selectors.solutions_nameable_by`) with that exact name
    (any case) — one is picked, several are offered — and failing that, up to eight whose
    name contains the text, always offered, never picked."""
    text = " ".join((text or "").split())
    if not text:
        return SolutionMatch(None)
    by_id = selectors.solution_by_platform_id(text)
    if by_id is not None:
        return SolutionMatch(by_id)
    nameable = selectors.solutions_nameable_by(user).select_related("environment", "maker")
    exact = list(nameable.filter(name__iexact=text).order_by("name", "id")[: MAX_CHOICES + 1])
    if len(exact) == 1:
        return SolutionMatch(exact[0])
    if exact:
        return SolutionMatch(None, tuple(exact[:MAX_CHOICES]), exact=True)
    near = nameable.filter(name__icontains=text).order_by("name", "id")[:MAX_CHOICES]
    return SolutionMatch(None, tuple(near))


def solution_label(solution: Solution) -> str:
    """How a choice reads: its name, environment and maker (what tells two apps apart)."""
    parts = [solution.name]
    if solution.environment_id is not None:
        parts.append(str(solution.environment.name))
    if solution.maker is not None:
        parts.append(str(solution.maker))
    return " · ".join(parts)


@dataclass(frozen=True)
class Unsettled:
    """Typed text the picker could not settle on one solution: the form offers choices."""

    text: str


def _typed(value: Any) -> Any:
    """A picker's posted value with a non-numeric "id" read as typed text: a form or a
    script that posts `solution=<platform id>` or `requester=<user name>` directly means
    what it typed."""
    typed_as_id = isinstance(value, tuple) and not value[1].strip() and value[0].strip()
    if typed_as_id and not form_id(value[0]):
        return ("", value[0])
    return value


class RequestSolutionField(SolutionPickerField):
    """The solution picker (`inventory.pickers`); what it cannot settle — several matches,
    none it may see — is handed to the form as `Unsettled` to offer choices, instead of an
    error that only names them."""

    def to_python(self, value: Any) -> Any:
        value = _typed(value)
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code not in {"several", "none"}:
                raise
            text = value[1] if isinstance(value, tuple) and value[1].strip() else value[0]
            return Unsettled(" ".join(str(text).split()))

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(data and any(data)) if isinstance(data, tuple) else bool(data)


class RequesterField(PersonPickerField):
    """The person picker; a user name posted as the value is read as typed."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(_typed(value))


class SolutionChoiceMixin(forms.Form):
    """The solution picker plus `solution_choice`: radio buttons offered when the typed
    text matches several solutions (or none), with "I don't know / not about an app". The
    named solution (or None) ends in `cleaned_data["solution_obj"]`."""

    # A text field drawn as radio buttons: `clean` checks the pick against the matches.
    solution_choice = forms.CharField(
        label=_("Which one?"), required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.label_suffix = ""
        self.fields["solution"] = RequestSolutionField(
            user=user,
            required=False,
            label=_("Solution"),
            help_text=_(
                "The app, flow or chatbot this is about: type part of its name and pick it, "
                "or give its platform id. Leave it empty if you don't know."
            ),
        )
        self.offered = False

    def _offer(self, choices: Sequence[Solution]) -> None:
        widget = self.fields["solution_choice"].widget
        assert isinstance(widget, forms.RadioSelect)
        widget.choices = [
            *((str(s.pk), solution_label(s)) for s in choices),
            (NO_SOLUTION, _("I don't know / not about an app")),
        ]
        self.offered = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        value = cleaned.get("solution")
        choice = (self.data.get("solution_choice") or "").strip()
        cleaned["solution_obj"] = None
        if isinstance(value, Solution):
            cleaned["solution_obj"] = value
            return cleaned
        if not isinstance(value, Unsettled) or not value.text or choice == NO_SOLUTION:
            return cleaned
        text = value.text
        match = solution_match(self.user, text)
        if match.solution is not None:
            cleaned["solution_obj"] = match.solution
            return cleaned
        picked = next((s for s in match.choices if str(s.pk) == choice), None)
        if picked is not None:
            cleaned["solution_obj"] = picked
            return cleaned
        self._offer(match.choices)
        if match.exact:
            message = _("Several solutions are called “%(text)s”. Pick the one you mean below.")
        elif match.choices:
            message = _(
                "No solution is called exactly “%(text)s”; these contain it. Pick the one you "
                "mean below, or “I don't know / not about an app”."
            )
        else:
            message = _(
                "No solution you can see matches “%(text)s”. Correct it, or choose "
                "“I don't know / not about an app” and send the request without one."
            )
        self.add_error("solution", message % {"text": text})
        return cleaned


class RequestForm(SolutionChoiceMixin, TicketForm):
    """The portal's request form."""

    field_order = ["subject", "description", "solution", "solution_choice"]


class LogForSomeoneForm(SolutionChoiceMixin, BypassForm):
    """The expert bypass form: who asked, by the person picker (any active person)."""

    field_order = ["requester", "subject", "solution", "solution_choice"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["requester"] = RequesterField(
            queryset=User.objects.filter(is_active=True, kind=AccountKind.PERSON),
            label=_("Who asked"),
            help_text=_("Type part of their name, user name or e-mail and pick them."),
        )


# ------------------------------------------------------------------------ screenshots

MAX_SCREENSHOTS = 3
MAX_SCREENSHOT_MB = 5
IMAGE_KINDS = {"png": ".png", "jpeg": ".jpg", "gif": ".gif", "webp": ".webp"}


def image_kind(head: bytes) -> str | None:
    """What image a file's first bytes say it is (png, jpeg, gif, webp), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in {b"GIF87a", b"GIF89a"}:
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:15] == b"VP8":
        return "webp"
    return None


def _head(upload: UploadedFile[bytes]) -> bytes:
    upload.seek(0)
    head: bytes = bytes(upload.read(32))
    upload.seek(0)
    return head


def screenshot_check(upload: UploadedFile[bytes]) -> UploadedFile[bytes]:
    """The upload, named by its content's type (the attachment service reads the name),
    or ValidationError saying why it is refused."""
    name = Path(upload.name or "screenshot").name
    kind = image_kind(_head(upload))
    if kind is None:
        raise ValidationError(
            _("“%(name)s” is not a PNG, JPEG, WebP or GIF image.") % {"name": name},
            code="type",
        )
    limit_mb = min(MAX_SCREENSHOT_MB, DeskSettings.load().max_attachment_mb)
    if (upload.size or 0) > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("“%(name)s” is %(size).1f MB; each screenshot may be at most %(limit)d MB.")
            % {"name": name, "size": (upload.size or 0) / 1024 / 1024, "limit": limit_mb},
            code="size",
        )
    suffix = IMAGE_KINDS[kind]
    if suffix not in desk_services.ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            _("“%(name)s”: this kind of image is not accepted here yet.") % {"name": name},
            code="type",
        )
    stem = Path(name).stem or "screenshot"
    if Path(name).suffix.lower() not in {suffix, ".jpeg" if kind == "jpeg" else suffix}:
        upload.name = f"{stem}{suffix}"
    return upload


class MultipleImageInput(forms.FileInput):
    allow_multiple_selected = True


class ScreenshotsField(forms.FileField):
    """Up to three images; each checked by `screenshot_check`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleImageInput(
                attrs={"accept": "image/png,image/jpeg,image/webp,image/gif", "multiple": True}
            ),
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_SCREENSHOTS:
            raise ValidationError(
                _("At most %(n)d screenshots; you chose %(chosen)d.")
                % {"n": MAX_SCREENSHOTS, "chosen": len(files)},
                code="count",
            )
        problems: list[ValidationError] = []
        checked = []
        for upload in files:
            single = super().clean(upload, initial)
            try:
                checked.append(screenshot_check(single))
            except ValidationError as error:
                problems.append(error)
        if problems:
            raise ValidationError(problems)
        return checked


def screenshots_attach(
    *, ticket: Ticket, uploads: Sequence[UploadedFile[bytes]]
) -> tuple[list[TicketAttachment], list[str]]:
    """Attach checked screenshots as tierdesk itself (the intake, actor None, as the
    service allows). Returns what was kept and, in words, what could not be."""
    kept: list[TicketAttachment] = []
    refused: list[str] = []
    for upload in uploads:
        try:
            kept.append(desk_services.ticket_attach(ticket=ticket, actor=None, upload=upload))
        except ValidationError as error:
            refused.append(f"{upload.name}: {' '.join(error.messages)}")
    return kept, refused


# ---------------------------------------------------------------- the embedded form

STAMP_SALT = "desk.embed"
RETRY_MAX_AGE_S = 24 * 3600
NONCE_TTL_S = 24 * 3600
DONE_SALT = "desk.embed.done"
DONE_MAX_AGE_S = 24 * 3600


class Verdict(StrEnum):
    OK = "ok"
    TOO_FAST = "too_fast"
    UNSIGNED = "unsigned"
    HONEYPOT = "honeypot"


@dataclass(frozen=True)
class Stamp:
    age_s: float  # -1 when forged or missing
    nonce: str = ""
    retry: bool = False


def stamp(*, retry: bool = False) -> str:
    """A signed "form shown at" time with a fresh nonce; a retry stamp is what the
    send-again page carries, so the resubmission is not refused for speed."""
    value = f"{time.time():.3f}:{secrets.token_urlsafe(12)}"
    return signing.Signer(salt=STAMP_SALT).sign(value + (":retry" if retry else ""))


def stamp_read(value: str) -> Stamp:
    try:
        parts = signing.Signer(salt=STAMP_SALT).unsign(value or "").split(":")
        return Stamp(
            age_s=time.time() - float(parts[0]),
            nonce=parts[1] if len(parts) > 1 else "",
            retry=len(parts) > 2 and parts[2] == "retry",
        )
    except (signing.BadSignature, ValueError):
        return Stamp(age_s=-1.0)


def embed_verdict(*, honeypot: str, sent: Stamp, min_seconds: float) -> Verdict:
    """Whether a submission looks like a person's. Anything else gets the send-again page
    (nothing is filed, nothing pretends it was)."""
    if honeypot.strip():
        return Verdict.HONEYPOT
    if sent.age_s < 0:
        return Verdict.UNSIGNED
    if sent.retry:
        return Verdict.OK if sent.age_s <= RETRY_MAX_AGE_S else Verdict.UNSIGNED
    return Verdict.OK if sent.age_s >= min_seconds else Verdict.TOO_FAST


class EmbedIntakeForm(EmbedForm):
    """The embedded form with screenshots; the stamp is read by `stamp_read`, so a missing
    one is a send-again, not an invisible field error."""

    screenshots = ScreenshotsField(
        label=_("Screenshots"),
        help_text=_("Up to 3 images (PNG, JPEG, WebP or GIF), at most 5 MB each."),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["name", "email", "subject", "description", "screenshots", "topic", "urgency"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})


def nonce_claim(nonce: str) -> int | None:
    """First sending of a rendered form: None (go on and file). A second sending of the
    same form returns the ticket the first one filed; while the first is still being
    filed, wait for it a few seconds, then file anyway (a duplicate beats a loss)."""
    if not nonce:
        return None
    key = f"desk:embed:nonce:{nonce}"
    if cache.add(key, 0, timeout=NONCE_TTL_S):
        return None
    for _attempt in range(20):
        found = cache.get(key)
        if found:
            return int(found)
        if found is None:
            break
        time.sleep(0.25)
    cache.set(key, 0, timeout=NONCE_TTL_S)
    return None


def nonce_filed(nonce: str, ticket: Ticket | None) -> None:
    """Record the ticket a form filed (or free the nonce when nothing was filed)."""
    if not nonce:
        return
    key = f"desk:embed:nonce:{nonce}"
    if ticket is None:
        cache.delete(key)
    else:
        cache.set(key, ticket.pk, timeout=NONCE_TTL_S)


def done_token(ticket: Ticket, refused: Sequence[str] = ()) -> str:
    return signing.dumps({"t": ticket.pk, "r": list(refused)}, salt=DONE_SALT)


def done_read(token: str) -> tuple[Ticket, list[str]] | None:
    """The ticket a thank-you link names (signed, for a day), and the files refused."""
    try:
        data = signing.loads(token, salt=DONE_SALT, max_age=DONE_MAX_AGE_S)
        ticket = Ticket.objects.filter(pk=int(data["t"])).first()
        refused = [str(x) for x in data.get("r", [])]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return (ticket, refused) if ticket is not None else None


# ------------------------------------------------------------------------------ e-mail
#
# One parser for every mail tierdesk reads (the `desk_inbound` command's .eml files and
# the mailbox poller, `desk.imap_poll`): `mail_parse` turns the raw RFC 5322 bytes into
# the `InboundMessage` the desk services thread (`services.ticket_inbound_email`), plus
# what the poller needs to decide: whether the mail was sent by a machine, and its files.

MAIL_MAX_BODY_CHARS = 100_000
MAIL_MAX_ATTACHMENTS = 10
# Precedence values that mark list or machine mail (RFC 3834 §3.1.8 names "bulk", "list"
# and "junk"; "auto_reply" is what several autoresponders send instead of Auto-Submitted).
AUTO_PRECEDENCE = frozenset({"bulk", "list", "junk", "auto_reply"})
DAEMON_LOCALPARTS = frozenset({"mailer-daemon", "postmaster"})
# The Message-ID shape tierdesk's own ticket notifications carry (`notify.senders.message_id`):
# <tierdesk.TD-000123.<anything>@host>; a reply naming it in In-Reply-To or References
# threads into TD-000123 even without the subject tag.
SENT_ID_RE = re.compile(r"<tierdesk\.(TD-\d{6,})\.[^@<>\s]*@[^<>\s]+>", re.IGNORECASE)


@dataclass(frozen=True)
class MailFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class ParsedMail:
    message: desk_services.InboundMessage
    sender_name: str
    language: str
    automatic: str  # why the mail is machine-sent ("" for a person's mail)
    files: tuple[MailFile, ...]


def _header(message: EmailMessage, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "") or "").split())
    except (ValueError, TypeError, IndexError):  # a malformed header is no header
        return ""


def mail_automatic(message: EmailMessage, sender: str) -> str:
    """Why a mail was sent by a machine and must not become a ticket or a reply, or "".

    - `Auto-Submitted` other than "no" (RFC 3834 §5: auto-replied, auto-generated, …);
    - `X-Auto-Response-Suppress` other than "None" (Exchange stamps it on its automatic
      replies and reports; [MS-OXCMAIL] §2.2.3.2.20);
    - `Precedence: bulk | list | junk | auto_reply`;
    - a delivery or read report (`multipart/report`, RFC 6522), or a sender named
      MAILER-DAEMON or postmaster, or an empty return path (`Return-Path: <>`, RFC 5321
      §4.5.5: what bounces carry)."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto}"[:200]
    suppress = _header(message, "X-Auto-Response-Suppress")
    if suppress and suppress.lower() != "none":
        return f"X-Auto-Response-Suppress: {suppress}"[:200]
    precedence = _header(message, "Precedence").lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if message.get_content_type() == "multipart/report":
        kind = message.get_param("report-type") or "report"
        return f"multipart/report ({kind})"[:200]
    if sender.split("@")[0].lower() in DAEMON_LOCALPARTS:
        return f"From: {sender}"[:200]
    if _header(message, "Return-Path") == "<>":
        return "Return-Path: <>"
    return ""


def _addresses(message: EmailMessage, name: str) -> tuple[str, str]:
    value: Any = message.get(name, "")
    try:
        found = getattr(value, "addresses", None)
    except (ValueError, TypeError, IndexError):
        found = None
    if found:
        return str(found[0].addr_spec), str(found[0].display_name or "")
    return str(value or "").strip(), ""


def mail_parse(raw: bytes) -> ParsedMail:
    """Read one mail (RFC 5322 bytes). Its text is the plain part (else the HTML part's
    text as sent); attachments are the parts `iter_attachments` yields (Python's email
    package: parts that are not the body)."""
    message = BytesParser(policy=email_policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        body = str(part.get_content()) if part is not None else ""
    except (LookupError, ValueError, KeyError):
        body = ""
    sender, sender_name = _addresses(message, "From")
    files: list[MailFile] = []
    if not message.is_multipart() or message.get_content_type() != "multipart/report":
        for attachment in message.iter_attachments():
            name = attachment.get_filename() or ""
            if not name:
                continue
            try:
                content = attachment.get_payload(decode=True)
            except (ValueError, TypeError):
                continue
            if isinstance(content, bytes):
                files.append(MailFile(Path(name).name or "file", content))
    language = _header(message, "Content-Language").split(",")[0].strip().lower()[:2]
    return ParsedMail(
        message=desk_services.InboundMessage(
            from_address=sender,
            subject=_header(message, "Subject"),
            body=body[:MAIL_MAX_BODY_CHARS],
            message_id=_header(message, "Message-ID"),
            in_reply_to=_header(message, "In-Reply-To"),
            references=tuple(_header(message, "References").split()),
        ),
        sender_name=sender_name,
        language=language,
        automatic=mail_automatic(message, sender),
        files=tuple(files),
    )


def mail_ticket(message: desk_services.InboundMessage) -> Ticket | None:
    """The ticket a mail answers: the subject tag or a Message-ID tierdesk received
    (`services.ticket_for_inbound`), else a mail the poller filed as a ticket, else a
    Message-ID of tierdesk's own notifications (`SENT_ID_RE`) in In-Reply-To/References."""
    from tierdesk.desk.mailbox_models import MailboxMessage

    ticket = desk_services.ticket_for_inbound(message)
    if ticket is not None:
        return ticket
    ids = [i for i in (message.in_reply_to, *message.references) if i]
    if not ids:
        return None
    read = (
        MailboxMessage.objects.filter(message_id__in=ids, ticket__isnull=False)
        .order_by("-id")
        .first()
    )
    if read is not None:
        return read.ticket
    for value in reversed(ids):
        found = SENT_ID_RE.fullmatch(value.strip())
        if found:
            ticket = Ticket.objects.filter(number=found.group(1).upper()).first()
            if ticket is not None:
                return ticket
    return None


def mail_file_check(file: MailFile) -> str:
    """Why a mailed file is not kept ("" to keep it): the attachment service's own types
    and size (`services.ticket_attach`), and an image must be the image it says."""
    suffix = Path(file.name).suffix.lower()
    if suffix in {".png", ".jpg", ".jpeg", ".gif", ".webp"}:
        kind = image_kind(file.content[:32])
        if kind is None or IMAGE_KINDS[kind] != (".jpg" if suffix == ".jpeg" else suffix):
            return str(_("“%(name)s” is not the image its name says.") % {"name": file.name})
    return ""


def mail_attach(*, ticket: Ticket, files: Sequence[MailFile]) -> list[str]:
    """Keep a mail's files with its ticket through `services.ticket_attach` (the same
    types and size limit as every attachment; tierdesk itself, actor None). At most
    `MAIL_MAX_ATTACHMENTS`. Returns, in words, what was not kept."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused: list[str] = []
    for index, file in enumerate(files):
        if index >= MAIL_MAX_ATTACHMENTS:
            refused.append(
                str(_("%(name)s: at most %(n)d files per mail."))
                % {"name": file.name, "n": MAIL_MAX_ATTACHMENTS}
            )
            continue
        problem = mail_file_check(file)
        if problem:
            refused.append(problem)
            continue
        upload = SimpleUploadedFile(file.name, file.content)
        try:
            desk_services.ticket_attach(ticket=ticket, actor=None, upload=upload)
        except ValidationError as error:
            refused.append(f"{file.name}: {' '.join(error.messages)}")
    return refused


@dataclass(frozen=True)
class MailResult:
    outcome: str  # a `MailOutcome` value
    reason: str = ""
    ticket: Ticket | None = None


def mail_intake(mail: ParsedMail, *, own_addresses: Sequence[str] = ()) -> MailResult:
    """What one mail becomes (call inside the transaction that records it): nothing when
    a machine sent it (`mail_automatic`) or it comes from tierdesk's own addresses (a
    loop); a public reply on the ticket it answers (`mail_ticket`, then
    `services.ticket_inbound_email`, which checks the sender may reply); otherwise a new
    ticket from its sender (a known person by UPN or e-mail, else an outside address
    like the embedded form's), with its files."""
    from tierdesk.desk.mailbox_models import MailOutcome

    message = mail.message
    if mail.automatic:
        return MailResult(MailOutcome.IGNORED, mail.automatic)
    sender = message.from_address.strip().lower()
    if not sender or "@" not in sender:
        return MailResult(MailOutcome.IGNORED, "no sender address")
    if sender in {a.strip().lower() for a in own_addresses if a}:
        return MailResult(MailOutcome.IGNORED, f"from tierdesk's own address {sender}")
    ticket = mail_ticket(message)
    if ticket is not None:
        # The services thread by the subject tag: name the ticket found here so they
        # answer the same one.
        tagged = dataclasses.replace(message, subject=f"[{ticket.number}] {message.subject}")
        reply = desk_services.ticket_inbound_email(message=tagged)
        if reply is None:
            return MailResult(
                MailOutcome.REFUSED,
                f"{sender} may not reply on {ticket.number} (or it was read already)",
                ticket,
            )
        refused = mail_attach(ticket=ticket, files=mail.files)
        return MailResult(MailOutcome.REPLY, "; ".join(refused)[:500], ticket)
    person = user_find_by_principal(sender)
    try:
        ticket = desk_services.ticket_create(
            requester=person if person is not None and person.is_active else None,
            requester_email=sender,
            requester_name=mail.sender_name[:200],
            subject=(message.subject or str(_("(no subject)")))[:300],
            description=message.body,
            channel=Channel.EMAIL,
            language=mail.language,
        )
    except ValidationError as error:
        return MailResult(MailOutcome.REFUSED, " ".join(error.messages)[:500])
    refused = mail_attach(ticket=ticket, files=mail.files)
    return MailResult(MailOutcome.TICKET, "; ".join(refused)[:500], ticket)
