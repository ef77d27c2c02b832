"""Pass 2: environments, people and connectors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.db.models.functions import Lower

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import User
from tierdesk.inventory.importers.base import Row
from tierdesk.inventory.importers.engine.records import (
    BATCH,
    IN_CHUNK,
    NOT_A_PERSON,
)
from tierdesk.inventory.importers.engine.references import env_pks
from tierdesk.inventory.importers.engine.writer import WriterBase, keeps_stored
from tierdesk.inventory.models import (
    Connector,
    Environment,
)


class PeopleSteps(WriterBase):
    def environments(self) -> None:
        tenant = self.options.tenant
        existing = (
            {
                e.platform_id: e
                for e in Environment.objects.filter(
                    tenant_id=tenant, platform_id__in=list(self.got.envs)
                )
            }
            if len(self.got.envs) < 5000
            else {e.platform_id: e for e in Environment.objects.filter(tenant_id=tenant)}
        )
        new: list[Environment] = []
        for pid, rec in self.got.envs.items():
            values: dict[str, Any] = {}
            for name, attr in (
                ("name", "name"),
                ("type", "type"),
                ("purpose", "purpose"),
                ("region", "region"),
                ("url", "url"),
                ("created", "platform_created_at"),
                ("is_managed", "is_managed"),
            ):
                if rec.get(name) is not None:
                    values[attr] = rec[name]
            env = existing.get(pid)
            if env is not None and keeps_stored(env.name, "name", rec.get("degraded")):
                values.pop("name", None)
            if rec.get("is_default"):
                values["type"] = "default"
            gone = bool(rec.get("deleted")) or rec.get("deleted_at") is not None
            values["is_deleted"] = gone
            values["deleted_at"] = (rec.get("deleted_at") or self.now) if gone else None
            if env is None:
                values.setdefault("name", pid)
                new.append(Environment(tenant_id=tenant, platform_id=pid, **values))
                self.result.add("environments_created")
                continue
            if gone and env.is_deleted:
                values["deleted_at"] = env.deleted_at
            changed = [k for k, v in values.items() if getattr(env, k) != v]
            if changed:
                for k in changed:
                    setattr(env, k, values[k])
                env.save(update_fields=changed)
                self.result.add("environments_updated")
            else:
                self.result.add("environments_unchanged")
        Environment.objects.bulk_create(new, batch_size=BATCH)
        needed = set(self.got.envs) | {env for env, _id in self.got.solutions}
        needed |= {env for env, _s in self.got.usage_refs if env}
        needed |= {env for env, _rec, _loc in self.got.env_roles}
        self.env_pk = env_pks(tenant, needed)

    def people(self) -> None:
        """Match makers and co-owners to users by UPN or e-mail (case-insensitively), else
        by directory object id; create inactive users for the rest, in bulk."""
        wanted: dict[tuple[str, str], dict[str, str]] = {}

        def want(
            upn: str | None, oid: str | None, name: str | None, kind: str = AccountKind.PERSON
        ) -> None:
            upn = (upn or "").strip().lower()
            oid = (oid or "").strip().lower()
            if upn in NOT_A_PERSON or oid in NOT_A_PERSON:
                return
            if self.got.makers.get(oid, {}).get("system"):
                return  # CoE cr886_makerissystem: the SYSTEM maker
            if not upn and oid in self.got.makers:
                upn = (self.got.makers[oid].get("upn") or "").strip().lower()
                name = name or self.got.makers[oid].get("name")
            if not upn and oid in self.got.principals:
                upn = (self.got.principals[oid].get("upn") or "").strip().lower()
                name = name or self.got.principals[oid].get("name")
            info = {"upn": upn, "oid": oid, "name": name or "", "kind": str(kind)}
            for key in (("upn", upn), ("oid", oid)):
                if not key[1]:
                    continue
                known = wanted.setdefault(key, info)
                if known is not info:
                    # One person met twice in one import (an agent's maker by object id
                    # only, then a sharing row with the UPN): the blanks are filled, so
                    # both keys create or find the same account.
                    for part in ("upn", "oid", "name"):
                        if not known[part] and info[part]:
                            known[part] = info[part]

        for _key, rec, _loc, _day in self.got.records():
            if rec.get("owner") or rec.get("owner_oid"):
                name = rec.get("owner_name")
                if name and "owner_name" in (rec.get("degraded") or ()):
                    name = None  # "???" is no one's name
                want(rec.get("owner"), rec.get("owner_oid"), name)
        for _sol, _env, rec, _loc in self.got.roles:
            upn, oid = self._role_principal(rec)
            if self._principal_kind(rec) == "user" and (upn or oid):
                want(upn, oid, rec.get("principal_name"))
        for _env, rec, _loc in self.got.env_roles:
            upn, oid = self._role_principal(rec)
            kind = self._principal_kind(rec)
            if kind in {"user", "service_principal"} and (upn or oid):
                person = kind == "user"
                want(
                    upn,
                    oid,
                    rec.get("principal_name"),
                    AccountKind.PERSON if person else AccountKind.SERVICE_PRINCIPAL,
                )
        if not wanted:
            return
        upns = sorted({k for kind, k in wanted if kind == "upn"})
        oids = sorted({k for kind, k in wanted if kind == "oid"})
        for start in range(0, len(upns), IN_CHUNK):
            chunk = upns[start : start + IN_CHUNK]
            for pk, upn in (
                User.objects.annotate(l=Lower("upn"))
                .filter(l__in=chunk)
                .order_by("-id")
                .values_list("pk", "l")
            ):
                self.user_pk[("upn", upn)] = pk
            rest = [u for u in chunk if ("upn", u) not in self.user_pk]
            for pk, email in (
                User.objects.annotate(l=Lower("email"))
                .filter(l__in=rest)
                .order_by("-id")
                .values_list("pk", "l")
            ):
                self.user_pk[("upn", email)] = pk
        for start in range(0, len(oids), IN_CHUNK):
            chunk = oids[start : start + IN_CHUNK]
            for pk, oid in (
                User.objects.filter(external_id__in=chunk)
                .order_by("-id")
                .values_list("pk", "external_id")
            ):
                self.user_pk[("oid", oid)] = pk
        # Link the two keys of one person: a UPN match also answers for its object id.
        for (kind, key), info in wanted.items():
            if kind == "oid" and info["upn"] and ("upn", info["upn"]) in self.user_pk:
                self.user_pk[("oid", key)] = self.user_pk[("upn", info["upn"])]
            if kind == "upn" and info["oid"] and ("oid", info["oid"]) in self.user_pk:
                self.user_pk.setdefault(("upn", key), self.user_pk[("oid", info["oid"])])
        self._fill_blanks(wanted)
        create: dict[str, dict[str, str]] = {}
        for (kind, key), info in wanted.items():
            if (kind, key) in self.user_pk:
                continue
            username = (info["upn"] or f"aad-{info['oid']}")[:150]
            create.setdefault(username, info)
        if create:
            taken = set(
                User.objects.filter(username__in=list(create)).values_list("username", flat=True)
            )
            unusable = make_password(None)
            users = []
            for username, info in create.items():
                final = username
                n = 1
                while final in taken:
                    n += 1
                    final = f"{username[:140]}~{n}"
                taken.add(final)
                upn = info["upn"]
                users.append(
                    User(
                        username=final,
                        upn=upn,
                        email=upn if "@" in upn else "",
                        external_id=info["oid"],
                        display_name=info["name"][:200],
                        is_active=False,
                        password=unusable,
                        kind=info.get("kind") or AccountKind.PERSON,
                    )
                )
            User.objects.bulk_create(users, batch_size=BATCH)
            self.result.add("users_created", len(users))
            made = {
                u.username: u.pk
                for u in User.objects.filter(username__in=[u.username for u in users])
            }
            for user in users:
                pk = made[user.username]
                if user.upn:
                    self.user_pk[("upn", user.upn)] = pk
                if user.external_id:
                    self.user_pk.setdefault(("oid", user.external_id), pk)

    def _fill_blanks(self, wanted: dict[tuple[str, str], dict[str, str]]) -> None:
        """People already known by one key (say, an object id from a flow export) get the
        UPN, e-mail, object id and name a later export adds — blanks only, never a change,
        and never a UPN another account holds."""
        known: dict[int, dict[str, str]] = {}
        for key, info in wanted.items():
            pk = self.user_pk.get(key)
            if pk is not None:
                merged = known.setdefault(pk, {})
                for field in ("upn", "oid", "name"):
                    if info.get(field) and not merged.get(field):
                        merged[field] = info[field]
        if not known:
            return
        pks = sorted(known)
        users: list[User] = []
        for start in range(0, len(pks), IN_CHUNK):
            users += User.objects.filter(pk__in=pks[start : start + IN_CHUNK]).filter(
                Q(upn="") | Q(external_id="") | Q(display_name="")
            )
        if not users:
            return
        taken = {
            u.lower()
            for u in User.objects.annotate(l=Lower("upn"))
            .filter(l__in=[known[u.pk].get("upn", "") for u in users if known[u.pk].get("upn")])
            .values_list("l", flat=True)
        }
        for user in users:
            info = known[user.pk]
            changed = []
            upn = info.get("upn", "")
            if not user.upn and upn and "@" in upn and upn not in taken:
                user.upn = upn
                changed.append("upn")
                if not user.email:
                    user.email = upn
                    changed.append("email")
                taken.add(upn)
            if not user.external_id and info.get("oid"):
                user.external_id = info["oid"]
                changed.append("external_id")
            if not user.display_name and info.get("name"):
                user.display_name = info["name"][:200]
                changed.append("display_name")
            if changed:
                user.save(update_fields=changed)
                self.result.add("users_completed")
                if user.upn:
                    self.user_pk[("upn", user.upn.lower())] = user.pk

    def connectors(self) -> None:
        tenant = self.options.tenant
        wanted: dict[str, Row] = dict(self.got.connectors)
        for _sol, _env, cid, rec, _loc in self.got.conn_refs:
            cid = self.got.connector_rows.get(cid, cid)
            wanted.setdefault(
                cid,
                {
                    "id": cid,
                    "name": rec.get("connector_name"),
                    "tier": rec.get("tier"),
                    "custom": rec.get("custom"),
                },
            )
        if not wanted:
            return
        existing = {
            c.platform_id: c
            for c in Connector.objects.filter(tenant_id=tenant, platform_id__in=list(wanted))
        }
        new = []
        for cid, rec in wanted.items():
            values: dict[str, Any] = {}
            if rec.get("name"):
                values["name"] = rec["name"]
            tier = "custom" if rec.get("custom") else rec.get("tier")
            if tier:
                values["tier"] = tier
            if rec.get("publisher"):
                values["publisher"] = rec["publisher"]
            conn = existing.get(cid)
            if conn is None:
                values.setdefault("name", cid)
                new.append(Connector(tenant_id=tenant, platform_id=cid, **values))
                self.result.add("connectors_created")
            else:
                changed = [k for k, v in values.items() if getattr(conn, k) != v]
                if changed:
                    for k in changed:
                        setattr(conn, k, values[k])
                    conn.save(update_fields=changed)
                    self.result.add("connectors_updated")
        Connector.objects.bulk_create(new, batch_size=BATCH)
