"""A real HTTPS server on 127.0.0.1 for the sync tests: it replays recorded admin API pages
(tests/samples/sync/, `routes.json`: path and `$skiptoken` → file) at their real paths
and is the Entra ID authority MSAL talks to (tenant discovery document and token
endpoint, client credentials only).

What it can be told to do: throttle one route once (429 + Retry-After), expire the token
in use on one route once (401 + WWW-Authenticate), and record every request it served.
TLS: a self-signed certificate for 127.0.0.1 made with `cryptography` (MSAL only accepts
https authorities); the client trusts it through TIERDESK_SYNC_CA_BUNDLE."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import ssl
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SAMPLES = Path(__file__).resolve().parents[5] / "tests" / "samples" / "sync"
API_VERSION = "2016-11-01"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate (also the CA bundle) and key for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "replay-cert.pem", folder / "replay-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Replay:
    tenant: str
    client_id: str
    client_secret: str
    samples: Path = SAMPLES
    throttle: set[str] = field(default_factory=set)  # "path|skiptoken" answered 429 once
    expire: set[str] = field(default_factory=set)  # "path|skiptoken": token expires there once
    log: list[tuple[str, str, int]] = field(default_factory=list)
    tokens_issued: list[tuple[str, str]] = field(default_factory=list)  # (token, scope)
    expired: set[str] = field(default_factory=set)
    base: str = ""

    def routes(self) -> dict[str, str]:
        data = json.loads((self.samples / "routes.json").read_text(encoding="utf-8"))
        return {f"{p['path']}|{p['skiptoken'] or ''}": p["file"] for p in data["pages"]}


def start(replay: Replay, folder: Path) -> tuple[ThreadingHTTPServer, Path]:
    """Start the server on a free port; returns it and the CA bundle to trust."""
    cert, key = self_signed(folder)
    counter = itertools.count(1)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            parts = urllib.parse.urlsplit(self.path)
            with lock:
                replay.log.append((self.command, parts.path, status))

        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parts.query)
            path = urllib.parse.unquote(parts.path)
            if path == f"/{replay.tenant}/v2.0/.well-known/openid-configuration":
                root = f"{replay.base}/{replay.tenant}"
                return self.reply(
                    200,
                    {
                        "issuer": f"{replay.base}/{replay.tenant}/v2.0",
                        "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                        "token_endpoint": f"{root}/oauth2/v2.0/token",
                        "token_endpoint_auth_methods_supported": [
                            "client_secret_post",
                            "private_key_jwt",
                        ],
                        "response_types_supported": ["code", "id_token"],
                        "subject_types_supported": ["pairwise"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "tenant_region_scope": "AS",
                    },
                )
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ").strip()
            issued = {t for t, _s in replay.tokens_issued}
            if not auth.startswith("Bearer ") or token not in issued:
                return self.reply(401, {"error": {"code": "InvalidAuthenticationToken"}})
            if token in replay.expired:
                return self.reply(
                    401,
                    {"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}},
                    {"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            if query.get("api-version") != [API_VERSION]:
                return self.reply(400, {"error": {"code": "InvalidApiVersion"}})
            key = f"{path}|{(query.get('$skiptoken') or [''])[0]}"
            routes = replay.routes()  # read per request: a test may point `samples` elsewhere
            if key not in routes:
                return self.reply(404, {"error": {"code": "NotFound", "message": path}})
            if key in replay.throttle:
                replay.throttle.discard(key)
                return self.reply(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "1"})
            if key in replay.expire:
                replay.expire.discard(key)
                replay.expired.add(token)
                return self.reply(
                    401,
                    {"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}},
                    {"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            text = (replay.samples / routes[key]).read_text(encoding="utf-8")
            return self.reply(200, json.loads(text.replace("{base}", replay.base)))

        def do_POST(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            if path != f"/{replay.tenant}/oauth2/v2.0/token":
                return self.reply(404, {"error": "not_found"})
            if form.get("grant_type") != ["client_credentials"]:
                return self.reply(400, {"error": "unsupported_grant_type"})
            if form.get("client_id") != [replay.client_id] or form.get("client_secret") != [
                replay.client_secret
            ]:
                return self.reply(
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "AADSTS7000215: Invalid client secret provided.",
                    },
                )
            scope = (form.get("scope") or [""])[0]
            token = f"tok-{next(counter)}"
            with lock:
                replay.tokens_issued.append((token, scope))
            return self.reply(
                200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token}
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    replay.base = f"https://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, cert
