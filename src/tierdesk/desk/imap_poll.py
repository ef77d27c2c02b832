"""E-mail intake from a mailbox: read new mails over IMAP and hand each to the intake
(`desk.intake.mail_parse` and `mail_intake`, the same code the `desk_inbound` command
uses): a new mail becomes a ticket, a reply threads into its ticket, automatic replies and
bounces are recorded as ignored.

Nothing is read twice after a crash, and nothing is lost: each mail is fetched with
BODY.PEEK[] (it stays unread on the server), filed, and recorded as a `MailboxMessage`
keyed by (mailbox, UIDVALIDITY, UID) and carrying its Message-ID — the record and the
ticket or reply in ONE transaction. Only after that commit is the mail flagged \\Seen and,
when a processed folder is set, moved there. A poller killed before the commit leaves
nothing behind (the next poll files the mail); killed after it, the next poll finds the
record and only finishes the flag/move. Two pollers at once cannot both file a mail: the
record's unique key refuses the second transaction.

Protocols and formats, from their public sources:
- IMAP4rev1, UIDs and UIDVALIDITY: RFC 3501 (§2.3.1.1, §6.4.8); MOVE: RFC 6851.
- Mailbox names are sent in modified UTF-7 (RFC 3501 §5.1.3), so folders may be named in
  Korean.
- Exchange Online with OAuth 2.0: Microsoft's "Authenticate an IMAP, POP or SMTP
  connection using OAuth" — SASL XOAUTH2 with the initial response
  base64("user=" + user + "^Aauth=Bearer " + token + "^A^A") (^A is \\x01), an app-only
  token for the scope https://outlook.office365.com/.default obtained by client
  credentials through MSAL for Python (`ConfidentialClientApplication.
  acquire_token_for_client`, AzureAD/microsoft-authentication-library-for-python).
  A server that refuses the token answers the client's response with a continuation
  carrying an error JSON (the shape of RFC 7628 §3.2.2, e.g. {"status":"401",…}); an
  XOAUTH2 client answers it with an empty response (Google's "XOAUTH2 protocol" page;
  OAUTHBEARER, RFC 7628 §3.2.3, answers a single ^A instead) and the server then fails
  the command. The refused token is dropped from MSAL's cache, so the next poll asks
  Entra ID for a new one instead of offering the refused one until it expires.
- Other servers: LOGIN with a password, over TLS (IMAPS, port 993) or STARTTLS (RFC 2595).

Settings (TIERDESK_IMAP_*, docs/production.md "E-mail intake from a mailbox")."""

from __future__ import annotations

import base64
import contextlib
import imaplib
import json
import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from tierdesk.desk.intake import mail_intake, mail_parse
from tierdesk.desk.mailbox_models import MailboxMessage, MailOutcome

log = logging.getLogger(__name__)

EXCHANGE_SCOPE = "https://outlook.office365.com/.default"
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
SECURITY = ("ssl", "starttls", "none")
AUTH = ("password", "oauth")
POLL_LOCK = "desk:mail-poll"

# Tests set this to kill the poller at a named point ("recorded": inside the transaction,
# before its commit; "committed": after the commit, before the mail is flagged).
fault_hook: Callable[[str, int], None] | None = None


class MailboxError(Exception):
    """The mailbox could not be reached or refused us (said in words)."""


def _fault(point: str, count: int) -> None:
    if fault_hook is not None:
        fault_hook(point, count)


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    user: str
    port: int = 993
    security: str = "ssl"
    auth: str = "password"
    password: str = field(default="", repr=False)
    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    authority: str = DEFAULT_AUTHORITY
    ca_bundle: str = ""
    folder: str = "INBOX"
    processed_folder: str = ""
    batch: int = 50
    timeout_s: float = 60.0

    @property
    def name(self) -> str:
        """The mailbox's key in the records: user, host and folder."""
        return f"{self.user.lower()}@{self.host.lower()}/{self.folder}"[:300]

    @classmethod
    def from_settings(cls) -> MailboxConfig | None:
        """The configured mailbox, or None when TIERDESK_IMAP_HOST is not set."""
        host = getattr(settings, "TIERDESK_IMAP_HOST", "")
        if not host:
            return None
        security = settings.TIERDESK_IMAP_SECURITY
        return cls(
            host=host,
            port=settings.TIERDESK_IMAP_PORT or (993 if security == "ssl" else 143),
            user=settings.TIERDESK_IMAP_USER,
            security=security,
            auth=settings.TIERDESK_IMAP_AUTH,
            password=settings.TIERDESK_IMAP_PASSWORD,
            tenant_id=settings.TIERDESK_IMAP_TENANT_ID,
            client_id=settings.TIERDESK_IMAP_CLIENT_ID,
            client_secret=settings.TIERDESK_IMAP_CLIENT_SECRET,
            authority=getattr(settings, "TIERDESK_IMAP_AUTHORITY", "") or DEFAULT_AUTHORITY,
            ca_bundle=getattr(settings, "TIERDESK_IMAP_CA_BUNDLE", ""),
            folder=settings.TIERDESK_IMAP_FOLDER,
            processed_folder=settings.TIERDESK_IMAP_PROCESSED_FOLDER,
            batch=settings.TIERDESK_IMAP_BATCH,
        )


