"""A real IMAP server for the mailbox intake tests: Debian's dovecot (scripts/ensure-dovecot
installs it), run in the foreground with its own configuration under a temp dir — a
passwd-file of users, maildirs under the temp dir, listening on 127.0.0.1 on a free port,
no TLS. Never the system's dovecot, never the internet.

It also signs in with OAuth 2.0 the way Exchange Online does (SASL XOAUTH2 and
OAUTHBEARER): dovecot 2.3's oauth2 passdb validates the bearer token locally as a JWT
(`introspection_mode = local`, doc.dovecot.org 2.3 "Open Authentication v2.0 database",
*Local validation*): its RS256 signature against the public key this module generates
(a `fs:posix` dict, looked up as shared/<azp or "default">/<alg>/<kid>), `exp`/`nbf`/`iat`,
the issuer (`issuers`: Entra ID's v1 issuer of the test tenant), the audience (`client_id`
is matched against `aud`: Exchange Online's https://outlook.office365.com), and the
token's `upn` must equal the XOAUTH2 `user=` (dovecot refuses "Username … did not match").
Tests sign tokens with `Dovecot.oauth_key` (`entra.py` is the token endpoint).
Dovecot 2.3.19's auth process crashes (signal 11) on a JWT whose claims hold an array, so
the test tokens carry no `roles` array (Exchange's carry `"roles": ["IMAP.AccessAsApp"]`).

Run as root, dovecot refuses to give mail processes uid 0: they run as the `dovecot` user
(which owns the maildirs), and the login processes as `dovenull`, both made by the package.
Run as anyone else, everything runs as that user."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DOVECOT = os.environ.get("TIERDESK_DOVECOT", "/usr/sbin/dovecot")
PASSWORD = "mail-secret"
USERS = 40
# What the test dovecot accepts in an OAuth token (Exchange Online's values, a test tenant).
OAUTH_TENANT = "72f988bf-0000-4000-8000-00000000d0c5"
OAUTH_ISSUER = f"https://sts.windows.net/{OAUTH_TENANT}/"
OAUTH_AUDIENCE = "https://outlook.office365.com"
OAUTH_KID = "tierdesk-test-key-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Dovecot:
    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    next_user: int = 0
    users: list[str] = field(default_factory=list)
    oauth_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        repr=False,
    )

    def user(self) -> str:
        """A mailbox user of its own for one test."""
        self.next_user += 1
        return self.users[self.next_user - 1]

    def client(self, user: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        conn.login(user, PASSWORD)
        return conn

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Put a mail in a folder the way a mail server's delivery would (IMAP APPEND)."""
        conn = self.client(user)
        try:
            typ, data = conn.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def count(self, user: str, folder: str = "INBOX", criteria: str = "ALL") -> int:
        conn = self.client(user)
        try:
            typ, _data = conn.select(f'"{folder}"', readonly=True)
            if typ != "OK":
                return 0
            typ, found = conn.uid("SEARCH", criteria)
            return len(found[0].split()) if found and found[0] else 0
        finally:
            conn.logout()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> Dovecot:
    """Start dovecot; fails (never skips) when it is not installed."""
    if not Path(DOVECOT).exists():
        raise RuntimeError(f"dovecot is missing at {DOVECOT}: run scripts/ensure-dovecot")
    root = Path(tempfile.mkdtemp(prefix="tierdesk-dovecot-"))
    root.chmod(0o755)
    mail = root / "mail"
    mail.mkdir()
    if os.getuid() == 0:
        owner = pwd.getpwnam("dovecot")
        uid, gid = owner.pw_uid, owner.pw_gid
        login_user, internal_user = "dovenull", "dovecot"
        os.chown(mail, uid, gid)
    else:
        uid, gid = os.getuid(), os.getgid()
        login_user = internal_user = pwd.getpwuid(uid).pw_name
    server = Dovecot(root=root, port=_free_port())
    server.users = [f"desk{n}@example.test" for n in range(1, USERS + 1)]
    keys = root / "keys" / "default" / "RS256"
    keys.mkdir(parents=True)
    (keys / OAUTH_KID).write_bytes(
        server.oauth_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    (root / "oauth2.conf.ext").write_text(
        f"""introspection_mode = local
local_validation_key_dict = fs:posix:prefix={root}/keys/
username_attribute = upn
issuers = {OAUTH_ISSUER}
client_id = {OAUTH_AUDIENCE}
"""
    )
    (root / "passwd").write_text("".join(f"{user}:{{PLAIN}}{PASSWORD}\n" for user in server.users))
    (root / "dovecot.conf").write_text(
        f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
mail_location = maildir:{mail}/%u
first_valid_uid = 1
first_valid_gid = 0
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {server.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf.ext
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""
    )
    server.process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            err = server.process.stderr.read().decode() if server.process.stderr else ""
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            server.stop()
            raise RuntimeError(f"dovecot did not start: {err} {log}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("dovecot did not listen within 20 s")
