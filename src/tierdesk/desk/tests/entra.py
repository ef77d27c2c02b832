"""A local stand-in for Entra ID's token endpoint for the mailbox's OAuth tests: an HTTPS
server on 127.0.0.1 (MSAL only accepts https authorities; the certificate is the sync
tests' self-signed one, trusted through TIERDESK_IMAP_CA_BUNDLE) that answers the tenant's
discovery document and the client-credentials token request, and hands out a JWT shaped
like an Exchange Online app-only access token: RS256 with a `kid`, `iss`
https://sts.windows.net/<tenant>/, `aud` https://outlook.office365.com, `appid`, and —
for the test dovecot (dovecot.py), which matches it to the XOAUTH2 user — the mailbox
in `upn`.

What a test can tell it: `mode` "valid", "expired" (exp an hour ago) or "foreign" (signed
with a key dovecot does not know). Every token it issued is kept in `issued`."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tierdesk.desk.tests import dovecot
from tierdesk.inventory.importers.tests.replay import self_signed

SCOPE = "https://outlook.office365.com/.default"


@dataclass
class Entra:
    key: rsa.RSAPrivateKey
    mailbox: str
    client_id: str = "5a1b2c3d-0000-4000-8000-00000000c1d0"
    client_secret: str = "mailbox-secret"
    tenant: str = dovecot.OAUTH_TENANT
    mode: str = "valid"
    issued: list[str] = field(default_factory=list)
    base: str = ""
    ca_bundle: str = ""
    server: ThreadingHTTPServer | None = None

    def token(self) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": dovecot.OAUTH_AUDIENCE,
            "iss": dovecot.OAUTH_ISSUER,
            "iat": now - 30,
            "nbf": now - 30,
            "exp": now + 3600,
            "appid": self.client_id,
            "tid": self.tenant,
            "sub": str(uuid.uuid4()),
            "oid": str(uuid.uuid4()),
            "upn": self.mailbox,
        }
        key = self.key
        if self.mode == "expired":
            claims.update(iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        elif self.mode == "foreign":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": dovecot.OAUTH_KID})

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def start(entra: Entra, folder: Path) -> Entra:
    import ssl

    cert, key = self_signed(folder)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            if path != f"/{entra.tenant}/v2.0/.well-known/openid-configuration":
                return self.reply(404, {"error": "not_found"})
            root = f"{entra.base}/{entra.tenant}"
            return self.reply(
                200,
                {
                    "issuer": f"{root}/v2.0",
                    "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{root}/oauth2/v2.0/token",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    "response_types_supported": ["code", "id_token"],
                    "subject_types_supported": ["pairwise"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                },
            )

        def do_POST(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            if path != f"/{entra.tenant}/oauth2/v2.0/token":
                return self.reply(404, {"error": "not_found"})
            if form.get("grant_type") != ["client_credentials"]:
                return self.reply(400, {"error": "unsupported_grant_type"})
            if form.get("client_id") != [entra.client_id] or form.get("client_secret") != [
                entra.client_secret
            ]:
                return self.reply(
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "AADSTS7000215: Invalid client secret provided.",
                    },
                )
            if form.get("scope") != [SCOPE]:
                return self.reply(400, {"error": "invalid_scope"})
            token = entra.token()
            entra.issued.append(token)
            return self.reply(
                200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token}
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    entra.server = server
    entra.base = f"https://127.0.0.1:{server.server_address[1]}"
    entra.ca_bundle = str(cert)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return entra