# --------------------------------------------------------------------- authentication


def xoauth2(user: str, token: str) -> bytes:
    """The SASL XOAUTH2 initial client response, before base64 (imaplib encodes it):
    "user=" + user + ^A + "auth=Bearer " + token + ^A^A (Microsoft, "Authenticate an IMAP,
    POP or SMTP connection using OAuth")."""
    if "\x01" in user or "\x01" in token:
        raise MailboxError("user or token contains a control character")
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


def xoauth2_base64(user: str, token: str) -> str:
    """What goes on the wire after AUTHENTICATE XOAUTH2."""
    return base64.b64encode(xoauth2(user, token)).decode("ascii")


_apps: dict[tuple[str, str, str], Any] = {}


def _session(verify: bool | str) -> Any:
    """requests' Session verifying TLS against `verify` with each request (a Session's own
    `verify` loses to REQUESTS_CA_BUNDLE from the environment; a per-request one wins)."""
    import requests

    class Session(requests.Session):
        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("verify", verify)
            return super().request(method, url, *args, **kwargs)

    return Session()


def _app_key(config: MailboxConfig) -> tuple[str, str, str]:
    return (config.authority.rstrip("/"), config.tenant_id, config.client_id)


def oauth_token(config: MailboxConfig) -> str:
    """An app-only access token for Exchange Online through MSAL (client credentials;
    MSAL's in-memory cache reuses it until it nears expiry). Never logged."""
    import msal
    import requests

    if not (config.tenant_id and config.client_id and config.client_secret):
        raise MailboxError(
            "OAuth needs TIERDESK_IMAP_TENANT_ID, TIERDESK_IMAP_CLIENT_ID and "
            "TIERDESK_IMAP_CLIENT_SECRET"
        )
    key = _app_key(config)
    authority = config.authority.rstrip("/")
    try:
        app = _apps.get(key)
        if app is None:
            session = _session(config.ca_bundle or True)
            app = msal.ConfidentialClientApplication(
                config.client_id,
                authority=f"{authority}/{config.tenant_id}",
                client_credential=config.client_secret,
                http_client=session,
                # Instance discovery lives on login.microsoftonline.com; another authority
                # (a sovereign cloud, the tests' local one) is trusted as given.
                instance_discovery=False if authority != DEFAULT_AUTHORITY else None,
            )
            _apps[key] = app
        result = app.acquire_token_for_client(scopes=[EXCHANGE_SCOPE])
    except (ValueError, OSError, requests.RequestException) as error:
        raise MailboxError(f"Entra ID ({authority}) could not be asked: {error}"[:500]) from error
    token = result.get("access_token") if isinstance(result, dict) else None
    if not token:
        detail = result.get("error_description") or result.get("error") or "no token"
        raise MailboxError(f"Entra ID gave no token: {detail}"[:500])
    return str(token)


def forget_token(config: MailboxConfig) -> None:
    """Drop the cached token (and MSAL app): the next poll asks Entra ID afresh."""
    _apps.pop(_app_key(config), None)


class _XOAuth2:
    """imaplib's authobject for AUTHENTICATE XOAUTH2: the client response to the first
    (empty) challenge; to a later one — the server's error JSON after it refused the
    token — an empty response, as XOAUTH2 expects (see the module's docstring)."""

    def __init__(self, user: str, token: str) -> None:
        self.response = xoauth2(user, token)
        self.rounds = 0
        self.error: dict[str, Any] = {}

    def __call__(self, challenge: bytes) -> bytes:
        self.rounds += 1
        if self.rounds == 1:
            return self.response
        with contextlib.suppress(ValueError):
            found = json.loads(challenge.decode("utf-8", "replace") or "{}")
            if isinstance(found, dict):
                self.error = found
        return b""

    def refusal(self) -> str:
        status = str(self.error.get("status") or "").strip()
        return f" (status {status})" if status else ""


# ----------------------------------------------------------------------------- IMAP


