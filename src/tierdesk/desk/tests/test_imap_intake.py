"""E-mail intake from a mailbox, against a real IMAP server (dovecot, started here): a new
mail files a ticket, a reply threads (by the subject tag, and by In-Reply-To alone),
automatic replies and bounces are ignored, attachments keep the desk's limits, a
poller killed mid-batch loses nothing and files nothing twice, and the Exchange Online
sign-in (an app-only token from an Entra ID token endpoint through MSAL, SASL XOAUTH2)
is accepted or refused by dovecot's own OAuth 2.0 token validation."""

from __future__ import annotations

import base64
import imaplib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import Org
from tierdesk.common.tests.databases import separate_database_url
from tierdesk.desk.choices import Channel
from tierdesk.desk.imap_poll import (
    MailboxConfig,
    MailboxError,
    mail_poll,
    mail_poll_due,
    mailbox_name,
    xoauth2,
    xoauth2_base64,
)
from tierdesk.desk.mailbox_models import MailboxMessage, MailOutcome
from tierdesk.desk.models import DeskSettings, Ticket
from tierdesk.desk.tests import dovecot, entra

SKIP = os.environ.get("TIERDESK_SKIP_IMAP") == "1"
pytestmark = pytest.mark.skipif(SKIP, reason="TIERDESK_SKIP_IMAP=1")

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="module")
def server() -> Iterator[dovecot.Dovecot]:
    running = dovecot.start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _config(server: dovecot.Dovecot, user: str, **extra: Any) -> MailboxConfig:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "user": user,
        "security": "none",
        "password": dovecot.PASSWORD,
        "processed_folder": "tierdesk/처리됨",
    }
    return MailboxConfig(**{**values, **extra})


