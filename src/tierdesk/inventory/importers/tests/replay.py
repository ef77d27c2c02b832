"""A real HTTPS server on 127.0.0.1 for the sync tests: it replays recorded admin API pages
(tests/samples/sync/, `routes.json`: path and `$skiptoken` → file) at their real paths
and is the Entra ID authority MSAL talks to (tenant discovery document and token
endpoint: client credentials; and, for the delegated connection to the inventory API, the
authorize endpoint, which signs the one test user in at once and redirects back with a
code and the state, the authorization-code grant with its PKCE check (S256) and the
refresh-token grant, in the shapes Entra ID answers them: access, refresh and id token,
client_info). The inventory API (`POST /resourcequery/resources/query`) answers delegated
tokens only — an app-only token gets 403, as Microsoft documents — with the recorded
answers of `routes.json`'s "queries" (Options.SkipToken → file).

The Office 365 Management Activity API (`/api/v1.0/{tenant}/activity/feed/…`, tokens for
https://manage.office.com only): `subscriptions/start` (200 the first time, then 400
AF20024 "already enabled" as the service answers), `subscriptions/content` (the blobs of
`audit/content.json` whose contentCreated falls in [startTime, endTime), checked as the
reference says: both given, at most 24 hours apart, the start at most 7 days back; paged
by the NextPageUri header) and `audit/{contentId}` (the blob's records). `activity_denied`
answers 403 AF10001, as for an app without ActivityFeed.Read. `now` is the server's clock
(the tests freeze tierdesk's at the same moment).

What it can be told to do: throttle one route once (429 + Retry-After), expire the token
in use on one route once (401 + WWW-Authenticate), and record every request it served.
TLS: a self-signed certificate for 127.0.0.1 made with `cryptography` (MSAL only accepts
https authorities); the client trusts it through TIERDESK_SYNC_CA_BUNDLE."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
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
AUDIT_SCOPE = "https://manage.office.com/.default"


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
    # the delegated sign-in (one user), its codes, tokens and the inventory API
    user_upn: str = "pp-admin@fabrikam.example"
    user_oid: str = "11111111-2222-4333-8444-5555555555ad"
    access_lifetime: int = 3599  # seconds an access token lives (MSAL refreshes < 5 min)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)
    delegated: set[str] = field(default_factory=set)  # access tokens of the signed-in user
    grants: list[str] = field(default_factory=list)  # grant types served at the token endpoint
    queries: list[dict[str, Any]] = field(default_factory=list)  # bodies POSTed to the query
    throttle_queries: set[str] = field(default_factory=set)  # SkipTokens answered 429 once
    # the Office 365 Management Activity API
    now: dt.datetime | None = None  # None: the real time
    subscribed: set[str] = field(default_factory=set)  # content types started
    activity_denied: bool = False  # no ActivityFeed.Read: 403 AF10001
    audit_page_size: int = 1  # content blobs listed per page (NextPageUri after)
    audit_windows: list[tuple[str, str]] = field(default_factory=list)  # listings asked

    def routes(self) -> dict[str, str]:
        data = json.loads((self.samples / "routes.json").read_text(encoding="utf-8"))
        return {f"{p['path']}|{p['skiptoken'] or ''}": p["file"] for p in data["pages"]}

    def query_routes(self) -> dict[str, str]:
        data = json.loads((self.samples / "routes.json").read_text(encoding="utf-8"))
        return {q["skiptoken"] or "": q["file"] for q in data.get("queries", [])}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _when(values: list[str] | None) -> dt.datetime | None:
    """startTime / endTime as the reference allows them (YYYY-MM-DD, …THH:MM, …THH:MM:SS),
    UTC."""
    if not values:
        return None
    for shape in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(values[0], shape).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None


def _unsigned_jwt(claims: dict[str, Any]) -> str:
    """An id token's shape (MSAL reads its claims; it does not check a signature)."""
    header = _b64(json.dumps({"typ": "JWT", "alg": "RS256", "kid": "replay"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}.{_b64(b'not-signed')}"


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
            if path == f"/{replay.tenant}/oauth2/v2.0/authorize":
                return self.authorize(query)
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ").strip()
            issued = {t for t, _s in replay.tokens_issued}
            if not auth.startswith("Bearer ") or token not in issued:
                return self.reply(401, {"error": {"code": "InvalidAuthenticationToken"}})
            if token in replay.delegated:  # the admin APIs are read with app-only tokens here
                return self.reply(403, {"error": {"code": "Forbidden"}})
            if token in replay.expired:
                return self.reply(
                    401,
                    {"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}},
                    {"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            if path.startswith(f"/api/v1.0/{replay.tenant}/activity/feed/"):
                return self.activity(token, path, query)
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

        def authorize(self, query: dict[str, list[str]]) -> None:
            """Entra ID's authorize endpoint: the user is signed in (and consents) at once;
            back to the redirect URI with a code and the state."""
            one = {k: v[0] for k, v in query.items()}
            wanted = set(one.get("scope", "").split())
            if (
                one.get("client_id") != replay.client_id
                or one.get("response_type") != "code"
                or one.get("code_challenge_method") != "S256"
                or not one.get("code_challenge")
                or not one.get("state")
                or not one.get("redirect_uri")
                or "offline_access" not in wanted
            ):
                return self.reply(400, {"error": "invalid_request", "query": one})
            code = f"code-{next(counter)}"
            with lock:
                replay.codes[code] = one
            back = (
                one["redirect_uri"]
                + "?"
                + urllib.parse.urlencode(
                    {"code": code, "state": one["state"], "session_state": "replay"}
                )
            )
            self.send_response(302)
            self.send_header("Location", back)
            self.send_header("Content-Length", "0")
            self.end_headers()
            with lock:
                replay.log.append(("GET", urllib.parse.urlsplit(self.path).path, 302))

        def user_tokens(self, form: dict[str, list[str]], nonce: str | None) -> None:
            n = next(counter)
            access, refresh = f"dtok-{n}", f"rt-{n}"
            scope = (form.get("scope") or [""])[0]
            with lock:
                replay.tokens_issued.append((access, scope))
                replay.delegated.add(access)
                replay.refresh_tokens.add(refresh)
            now = int(dt.datetime.now(dt.UTC).timestamp())
            claims: dict[str, Any] = {
                "iss": f"{replay.base}/{replay.tenant}/v2.0",
                "aud": replay.client_id,
                "sub": f"sub-{replay.user_oid}",
                "oid": replay.user_oid,
                "tid": replay.tenant,
                "preferred_username": replay.user_upn,
                "name": "Power Platform admin",
                "iat": now,
                "nbf": now,
                "exp": now + 3600,
            }
            if nonce:
                claims["nonce"] = nonce
            client_info = _b64(json.dumps({"uid": replay.user_oid, "utid": replay.tenant}).encode())
            return self.reply(
                200,
                {
                    "token_type": "Bearer",
                    "scope": "https://api.powerplatform.com/.default",
                    "expires_in": replay.access_lifetime,
                    "ext_expires_in": replay.access_lifetime,
                    "access_token": access,
                    "refresh_token": refresh,
                    "id_token": _unsigned_jwt(claims),
                    "client_info": client_info,
                },
            )

        def do_POST(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            path = parts.path
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            if path == "/resourcequery/resources/query":
                return self.inventory_query(parts, raw)
            if path == f"/api/v1.0/{replay.tenant}/activity/feed/subscriptions/start":
                return self.subscription_start(parts)
            form = urllib.parse.parse_qs(raw)
            if path != f"/{replay.tenant}/oauth2/v2.0/token":
                return self.reply(404, {"error": "not_found"})
            grant = (form.get("grant_type") or [""])[0]
            with lock:
                replay.grants.append(grant)
            if grant not in {"client_credentials", "authorization_code", "refresh_token"}:
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
            if grant == "authorization_code":
                code = (form.get("code") or [""])[0]
                with lock:
                    asked = replay.codes.pop(code, None)  # a code is used once
                verifier = (form.get("code_verifier") or [""])[0]
                challenge = _b64(hashlib.sha256(verifier.encode()).digest())
                if (
                    asked is None
                    or form.get("redirect_uri") != [asked["redirect_uri"]]
                    or challenge != asked["code_challenge"]
                ):
                    return self.reply(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "AADSTS70008: The provided authorization "
                            "code is invalid or has expired.",
                        },
                    )
                return self.user_tokens(form, asked.get("nonce"))
            if grant == "refresh_token":
                refresh = (form.get("refresh_token") or [""])[0]
                if refresh not in replay.refresh_tokens or refresh in replay.revoked:
                    return self.reply(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "AADSTS50173: The provided grant has expired "
                            "due to it being revoked.",
                            "suberror": "bad_token",
                        },
                    )
                with lock:  # Entra ID rotates the refresh token
                    replay.refresh_tokens.discard(refresh)
                return self.user_tokens(form, None)
            scope = (form.get("scope") or [""])[0]
            token = f"tok-{next(counter)}"
            with lock:
                replay.tokens_issued.append((token, scope))
            return self.reply(
                200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token}
            )

        def inventory_query(self, parts: urllib.parse.SplitResult, raw: str) -> None:
            """The Power Platform inventory API: delegated tokens only."""
            query = urllib.parse.parse_qs(parts.query)
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ").strip()
            issued = {t for t, _s in replay.tokens_issued}
            if not auth.startswith("Bearer ") or token not in issued:
                return self.reply(401, {"error": {"code": "InvalidAuthenticationToken"}})
            if token not in replay.delegated:
                return self.reply(403, {"error": {"code": "Forbidden", "message": "app-only"}})
            if token in replay.expired:
                return self.reply(401, {"error": {"code": "ExpiredAuthenticationToken"}})
            if query.get("api-version") != ["2024-10-01"]:
                return self.reply(400, {"error": {"code": "InvalidApiVersion"}})
            try:
                body = json.loads(raw)
            except ValueError:
                return self.reply(400, {"error": {"code": "BadRequest"}})
            with lock:
                replay.queries.append(body)
            if body.get("TableName") != "PowerPlatformResources" or not body.get("Clauses"):
                return self.reply(400, {"error": {"code": "BadRequest"}})
            skip = str((body.get("Options") or {}).get("SkipToken") or "")
            routes = replay.query_routes()
            if skip not in routes:
                return self.reply(400, {"error": {"code": "InvalidSkipToken"}})
            if skip in replay.throttle_queries:
                replay.throttle_queries.discard(skip)
                return self.reply(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "1"})
            text = (replay.samples / routes[skip]).read_text(encoding="utf-8")
            return self.reply(200, json.loads(text))

        # ---------------------------------------- the Office 365 Management Activity API

        def activity_refused(self, token: str) -> bool:
            """The token must be an app-only one for manage.office.com, with the
            ActivityFeed.Read role (unless `activity_denied`)."""
            scopes = dict(replay.tokens_issued)
            if scopes.get(token) != AUDIT_SCOPE:
                self.reply(
                    401,
                    {"error": {"code": "AF10001", "message": "Authorization has been denied."}},
                )
                return True
            if replay.activity_denied:
                self.reply(
                    403,
                    {
                        "error": {
                            "code": "AF10001",
                            "message": "The permission set () sent in the request did not "
                            "include the expected permission ActivityFeed.Read.",
                        }
                    },
                )
                return True
            return False

        def subscription_start(self, parts: urllib.parse.SplitResult) -> None:
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ").strip()
            if not auth.startswith("Bearer ") or self.activity_refused(token):
                return None
            kind = (urllib.parse.parse_qs(parts.query).get("contentType") or [""])[0]
            if kind not in {"Audit.General", "Audit.Exchange", "Audit.SharePoint"}:
                return self.reply(400, {"error": {"code": "AF20020", "message": "invalid"}})
            if kind in replay.subscribed:
                return self.reply(
                    400,
                    {
                        "error": {
                            "code": "AF20024",
                            "message": "The subscription is already enabled. No property change.",
                        }
                    },
                )
            with lock:
                replay.subscribed.add(kind)
            return self.reply(200, {"contentType": kind, "status": "enabled", "webhook": None})

        def activity(self, token: str, path: str, query: dict[str, list[str]]) -> None:
            if self.activity_refused(token):
                return None
            feed = f"/api/v1.0/{replay.tenant}/activity/feed/"
            listing = json.loads((replay.samples / "audit" / "content.json").read_text("utf-8"))
            blobs = listing["blobs"]
            key = f"{path}|{(query.get('nextPage') or [''])[0]}"
            if key in replay.throttle:
                replay.throttle.discard(key)
                return self.reply(429, {"error": {"code": "AF429"}}, {"Retry-After": "1"})
            if path.startswith(feed + "audit/"):
                wanted = path.removeprefix(feed + "audit/")
                for blob in blobs:
                    if blob["contentId"] == wanted:
                        text = (replay.samples / "audit" / blob["file"]).read_text("utf-8")
                        return self.reply(200, json.loads(text))
                return self.reply(404, {"error": {"code": "AF20050", "message": wanted}})
            if path != feed + "subscriptions/content":
                return self.reply(404, {"error": {"code": "NotFound"}})
            kind = (query.get("contentType") or [""])[0]
            if kind not in replay.subscribed:
                return self.reply(400, {"error": {"code": "AF20022", "message": "none"}})
            start, end = _when(query.get("startTime")), _when(query.get("endTime"))
            now = replay.now or dt.datetime.now(dt.UTC)
            if (
                start is None
                or end is None
                or not start < end <= start + dt.timedelta(hours=24)
                or start < now - dt.timedelta(days=7)
            ):
                return self.reply(400, {"error": {"code": "AF20030", "message": "times"}})
            with lock:
                replay.audit_windows.append((start.isoformat(), end.isoformat()))
            found = [
                b for b in blobs if start <= dt.datetime.fromisoformat(b["contentCreated"]) < end
            ]
            first = int((query.get("nextPage") or ["0"])[0])
            page = found[first : first + replay.audit_page_size]
            headers = {}
            if first + replay.audit_page_size < len(found):
                more = {
                    "contentType": kind,
                    "startTime": query["startTime"][0],
                    "endTime": query["endTime"][0],
                    "nextPage": str(first + replay.audit_page_size),
                }
                headers["NextPageUri"] = (
                    f"{replay.base}{feed}subscriptions/content?{urllib.parse.urlencode(more)}"
                )
            body = [
                {
                    "contentType": kind,
                    "contentId": b["contentId"],
                    "contentUri": f"{replay.base}{feed}audit/{b['contentId']}",
                    "contentCreated": b["contentCreated"],
                    "contentExpiration": b["contentExpiration"],
                }
                for b in page
            ]
            return self.reply(200, body, headers)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    replay.base = f"https://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, cert