def mailbox_name(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 §5.1.3), quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    encoded = "".join(out)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def connect(config: MailboxConfig) -> imaplib.IMAP4:
    """An authenticated IMAP connection (TLS unless `security` is "none")."""
    if config.security not in SECURITY:
        raise MailboxError(f"TIERDESK_IMAP_SECURITY must be one of {', '.join(SECURITY)}")
    try:
        conn: imaplib.IMAP4
        if config.security == "ssl":
            conn = imaplib.IMAP4_SSL(
                config.host,
                config.port,
                ssl_context=ssl.create_default_context(),
                timeout=config.timeout_s,
            )
        else:
            conn = imaplib.IMAP4(config.host, config.port, timeout=config.timeout_s)
            if config.security == "starttls":
                conn.starttls(ssl_context=ssl.create_default_context())
        if config.auth == "oauth":
            _sign_in_oauth(conn, config)
        else:
            conn.login(config.user, config.password)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"{config.host}:{config.port}: {error}"[:500]) from error
    return conn


def _sign_in_oauth(conn: imaplib.IMAP4, config: MailboxConfig) -> None:
    """AUTHENTICATE XOAUTH2 with a token from Entra ID. A refusal is said in words (the
    server's status, never the token) and the token is forgotten for the next poll."""
    try:
        sasl = _XOAuth2(config.user, oauth_token(config))
    except MailboxError:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()
        raise
    try:
        conn.authenticate("XOAUTH2", sasl)
    except imaplib.IMAP4.error as error:
        forget_token(config)
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()
        raise MailboxError(
            f"{config.host}:{config.port}: the server refused the OAuth token for "
            f"{config.user}{sasl.refusal()}: {error}"[:500]
        ) from error


def _ok(result: tuple[str, Any], what: str) -> Any:
    typ, data = result
    if typ != "OK":
        raise MailboxError(f"{what}: {data!r}"[:500])
    return data


def _capabilities(conn: imaplib.IMAP4) -> set[str]:
    data = _ok(conn.capability(), "CAPABILITY")
    return {c.upper() for c in b" ".join(d for d in data if d).decode().split()}


def _uids(conn: imaplib.IMAP4, *criteria: str) -> set[int]:
    data = _ok(conn.uid("SEARCH", *criteria), "SEARCH")
    return {int(u) for u in b" ".join(d for d in data if d).split()}


