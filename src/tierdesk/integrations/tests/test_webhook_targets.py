"""Webhook targets never lead inside (SSRF): loopback, private, link-local (the cloud
metadata service), CGNAT, multicast, unspecified, reserved and IPv4-mapped addresses are
refused in every spelling, when subscribing (400, naming the host and why) and again at
every delivery (a name that now resolves inside: the attempt fails, nothing is sent); the
connection goes to the address checked, with Host, SNI and the certificate on the name;
redirects are never followed; an admin's allowed networks let an on-premises receiver in.

Names resolve from the fixed table of the `names` fixture (conftest), never through DNS;
addresses outside 127.0.0.0/8 in it are only ever checked, never connected to."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from conftest import Org
from tierdesk.accounts.services import api_token_create
from tierdesk.common import clock, egress
from tierdesk.desk.tests.factories import ticket
from tierdesk.integrations import services
from tierdesk.integrations.choices import Origin
from tierdesk.integrations.models import WebhookSubscription
from tierdesk.integrations.tests.conftest import Receiver
from tierdesk.notify.choices import Channel, DeliveryStatus
from tierdesk.notify.models import Notification
from tierdesk.notify.services import outbox_deliver

pytestmark = pytest.mark.django_db

PUBLIC = "8.8.8.8"  # a global address: only checked in these tests, never connected to


@pytest.fixture(autouse=True)
def _strict(settings: Any, names: dict[str, list[str]]) -> None:
    settings.TIERDESK_WEBHOOK_ALLOW_LOOPBACK = False
    settings.TIERDESK_WEBHOOK_ALLOWED_NETWORKS = []
    settings.TIERDESK_BASE_URL = "https://tierdesk.example.com"
    names.update(
        {
            "hooks.example.com": [PUBLIC],
            "v6.example.com": ["2606:4700::1111"],
            "internal.example.com": ["10.1.2.3"],
            "metadata.example.com": ["169.254.169.254"],
            "db.example.com": ["fd12:3456::5"],
            "both.example.com": [PUBLIC, "192.168.0.10"],
            "mapped.example.com": ["::ffff:127.0.0.1"],
            "onprem.example.com": ["10.20.1.2"],
        }
    )


REFUSED = [
    # (URL, the address named in the refusal, why)
    ("https://10.0.0.5/hook", "10.0.0.5", "private"),
    ("https://172.16.0.1/", "172.16.0.1", "private"),
    ("https://192.168.1.1/", "192.168.1.1", "private"),
    ("https://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"),
    ("https://localhost:5432/", "127.0.0.1", "loopback"),
    ("https://127.0.0.1/", "127.0.0.1", "loopback"),
    ("https://127.0.0.1./", "127.0.0.1", "loopback"),
    ("http://2130706433/", "127.0.0.1", "loopback"),  # decimal
    ("https://2130706433/", "127.0.0.1", "loopback"),
    ("https://0x7f.1/", "127.0.0.1", "loopback"),  # hex
    ("https://0x7f000001/", "127.0.0.1", "loopback"),
    ("https://0177.0.0.1/", "127.0.0.1", "loopback"),  # octal
    ("https://127.1/", "127.0.0.1", "loopback"),
    ("https://012.0.0.5/", "10.0.0.5", "private"),  # octal 012 = 10
    ("https://0/", "0.0.0.0", "unspecified"),  # noqa: S104 - a refused target
    ("https://[::]/", "::", "unspecified"),
    ("https://[::1]:8443/", "::1", "loopback"),
    ("https://[::ffff:127.0.0.1]/", "127.0.0.1", "loopback"),
    ("https://[::ffff:7f00:1]/", "127.0.0.1", "loopback"),
    ("https://[::ffff:169.254.169.254]/", "169.254.169.254", "link-local"),
    ("https://[::ffff:10.0.0.1]/", "10.0.0.1", "private"),
    ("https://[fc00::1]/", "fc00::1", "private"),
    ("https://[fd00:ec2::254]/", "fd00:ec2::254", "private"),  # AWS IMDS over IPv6
    ("https://[fe80::1]/", "fe80::1", "link-local"),
    ("https://[fe80::1%25eth0]/", "fe80::1", "link-local"),
    ("https://100.64.0.1/", "100.64.0.1", "shared"),
    ("https://100.127.255.254/", "100.127.255.254", "shared"),
    ("https://224.0.0.1/", "224.0.0.1", "multicast"),
    ("https://[ff02::1]/", "ff02::1", "multicast"),
    ("https://240.0.0.1/", "240.0.0.1", "private"),  # reserved, and private to Python
    ("https://255.255.255.255/", "255.255.255.255", "private"),
    ("https://198.18.0.1/", "198.18.0.1", "private"),  # benchmarking
    ("https://[64:ff9b::7f00:1]/", "64:ff9b::7f00:1", "reserved"),  # NAT64 of 127.0.0.1
    ("https://[2002:7f00:1::]/", "2002:7f00:1::", "not-public"),  # 6to4 of 127.0.0.1
    ("https://[::127.0.0.1]/", "::7f00:1", "reserved"),  # IPv4-compatible
    ("https://[fec0::1]/", "fec0::1", "not-public"),  # site-local
    ("https://internal.example.com/hook", "10.1.2.3", "private"),
    ("https://metadata.example.com/", "169.254.169.254", "link-local"),
    ("https://db.example.com/", "fd12:3456::5", "private"),
    ("https://both.example.com/", "192.168.0.10", "private"),  # every address counts
    ("https://mapped.example.com/", "127.0.0.1", "loopback"),
]


@pytest.mark.parametrize(("url", "address", "why"), REFUSED)
def test_inner_targets_are_refused_in_every_spelling(url: str, address: str, why: str) -> None:
    with pytest.raises(egress.Refused) as refused:
        egress.check(url, egress.Policy())
    found = refused.value
    assert (found.reason, str(found.address)) == (why, address)


def test_the_refusal_names_the_host_and_why_in_korean_and_english(org: Org) -> None:
    maker = org.users["maker"]
    for url in [u for u, _a, _w in REFUSED]:
        with pytest.raises(ValidationError):
            services.subscription_create(actor=maker, url=url)
    assert not WebhookSubscription.objects.exists()
    with translation.override("en"), pytest.raises(ValidationError) as english:
        services.subscription_create(actor=maker, url="https://metadata.example.com/x")
    assert english.value.message_dict["url"] == [
        "metadata.example.com cannot receive webhooks: it resolves to 169.254.169.254, "
        "a link-local address (such as the cloud metadata service)."
    ]
    with translation.override("ko"), pytest.raises(ValidationError) as korean:
        services.subscription_create(actor=maker, url="https://localhost:5432/")
    text = korean.value.message_dict["url"][0]
    assert "localhost" in text and "127.0.0.1" in text and "루프백" in text


def test_the_api_answers_400_naming_the_host(org: Org) -> None:
    client = Client()
    key = api_token_create(user=org.users["maker"])[1]
    answer = client.post(
        "/api/v1/webhooks/",
        {"url": "https://internal.example.com/hook"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400
    assert "internal.example.com" in answer.text and "10.1.2.3" in answer.text
    assert "private network address" in answer.text
    admin = Client()
    admin.force_login(org.users["admin"])
    page = admin.post("/integrations/webhooks/add/", {"url": "https://[::ffff:10.0.0.1]/"})
    assert page.status_code == 400 and not WebhookSubscription.objects.exists()


def test_public_targets_and_names_not_resolving_yet_are_accepted(org: Org) -> None:
    maker = org.users["maker"]
    for url in (
        "https://hooks.example.com/flow",
        "https://v6.example.com/flow",
        f"https://{PUBLIC}/flow",
        "https://[2606:4700::1111]/flow",
        "https://not-yet.example.com/flow",  # checked again at every delivery
    ):
        services.subscription_create(actor=maker, url=url)
    for url in ("http://hooks.example.com/", "ftp://hooks.example.com/", "https://1.2.3.4.5/"):
        with pytest.raises(ValidationError):
            services.subscription_create(actor=maker, url=url)


def test_an_admins_allowed_networks_let_an_on_premises_receiver_in(org: Org, settings: Any) -> None:
    maker = org.users["maker"]
    with pytest.raises(ValidationError):
        services.subscription_create(actor=maker, url="https://onprem.example.com/hook")
    settings.TIERDESK_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    services.subscription_create(actor=maker, url="https://onprem.example.com/hook")
    with pytest.raises(ValidationError):
        services.subscription_create(actor=maker, url="https://10.21.0.1/hook")


def _webhook_rows() -> list[Notification]:
    return list(Notification.objects.filter(channel=Channel.WEBHOOK).order_by("id"))


def test_a_name_that_resolves_inside_at_delivery_is_refused_and_nothing_is_sent(
    org: Org, names: dict[str, list[str]], receiver: Receiver
) -> None:
    # Subscribed while it resolved to a public address (DNS rebinding).
    port = receiver.server.server_address[1]
    names["rebind.example.com"] = [PUBLIC]
    hook = services.subscription_create(
        actor=org.users["maker"], url=f"https://rebind.example.com:{port}/hook"
    )
    for inside in (["127.0.0.1"], ["10.0.0.5"], [PUBLIC, "169.254.169.254"]):
        names["rebind.example.com"] = inside
        ticket(requester=org.users["requester"], solution=org.own)
        report = outbox_deliver()
        assert (report.sent, report.dead) == (0, 1)
    assert receiver.received == []
    errors = [n.last_error for n in _webhook_rows()]
    assert all(e.startswith("webhook target refused: rebind.example.com refused") for e in errors)
    assert "127.0.0.1, a loopback" in errors[0] and "169.254.169.254, a link-local" in errors[2]
    hook.refresh_from_db()
    assert hook.consecutive_failures == 3 and "refused" in hook.last_error


def test_the_connection_goes_to_the_address_checked_with_the_name_as_host(
    org: Org, settings: Any, names: dict[str, list[str]], receiver: Receiver
) -> None:
    settings.TIERDESK_WEBHOOK_ALLOW_LOOPBACK = True
    port = receiver.server.server_address[1]
    names["receiver.test"] = ["127.0.0.1"]
    resolved: list[str] = []
    lookup = egress.resolver

    def counting(host: str, port: int) -> list[str]:
        resolved.append(host)
        return lookup(host, port)

    egress.resolver = counting
    try:
        services.subscription_create(
            actor=org.users["maker"], url=f"http://receiver.test:{port}/hook"
        )
        ticket(requester=org.users["requester"], solution=org.own)
        assert outbox_deliver().sent == 1
    finally:
        egress.resolver = lookup
    headers = receiver.received[0][0]
    assert headers["Host"] == f"receiver.test:{port}"
    # Resolved once to subscribe and once to deliver: the connection used that answer.
    assert resolved == ["receiver.test", "receiver.test"]


def test_a_redirect_is_not_followed(org: Org, settings: Any, receiver: Receiver) -> None:
    settings.TIERDESK_WEBHOOK_ALLOW_LOOPBACK = True
    inside = Receiver()
    try:
        receiver.status = 302
        receiver.location = inside.url
        services.subscription_create(actor=org.users["maker"], url=receiver.url)
        ticket(requester=org.users["requester"], solution=org.own)
        report = outbox_deliver()
        assert (report.sent, report.dead) == (0, 1)
        assert len(receiver.received) == 1 and inside.received == []
        row = _webhook_rows()[0]
        assert row.status == DeliveryStatus.DEAD
        assert row.last_error == "webhook answered 302 (redirects are not followed)"
    finally:
        inside.close()


# ------------------------------------------------------------------ TLS on the name


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[tuple[int, ssl.SSLContext, list[str]]]:
    """An HTTPS server on 127.0.0.1 whose certificate names only `hooks.test`; yields its
    port, a client context trusting that certificate, and the SNI names it was sent."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hooks.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("hooks.test")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    sni: list[str] = []
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_file, key_file)
    server_context.sni_callback = lambda sock, server_name, ctx: sni.append(server_name or "")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client_context = ssl.create_default_context(cafile=str(cert_file))
    try:
        yield server.server_address[1], client_context, sni
    finally:
        server.shutdown()
        server.server_close()