def mail(
    subject: str,
    body: str = "화면이 열리지 않아요.",
    *,
    sender: str = "Requester <requester@example.com>",
    headers: dict[str, str] | None = None,
    files: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "help@example.test"
    message["Subject"] = subject
    message_id = make_msgid(domain="example.com")
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content, kind in files:
        main, sub = kind.split("/")
        message.add_attachment(content, maintype=main, subtype=sub, filename=name)
    return message.as_bytes(), message_id


def test_a_new_mail_files_a_ticket_once_and_moves_to_the_processed_folder(
    org: Org, server: dovecot.Dovecot
) -> None:
    user = server.user()
    raw, message_id = mail("앱이 멈췄어요", files=[("screen.png", PNG, "image/png")])
    server.deliver(user, raw)
    stranger, _ = mail("Access please", sender="Outside Person <visitor@partner.example>")
    server.deliver(user, stranger)

    report = mail_poll(_config(server, user))

    assert (report.read, report.tickets) == (2, 2)
    first = Ticket.objects.get(subject="앱이 멈췄어요")
    assert first.requester == org.users["requester"]
    assert first.channel == Channel.EMAIL
    assert first.description.strip() == "화면이 열리지 않아요."
    assert list(first.attachments.values_list("name", flat=True)) == ["screen.png"]
    outside = Ticket.objects.get(subject="Access please")
    assert outside.requester is None
    assert (outside.requester_email, outside.requester_name) == (
        "visitor@partner.example",
        "Outside Person",
    )
    row = MailboxMessage.objects.get(ticket=first)
    assert (row.outcome, row.message_id) == (MailOutcome.TICKET, message_id)
    # Filed mails left the inbox for the processed folder (a Korean name, sent as
    # modified UTF-7), flagged as read.
    assert server.count(user) == 0
    processed = mailbox_name("tierdesk/처리됨").strip('"')
    assert processed.startswith("tierdesk/&") and processed.isascii()
    assert server.count(user, processed, "SEEN") == 2
    # A second round finds nothing new.
    again = mail_poll(_config(server, user))
    assert (again.read, again.finished) == (0, 0)
    assert Ticket.objects.count() == 2


def test_replies_thread_by_subject_tag_and_by_in_reply_to_alone(
    org: Org, server: dovecot.Dovecot
) -> None:
    user = server.user()
    raw, first_id = mail("보고서가 비어 있어요")
    server.deliver(user, raw)
    mail_poll(_config(server, user))
    ticket = Ticket.objects.get()

    tagged, _ = mail(f"RE: [{ticket.number}] 보고서가 비어 있어요", "태그로 답합니다.\n\n> 이전")
    # No tag: only In-Reply-To names the mail that filed the ticket.
    threaded, _ = mail("RE: 보고서", "헤더로 답합니다.", headers={"In-Reply-To": first_id})
    # A reply to tierdesk's own notification (its Message-ID names the ticket).
    notified, _ = mail(
        "RE: New reply",
        "알림에 답합니다.",
        headers={"References": f"<tierdesk.{ticket.number}.ab12@tierdesk.example>"},
    )
    # Someone who may not see the ticket cannot add to it by naming it.
    intruder, _ = mail(f"[{ticket.number}] hi", "끼어들기", sender="stranger@elsewhere.example")
    for raw in (tagged, threaded, notified, intruder):
        server.deliver(user, raw)

    report = mail_poll(_config(server, user))

    assert (report.replies, report.refused, report.tickets) == (3, 1, 0)
    assert list(ticket.messages.order_by("id").values_list("body", "channel")) == [
        ("태그로 답합니다.", "email"),
        ("헤더로 답합니다.", "email"),
        ("알림에 답합니다.", "email"),
    ]
    assert Ticket.objects.count() == 1
    assert server.count(user) == 0  # the refused one is recorded and moved too


def test_out_of_office_and_bounces_are_ignored_and_recorded(
    org: Org, server: dovecot.Dovecot
) -> None:
    user = server.user()
    ooo, _ = mail("자동 회신: 부재중", headers={"Auto-Submitted": "auto-replied"})
    exchange_ooo, _ = mail("Automatic reply", headers={"X-Auto-Response-Suppress": "All"})
    bulk, _ = mail("Newsletter", headers={"Precedence": "bulk"})
    person, _ = mail("사람이 보낸 메일", headers={"Auto-Submitted": "no"})
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["Message-ID"] = make_msgid()
    bounce.set_content("This is the mail system.")
    bounce.make_mixed()
    status = EmailMessage()
    status.set_content(
        "Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; gone@example.com\n"
        "Action: failed\nStatus: 5.1.1\n",
        subtype="delivery-status",
    )
    bounce.attach(status)
    bounce.replace_header("Content-Type", 'multipart/report; report-type="delivery-status"')
    bounce.set_boundary("b0unce")
    for raw in (ooo, exchange_ooo, bulk, bounce.as_bytes(), person):
        server.deliver(user, raw)

    report = mail_poll(_config(server, user))

    assert (report.read, report.ignored, report.tickets) == (5, 4, 1)
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["사람이 보낸 메일"]
    reasons = sorted(
        MailboxMessage.objects.filter(outcome=MailOutcome.IGNORED).values_list("reason", flat=True)
    )
    assert reasons == [
        "Auto-Submitted: auto-replied",
        "Precedence: bulk",
        "X-Auto-Response-Suppress: All",
        "multipart/report (delivery-status)",
    ]


def test_attachments_keep_the_desks_limits(org: Org, server: dovecot.Dovecot) -> None:
    row = DeskSettings.load()
    row.max_attachment_mb = 1
    row.save()
    user = server.user()
    raw, _ = mail(
        "파일 첨부",
        files=[
            ("log.txt", b"error at line 3\n", "text/plain"),
            ("tool.exe", b"MZ\x90\x00", "application/octet-stream"),
            ("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1), "application/pdf"),
            ("fake.png", b"not an image", "image/png"),
        ],
    )
    server.deliver(user, raw)

    mail_poll(_config(server, user))

    ticket = Ticket.objects.get()
    assert list(ticket.attachments.values_list("name", flat=True)) == ["log.txt"]
    reason = MailboxMessage.objects.get(ticket=ticket).reason
    assert "tool.exe" in reason and "big.pdf" in reason and "fake.png" in reason


def test_keeping_mails_in_the_folder_flags_them_and_reads_them_once(
    org: Org, server: dovecot.Dovecot
) -> None:
    user = server.user()
    for n in range(3):
        server.deliver(user, mail(f"보관 {n}")[0])
    config = _config(server, user, processed_folder="", batch=2)

    first = mail_poll(config)
    assert (first.tickets, first.left) == (2, 1)
    second = mail_poll(config)
    assert (second.tickets, second.left) == (1, 0)
    assert mail_poll(config).read == 0
    assert Ticket.objects.count() == 3
    assert server.count(user) == 3 and server.count(user, "INBOX", "UNSEEN") == 0


def test_the_same_message_id_in_another_mail_is_not_filed_twice(
    org: Org, server: dovecot.Dovecot
) -> None:
    user = server.user()
    raw, _ = mail("두 번 배달됨")
    server.deliver(user, raw)
    server.deliver(user, raw)  # a server that delivered it twice

    report = mail_poll(_config(server, user))

    assert (report.tickets, report.ignored) == (1, 1)
    assert Ticket.objects.count() == 1


def test_a_wrong_password_is_said_in_words(org: Org, server: dovecot.Dovecot) -> None:
    config = _config(server, server.user(), password="wrong")
    with pytest.raises(MailboxError, match=r"127\.0\.0\.1"):
        mail_poll(config)


def test_the_schedule_polls_the_configured_mailbox_once_per_interval(
    org: Org, server: dovecot.Dovecot, settings: Any
) -> None:
    user = server.user()
    settings.TIERDESK_IMAP_HOST = "127.0.0.1"
    settings.TIERDESK_IMAP_PORT = server.port
    settings.TIERDESK_IMAP_SECURITY = "none"
    settings.TIERDESK_IMAP_USER = user
    settings.TIERDESK_IMAP_PASSWORD = dovecot.PASSWORD
    settings.TIERDESK_IMAP_POLL_SECONDS = 300
    server.deliver(user, mail("스케줄")[0])
    first = mail_poll_due()
    assert first is not None and first["tickets"] == 1
    server.deliver(user, mail("다음 회차")[0])
    assert mail_poll_due() is None  # polled less than five minutes ago
    assert "mail-poll" in settings.CELERY_BEAT_SCHEDULE


def test_no_mailbox_no_poll(settings: Any) -> None:
    settings.TIERDESK_IMAP_HOST = ""
    assert mail_poll_due() is None
    assert mail_poll().configured is False


# ------------------------------------------------- Exchange Online's OAuth (XOAUTH2)


@pytest.fixture
def token_endpoint(server: dovecot.Dovecot, tmp_path: Path) -> Iterator[entra.Entra]:
    """Entra ID's token endpoint for one mailbox of the test dovecot, signing with the key
    dovecot validates with."""
    running = entra.start(entra.Entra(key=server.oauth_key, mailbox=server.user()), tmp_path)
    yield running
    running.stop()


def _oauth_settings(settings: Any, server: dovecot.Dovecot, endpoint: entra.Entra) -> None:
    settings.TIERDESK_IMAP_HOST = "127.0.0.1"
    settings.TIERDESK_IMAP_PORT = server.port
    settings.TIERDESK_IMAP_SECURITY = "none"
    settings.TIERDESK_IMAP_USER = endpoint.mailbox
    settings.TIERDESK_IMAP_AUTH = "oauth"
    settings.TIERDESK_IMAP_PASSWORD = ""
    settings.TIERDESK_IMAP_TENANT_ID = endpoint.tenant
    settings.TIERDESK_IMAP_CLIENT_ID = endpoint.client_id
    settings.TIERDESK_IMAP_CLIENT_SECRET = endpoint.client_secret
    settings.TIERDESK_IMAP_AUTHORITY = endpoint.base
    settings.TIERDESK_IMAP_CA_BUNDLE = endpoint.ca_bundle
    settings.TIERDESK_IMAP_PROCESSED_FOLDER = ""


class _Everything(logging.Handler):
    """Every log record of every logger, at every level (the suite runs without pytest's
    logging plugin)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def all_logs() -> Iterator[_Everything]:
    handler = _Everything()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def test_the_oauth_token_from_entra_id_signs_in_over_xoauth2_and_files_the_mail(
    org: Org,
    server: dovecot.Dovecot,
    token_endpoint: entra.Entra,
    settings: Any,
    capsys: Any,
    all_logs: _Everything,
) -> None:
    _oauth_settings(settings, server, token_endpoint)
    user = token_endpoint.mailbox
    server.deliver(user, mail("OAuth로 읽은 메일")[0])

    call_command("mail-poll", "--once")

    report = json.loads(capsys.readouterr().out)
    assert (report["read"], report["tickets"]) == (1, 1)
    assert Ticket.objects.get().subject == "OAuth로 읽은 메일"
    assert server.count(user, "INBOX", "UNSEEN") == 0
    # One token, asked of the token endpoint by MSAL (client credentials, Exchange's scope),
    # accepted by dovecot's validation as the mailbox's; never written to a log.
    (token,) = token_endpoint.issued
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert (claims["aud"], claims["upn"]) == ("https://outlook.office365.com", user)
    assert all_logs.lines and not any(token in line for line in all_logs.lines)
    # The next poll reuses MSAL's cached token.
    server.deliver(user, mail("두 번째 메일")[0])
    call_command("mail-poll", "--once")
    assert Ticket.objects.count() == 2 and len(token_endpoint.issued) == 1


@pytest.mark.parametrize(
    ("mode", "why"), [("expired", "expired"), ("foreign", "signed with an unknown key")]
)
def test_a_refused_token_is_said_in_words_and_the_mail_waits_for_the_next_poll(
    org: Org,
    server: dovecot.Dovecot,
    token_endpoint: entra.Entra,
    settings: Any,
    capsys: Any,
    all_logs: _Everything,
    mode: str,
    why: str,
) -> None:
    _oauth_settings(settings, server, token_endpoint)
    user = token_endpoint.mailbox
    token_endpoint.mode = mode  # dovecot refuses it: "Token has expired" / bad signature
    server.deliver(user, mail(f"거절된 토큰 ({why})")[0])

    with pytest.raises(CommandError) as refused:
        call_command("mail-poll", "--once")

    said = str(refused.value)
    assert f"the server refused the OAuth token for {user} (status 401)" in said, said
    assert "Traceback" not in said
    (token,) = token_endpoint.issued
    assert token not in said
    assert not any(token in line for line in all_logs.lines)
    # Nothing filed, nothing recorded, the mail still unread in the mailbox.
    assert not Ticket.objects.exists() and not MailboxMessage.objects.exists()
    assert server.count(user, "INBOX", "UNSEEN") == 1
    # The refused token was forgotten: the next poll asks for a new one, which files it.
    token_endpoint.mode = "valid"
    call_command("mail-poll", "--once")
    assert len(token_endpoint.issued) == 2
    assert json.loads(capsys.readouterr().out)["tickets"] == 1
    assert Ticket.objects.get().subject == f"거절된 토큰 ({why})"


def test_a_token_for_another_mailbox_is_refused(
    org: Org, server: dovecot.Dovecot, token_endpoint: entra.Entra
) -> None:
    """The token names the mailbox (upn) the server lets it open; dovecot refuses a
    token for another one ("Username … did not match")."""
    other = server.user()
    config = MailboxConfig(
        host="127.0.0.1",
        port=server.port,
        user=other,
        security="none",
        auth="oauth",
        tenant_id=token_endpoint.tenant,
        client_id=token_endpoint.client_id,
        client_secret=token_endpoint.client_secret,
        authority=token_endpoint.base,
        ca_bundle=token_endpoint.ca_bundle,
    )
    with pytest.raises(MailboxError, match="refused the OAuth token"):
        mail_poll(config)


def test_the_test_server_also_takes_the_token_over_oauthbearer(
    server: dovecot.Dovecot, token_endpoint: entra.Entra
) -> None:
    """The same validation behind SASL OAUTHBEARER (RFC 7628 §3.1: gs2 header with the
    user, then auth=Bearer): the test server checks tokens, whatever the mechanism."""
    token, user = token_endpoint.token(), token_endpoint.mailbox
    conn = imaplib.IMAP4("127.0.0.1", server.port, timeout=30)
    try:
        typ, _data = conn.authenticate(
            "OAUTHBEARER",
            lambda _c: f"n,a={user},\x01auth=Bearer {token}\x01\x01".encode(),
        )
        assert typ == "OK"
    finally:
        conn.logout()


def test_a_wrong_client_secret_is_entra_ids_answer_in_words(
    org: Org, server: dovecot.Dovecot, token_endpoint: entra.Entra, settings: Any
) -> None:
    _oauth_settings(settings, server, token_endpoint)
    settings.TIERDESK_IMAP_CLIENT_SECRET = "not-the-secret"
    with pytest.raises(CommandError, match="Entra ID gave no token: AADSTS7000215"):
        call_command("mail-poll", "--once")
    assert token_endpoint.issued == []


# ---------------------------------------------------------------- a killed poller


def _database_url(tmp_path: Path) -> str:
    return separate_database_url(tmp_path, "tierdesk_imap_fault")


def _worker(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tierdesk.desk.tests.imap_worker", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_a_killed_poller_loses_nothing_and_files_nothing_twice(
    server: dovecot.Dovecot, tmp_path: Path
) -> None:
    user = server.user()
    sent = 6
    for n in range(sent):
        server.deliver(user, mail(f"메일 {n}", sender=f"person{n}@example.org")[0])
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_IMAP")},
        "TIERDESK_DATA_DIR": str(tmp_path / "data"),
        "TIERDESK_DATABASE_URL": _database_url(tmp_path),
        "TIERDESK_REDIS_URL": "",
        "TIERDESK_IMAP_HOST": "127.0.0.1",
        "TIERDESK_IMAP_PORT": str(server.port),
        "TIERDESK_IMAP_SECURITY": "none",
        "TIERDESK_IMAP_USER": user,
        "TIERDESK_IMAP_PASSWORD": dovecot.PASSWORD,
        "TIERDESK_IMAP_PROCESSED_FOLDER": "Processed",
    }
    setup = _worker(env, "setup")
    assert setup.returncode == 0, setup.stderr[-3000:]
    # Killed inside the second mail's transaction (filed, not committed) …
    died = _worker(env, "poll", "recorded:2")
    assert died.returncode == 17, died.stderr[-3000:]
    # … then right after the next commit, before the mail was flagged and moved …
    died = _worker(env, "poll", "committed:1")
    assert died.returncode == 17, died.stderr[-3000:]
    # … then a poller that lives, and one more that finds nothing left.
    for _round in range(2):
        done = _worker(env, "poll")
        assert done.returncode == 0, done.stderr[-3000:]
    counts = json.loads(_worker(env, "counts").stdout)
    assert counts["tickets"] == sent  # none lost
    assert sorted(counts["subjects"]) == sorted(f"메일 {n}" for n in range(sent))  # none twice
    assert counts["records"] == sent
    assert server.count(user) == 0 and server.count(user, "Processed") == sent


# ------------------------------------------------------------------- formats


def test_the_xoauth2_string_is_microsofts_documented_shape() -> None:
    """Microsoft, "Authenticate an IMAP, POP or SMTP connection using OAuth":
    base64("user=" + userName + "^Aauth=Bearer " + accessToken + "^A^A"). The expected
    value is curl's published test vector for user "user" and token "mF_9.B5f-4.1JqM"
    (curl tests/data/test828, AUTHENTICATE XOAUTH2 with an initial response)."""
    assert xoauth2("user", "mF_9.B5f-4.1JqM") == b"user=user\x01auth=Bearer mF_9.B5f-4.1JqM\x01\x01"
    assert xoauth2_base64("user", "mF_9.B5f-4.1JqM") == (
        "dXNlcj11c2VyAWF1dGg9QmVhcmVyIG1GXzkuQjVmLTQuMUpxTQEB"
    )
    decoded = base64.b64decode(xoauth2_base64("help@contoso.example", "eyJ0eXAi"))
    assert decoded == b"user=help@contoso.example\x01auth=Bearer eyJ0eXAi\x01\x01"
    with pytest.raises(MailboxError):
        xoauth2("a\x01b", "t")


def test_folder_names_are_modified_utf7() -> None:
    """RFC 3501 §5.1.3's own example, and "&" escaped as "&-"."""
    assert mailbox_name("~peter/mail/台北/日本語") == '"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'
    assert mailbox_name("A&B") == '"A&-B"'
    assert mailbox_name("INBOX") == '"INBOX"'


@pytest.mark.django_db
def test_a_ticket_notification_carries_the_message_id_replies_thread_by(mailoutbox: Any) -> None:
    """What `notify` sends about a ticket names it in its Message-ID, in the shape the
    intake matches in In-Reply-To and References (`intake.SENT_ID_RE`); other mail keeps
    Django's own Message-ID."""
    from tierdesk.desk.intake import SENT_ID_RE
    from tierdesk.notify import senders
    from tierdesk.notify.models import Notification

    about = Notification.objects.create(
        key="t-1", channel="email", address="a@example.com", subject="[TD-000123] 새 답변: 보고서",
        body="…",
    )  # fmt: skip
    other = Notification.objects.create(
        key="t-2", channel="email", address="a@example.com", subject="주간 요약", body="…"
    )
    senders.send_email(about)
    senders.send_email(other)
    stamped = mailoutbox[0].message()["Message-ID"]
    found = SENT_ID_RE.search(stamped)
    assert found is not None and found.group(1) == "TD-000123"
    assert SENT_ID_RE.search(mailoutbox[1].message()["Message-ID"]) is None