def _fetch(conn: imaplib.IMAP4, uid: int) -> bytes | None:
    data = _ok(conn.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    return None  # gone meanwhile (another client moved it)


@dataclass
class PollReport:
    configured: bool = True
    read: int = 0
    tickets: int = 0
    replies: int = 0
    ignored: int = 0
    refused: int = 0
    failed: int = 0
    finished: int = 0
    left: int = 0  # new mails beyond this round's batch

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _own_addresses(config: MailboxConfig) -> list[str]:
    found = [config.user]
    for value in (settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL):
        found.append(parseaddr(str(value))[1])
    return [a for a in found if a]


class _Finisher:
    """Flag a filed mail \\Seen and move it to the processed folder (RFC 6851 MOVE, else
    COPY + \\Deleted + UID EXPUNGE)."""

    def __init__(self, conn: imaplib.IMAP4, config: MailboxConfig) -> None:
        self.conn = conn
        self.target = mailbox_name(config.processed_folder) if config.processed_folder else ""
        caps = _capabilities(conn)
        self.move = "MOVE" in caps
        self.uidplus = "UIDPLUS" in caps
        if self.target:
            _typ, _data = conn.create(self.target)  # NO when it exists: fine
            conn.subscribe(self.target)

    def __call__(self, uid: int) -> None:
        conn, number = self.conn, str(uid)
        _ok(conn.uid("STORE", number, "+FLAGS.SILENT", "(\\Seen)"), "STORE")
        if not self.target:
            return
        if self.move:
            _ok(conn.uid("MOVE", number, self.target), "MOVE")
            return
        _ok(conn.uid("COPY", number, self.target), "COPY")
        _ok(conn.uid("STORE", number, "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
        if self.uidplus:
            _ok(conn.uid("EXPUNGE", number), "UID EXPUNGE")
        else:
            _ok(conn.expunge(), "EXPUNGE")


def _file_one(
    config: MailboxConfig, uidvalidity: int, uid: int, raw: bytes, count: int
) -> MailboxMessage | None:
    """File one mail and record it, in one transaction. None when another poller
    recorded it first."""
    try:
        mail = mail_parse(raw)
    except Exception as error:  # an unreadable mail is recorded, never retried in a loop
        log.exception("mail %s/%s could not be parsed", uidvalidity, uid)
        try:
            return MailboxMessage.objects.create(
                mailbox=config.name,
                uidvalidity=uidvalidity,
                uid=uid,
                outcome=MailOutcome.FAILED,
                reason=f"unreadable: {error}"[:500],
            )
        except IntegrityError:
            return None
    message = mail.message
    row = MailboxMessage(
        mailbox=config.name,
        uidvalidity=uidvalidity,
        uid=uid,
        message_id=message.message_id[:300],
        sender=message.from_address[:300],
        subject=message.subject[:300],
    )
    try:
        with transaction.atomic():
            seen = (
                bool(message.message_id)
                and MailboxMessage.objects.filter(message_id=message.message_id[:300])
                .exclude(outcome=MailOutcome.FAILED)
                .exists()
            )
            if seen:
                row.outcome, row.reason = MailOutcome.DUPLICATE, "Message-ID read before"
            else:
                result = mail_intake(mail, own_addresses=_own_addresses(config))
                row.outcome, row.reason, row.ticket = result.outcome, result.reason, result.ticket
            row.save(force_insert=True)
            _fault("recorded", count)
    except IntegrityError:
        return None  # another poller filed and recorded this very mail
    except Exception as error:  # the ticket write rolled back; record why, leave the mail
        log.exception("mail %s/%s could not be filed", uidvalidity, uid)
        row.pk = None
        row.ticket = None
        row.outcome, row.reason = MailOutcome.FAILED, f"{type(error).__name__}: {error}"[:500]
        try:
            row.save(force_insert=True)
        except IntegrityError:
            return None
    return row


def mail_poll(config: MailboxConfig | None = None, *, limit: int | None = None) -> PollReport:
    """One round: connect, read up to `limit` (default the batch size) new mails of the
    folder in UID order, file each (`_file_one`), then flag/move it; also finish mails a
    killed round filed but did not flag or move. Raises MailboxError when the mailbox
    cannot be reached."""
    config = config or MailboxConfig.from_settings()
    if config is None:
        return PollReport(configured=False)
    report = PollReport()
    conn = connect(config)
    try:
        _ok(conn.select(mailbox_name(config.folder)), f"SELECT {config.folder}")
        validity = conn.response("UIDVALIDITY")[1]
        if not validity or not validity[0]:
            raise MailboxError("the server named no UIDVALIDITY")
        uidvalidity = int(validity[0])
        finish = _Finisher(conn, config)
        if config.processed_folder:
            candidates = _uids(conn, "UNDELETED")
        else:  # mails stay: the new ones, and recorded ones a killed round left unseen
            done = MailboxMessage.objects.filter(mailbox=config.name, uidvalidity=uidvalidity)
            highest = max(done.values_list("uid", flat=True).order_by("-uid")[:1], default=0)
            candidates = {u for u in _uids(conn, "UID", f"{highest + 1}:*") if u > highest}
            candidates |= _uids(conn, "UNSEEN")
        records = dict(
            MailboxMessage.objects.filter(
                mailbox=config.name, uidvalidity=uidvalidity, uid__in=candidates
            ).values_list("uid", "outcome")
        )
        for uid in sorted(u for u, outcome in records.items() if outcome != MailOutcome.FAILED):
            finish(uid)
            report.finished += 1
        fresh = sorted(u for u in candidates if u not in records)
        batch = fresh[: limit or config.batch]
        report.left = len(fresh) - len(batch)
        for count, uid in enumerate(batch, start=1):
            raw = _fetch(conn, uid)
            if raw is None:
                continue
            row = _file_one(config, uidvalidity, uid, raw, count)
            if row is None:
                continue
            report.read += 1
            _tally(report, row.outcome)
            _fault("committed", count)
            if row.outcome != MailOutcome.FAILED:
                finish(uid)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"{config.host}: {error}"[:500]) from error
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()
    return report


def _tally(report: PollReport, outcome: str) -> None:
    name = {
        MailOutcome.TICKET: "tickets",
        MailOutcome.REPLY: "replies",
        MailOutcome.IGNORED: "ignored",
        MailOutcome.DUPLICATE: "ignored",
        MailOutcome.REFUSED: "refused",
        MailOutcome.FAILED: "failed",
    }[MailOutcome(outcome)]
    setattr(report, name, getattr(report, name) + 1)


def mail_poll_due() -> dict[str, Any] | None:
    """The scheduler's and Celery beat's call: poll when a mailbox is configured and no
    process polled in the last TIERDESK_IMAP_POLL_SECONDS (a claim in the shared cache,
    so several workers poll once). A failure is logged and retried next time."""
    if MailboxConfig.from_settings() is None:
        return None
    if not cache.add(POLL_LOCK, time.time(), timeout=settings.TIERDESK_IMAP_POLL_SECONDS):
        return None
    try:
        return mail_poll().as_dict()
    except MailboxError as error:
        log.warning("mailbox poll failed: %s", error)
        return {"error": str(error)}