def test_tls_is_checked_on_the_name_while_connecting_to_the_pinned_address(
    names: dict[str, list[str]],
    tls_receiver: tuple[int, ssl.SSLContext, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port, context, sni = tls_receiver
    monkeypatch.setattr(egress, "tls_context", lambda: context)
    policy = egress.Policy(allow_loopback=True)
    names.update({"hooks.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    sent = egress.post(
        f"https://hooks.test:{port}/hook", body=b"{}", headers={}, policy=policy, timeout_s=5
    )
    assert (sent.status, sent.address, sni) == (204, "127.0.0.1", ["hooks.test"])
    # The same address under another name, or as a bare address: the certificate does
    # not name it, so nothing is sent.
    for url in (f"https://other.test:{port}/hook", f"https://127.0.0.1:{port}/hook"):
        with pytest.raises(ssl.SSLCertVerificationError):
            egress.post(url, body=b"{}", headers={}, policy=policy, timeout_s=5)
    # Without the admin's loopback setting the same name is refused before connecting.
    with pytest.raises(egress.Refused):
        egress.post(
            f"https://hooks.test:{port}/hook", body=b"{}", headers={}, policy=egress.Policy()
        )


def test_delivery_time_is_unchanged_for_a_refused_target(org: Org) -> None:
    """A refused address is given up at once (permanent), not retried for hours."""
    hook = WebhookSubscription.objects.create(
        url="https://169.254.169.254/latest/meta-data/",
        events=["ticket.created"],
        origin=Origin.ADMIN,
        created_by=org.users["admin"],
    )
    services._forget()
    ticket(requester=org.users["requester"], solution=org.own)
    assert outbox_deliver(now=clock.now()).dead == 1
    hook.refresh_from_db()
    assert "link-local" in hook.last_error
