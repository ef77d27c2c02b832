# ruff: noqa: S608 - SQL here interpolates only quote_name()d table and column names;
# every value goes through query parameters.
"""Pass 2: solutions (created, updated, restored, orphaned, marked deleted), co-owners and
connector uses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from tierdesk.inventory.choices import (
    SolutionEventType,
    SolutionState,
)
from tierdesk.inventory.importers.engine.records import (
    BATCH,
    FAMILY_KINDS,
    IN_CHUNK,
    SOL_COLUMNS,
    _plain,
    _same,
)
from tierdesk.inventory.importers.engine.writer import WriterBase, keeps_stored
from tierdesk.inventory.models import (
    Connector,
    Solution,
    SolutionConnector,
    SolutionOwner,
)


class SolutionSteps(WriterBase):
    def solutions(self) -> None:
        env_pks = sorted(
            {self.env_pk[env] for env, _id in self.got.solutions}
            | {self.env_pk[e] for e in self.got.envs if e in self.env_pk}
        )
        existing: dict[tuple[int, str], tuple[Any, ...]] = {}
        for start in range(0, len(env_pks), IN_CHUNK):
            for row in Solution.objects.filter(
                environment_id__in=env_pks[start : start + IN_CHUNK]
            ).values_list("pk", "environment_id", "platform_id", *SOL_COLUMNS):
                existing[(row[1], row[2])] = row
        orphaned_makers = {oid for oid, m in self.got.makers.items() if m.get("orphaned")}
        insert: list[tuple[Any, ...]] = []
        update: list[tuple[Any, ...]] = []
        seen: set[tuple[int, str]] = set()
        for (env, pid), rec, _loc, _day in self.got.records():
            env_pk = self.env_pk[env]
            key = (env_pk, pid)
            seen.add(key)
            old = existing.get(key)
            current = (
                dict(zip(SOL_COLUMNS, old[3:], strict=True))
                if old
                else {
                    "kind": rec["kind"],
                    "name": "",
                    "description": "",
                    "maker_id": None,
                    "platform_created_at": None,
                    "platform_modified_at": None,
                    "last_published_at": None,
                    "state": SolutionState.UNKNOWN,
                    "declared_tier": "",
                    "data_classification": "",
                    "is_orphaned": False,
                    "is_deleted": False,
                    "deleted_at": None,
                }
            )
            new = dict(current)
            new["kind"] = rec.get("kind") or current["kind"]
            for src_name, column in (
                ("name", "name"),
                ("description", "description"),
                ("created", "platform_created_at"),
                ("modified", "platform_modified_at"),
                ("published", "last_published_at"),
                ("declared_tier", "declared_tier"),
                ("data_classification", "data_classification"),
            ):
                if rec.get(src_name) is not None and not keeps_stored(
                    current[column], src_name, rec.get("degraded")
                ):
                    new[column] = rec[src_name]
            if rec.get("owner") or rec.get("owner_oid"):
                new["maker_id"] = self._user_for(rec.get("owner"), rec.get("owner_oid"))
            if rec.get("quarantined"):
                new["state"] = SolutionState.QUARANTINED
            elif rec.get("state"):
                new["state"] = rec["state"]
            elif rec.get("enabled") is not None:
                new["state"] = SolutionState.STARTED if rec["enabled"] else SolutionState.STOPPED
            if rec.get("orphaned") is not None or orphaned_makers:
                new["is_orphaned"] = bool(rec.get("orphaned")) or (
                    rec.get("owner_oid") in orphaned_makers
                )
            gone = bool(rec.get("deleted")) or rec.get("deleted_at") is not None
            new["is_deleted"] = gone
            if gone:
                new["deleted_at"] = (
                    current["deleted_at"]
                    if current["is_deleted"]
                    else (rec.get("deleted_at") or self.now)
                )
            else:
                new["deleted_at"] = None
            if old is None:
                insert.append((env_pk, pid, new))
                if len(insert) >= (BATCH if self.sqlite else BATCH * 5):
                    self._insert_solutions(insert)
                    insert = []
                continue
            self.sol_pk[(env, pid)] = old[0]
            changes = {
                c: [_plain(current[c]), _plain(new[c])]
                for c in SOL_COLUMNS
                if not _same(current[c], new[c])
            }
            if not changes:
                self.result.add("solutions_unchanged")
                continue
            update.append((*(self._sol_value(c, new[c]) for c in SOL_COLUMNS), old[0]))
            self._change_events(old[0], current, new, changes)
            self.result.add("solutions_updated")
        self._insert_solutions(insert)
        self._update_solutions(update)
        self._mark_disappeared(existing, seen, env_pks)

    def _change_events(
        self, pk: int, old: Mapping[str, Any], new: Mapping[str, Any], changes: dict[str, list[Any]]
    ) -> None:
        meta = {"source": self.source}
        if new["is_deleted"] and not old["is_deleted"]:
            self.events.append(
                (pk, SolutionEventType.MARKED_DELETED, {**meta, "reason": "deleted in source"})
            )
            self.result.add("solutions_marked_deleted")
        if old["is_deleted"] and not new["is_deleted"]:
            self.event(pk, SolutionEventType.RESTORED, meta)
            self.result.add("solutions_restored")
        if new["is_orphaned"] and not old["is_orphaned"]:
            self.events.append(
                (pk, SolutionEventType.ORPHANED, {**meta, "maker_id": new["maker_id"]})
            )
            self.result.add("solutions_orphaned")
        rest = {
            k: v for k, v in changes.items() if k not in {"is_deleted", "deleted_at", "is_orphaned"}
        }
        if rest:
            self.event(pk, SolutionEventType.UPDATED, {**meta, "changes": rest})

    def _sol_value(self, column: str, value: Any) -> Any:
        if column in {
            "platform_created_at",
            "platform_modified_at",
            "last_published_at",
            "deleted_at",
        }:
            return self._dt(value)
        return value

    def _insert_solutions(self, insert: list[tuple[int, str, dict[str, Any]]]) -> None:
        if not insert:
            return
        # In (environment id, solution id) order: the new ids then follow the order the
        # usage facts are written in (stage.py), which keeps those inserts sequential.
        env_of = self.env_name
        insert.sort(key=lambda item: (env_of[item[0]], item[1]))
        fields = [f for f in Solution._meta.concrete_fields if not f.primary_key]
        constants: dict[str, Any] = {}
        for f in fields:
            if f.column in (
                "environment_id",
                "platform_id",
                "created_at",
                "updated_at",
                *SOL_COLUMNS,
            ):
                continue
            constants[str(f.column)] = f.get_db_prep_value(f.get_default(), connection)
        stamp = self._dt(self.now)
        columns = [str(f.column) for f in fields]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            connection.ops.quote_name(Solution._meta.db_table),
            ", ".join(connection.ops.quote_name(c) for c in columns),
            ", ".join(["%s"] * len(columns)),
        )
        rows = []
        for env_pk, pid, new in insert:
            values = {
                "environment_id": env_pk,
                "platform_id": pid,
                "created_at": stamp,
                "updated_at": stamp,
                **constants,
            }
            for c in SOL_COLUMNS:
                values[c] = self._sol_value(c, new[c])
            rows.append(tuple(values[c] for c in columns))
        env_name = self.env_name
        if self.sqlite:
            self._executemany(sql, rows)
        else:
            # COPY into a temporary table, then one INSERT … SELECT that returns the ids.
            temp = self._temp_table("solutions_new", Solution._meta.db_table, columns)
            self._copy_rows(temp, columns, rows)
            col_list = ", ".join(connection.ops.quote_name(c) for c in columns)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {connection.ops.quote_name(Solution._meta.db_table)} "
                    f"({col_list}) SELECT {col_list} FROM {temp} "
                    "RETURNING id, environment_id, platform_id"
                )
                for pk, env_pk, pid in cursor.fetchall():
                    self.sol_pk[(env_name[env_pk], pid)] = pk
        self.result.add("solutions_created", len(rows))
        self._tick(_("solutions written"), len(rows))
        if self.sqlite:
            by_env: dict[int, set[str]] = defaultdict(set)
            for env_pk, pid, _new in insert:
                by_env[env_pk].add(pid)
            for env_pk, pids in by_env.items():
                ids = sorted(pids)
                for start in range(0, len(ids), IN_CHUNK * 4):
                    for pk, pid in Solution.objects.filter(
                        environment_id=env_pk, platform_id__in=ids[start : start + IN_CHUNK * 4]
                    ).values_list("pk", "platform_id"):
                        self.sol_pk[(env_name[env_pk], pid)] = pk
        for env_pk, pid, new in insert:
            pk = self.sol_pk[(env_name[env_pk], pid)]
            self.event(pk, SolutionEventType.CREATED, {"source": self.source, "kind": new["kind"]})
            if new["is_deleted"]:
                self.event(pk, SolutionEventType.MARKED_DELETED, {"source": self.source})
                self.result.add("solutions_marked_deleted")
            if new["is_orphaned"]:
                self.event(pk, SolutionEventType.ORPHANED, {"source": self.source})
                self.result.add("solutions_orphaned")

    def _update_solutions(self, update: list[tuple[Any, ...]]) -> None:
        if not update:
            return
        q = connection.ops.quote_name
        sets = ", ".join(f"{q(c)} = %s" for c in SOL_COLUMNS)
        sql = (
            f"UPDATE {q(Solution._meta.db_table)} SET {sets}, {q('version')} = {q('version')} + 1, "
            f"{q('updated_at')} = %s WHERE {q('id')} = %s"
        )
        stamp = self._dt(self.now)
        if self.sqlite:
            self._executemany(sql, [(*row[:-1], stamp, row[-1]) for row in update])
            return
        # PostgreSQL: COPY the new values into a temporary table, then one UPDATE … FROM.
        columns = (*SOL_COLUMNS, "id")
        temp = self._temp_table("solutions_changed", Solution._meta.db_table, columns)
        self._copy_rows(temp, columns, update)
        sets = ", ".join(f"{q(c)} = t.{q(c)}" for c in SOL_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {q(Solution._meta.db_table)} s SET {sets}, "
                f"{q('version')} = s.{q('version')} + 1, {q('updated_at')} = %s "
                f"FROM {temp} t WHERE s.{q('id')} = t.{q('id')}",
                [stamp],
            )

    def _mark_disappeared(
        self,
        existing: Mapping[tuple[int, str], tuple[Any, ...]],
        seen: set[tuple[int, str]],
        env_pks: Sequence[int],
    ) -> None:
        """What a full export no longer lists was deleted on the platform: in the
        environments this import covers, for the kinds of records it carries."""
        kinds: set[str] = set()
        for family in self.got.families:
            kinds |= FAMILY_KINDS[family]
        gone = [
            row
            for key, row in existing.items()
            if key not in seen and not row[3 + SOL_COLUMNS.index("is_deleted")] and row[3] in kinds
        ]
        if not gone:
            return
        q = connection.ops.quote_name
        sql = (
            f"UPDATE {q(Solution._meta.db_table)} SET {q('is_deleted')} = %s, "
            f"{q('deleted_at')} = %s, "
            f"{q('version')} = {q('version')} + 1, {q('updated_at')} = %s WHERE {q('id')} = %s"
        )
        stamp = self._dt(self.now)
        if self.sqlite:
            self._executemany(sql, [(True, stamp, stamp, row[0]) for row in gone])
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.replace(f"{q('id')} = %s", f"{q('id')} = ANY(%s)"),
                    [True, stamp, stamp, [row[0] for row in gone]],
                )
        for row in gone:
            self.events.append(
                (
                    row[0],
                    SolutionEventType.MARKED_DELETED,
                    {"source": self.source, "reason": "missing from export"},
                )
            )
        self.result.add("solutions_marked_deleted", len(gone))

    def owners(self) -> None:
        if not self.got.roles:
            return
        desired: dict[int, set[int]] = defaultdict(set)
        sharing: dict[int, dict[str, Any]] = {}
        for sol, env, rec, _loc in self.got.roles:
            pk = self._sol_for(sol, env)
            if pk is None:
                continue
            desired.setdefault(pk, set())
            share = sharing.setdefault(pk, {"users": set(), "groups": set(), "tenant": False})
            kind = self._principal_kind(rec)
            upn, oid = self._role_principal(rec)
            if kind == "tenant":
                share["tenant"] = True
                continue
            if kind == "group":
                share["groups"].add(oid or upn)
                continue
            user = self._user_for(upn, oid)
            if rec["role"] != "owner":
                share["users"].add(user or upn or oid)
            if rec["role"] in {"owner", "co_owner"} and user is not None:
                desired[pk].add(user)
        makers = dict(Solution.objects.filter(pk__in=list(desired)).values_list("pk", "maker_id"))
        current: dict[int, set[int]] = defaultdict(set)
        for sol_pk, user in SolutionOwner.objects.filter(solution_id__in=list(desired)).values_list(
            "solution_id", "user_id"
        ):
            current[sol_pk].add(user)
        add, remove = [], []
        for pk, users in desired.items():
            users = users - {makers.get(pk)}
            added, removed = users - current[pk], current[pk] - users
            if added or removed:
                add += [SolutionOwner(solution_id=pk, user_id=u) for u in sorted(added)]
                remove += [(pk, u) for u in removed]
                self.events.append(
                    (
                        pk,
                        SolutionEventType.OWNERS_CHANGED,
                        {"source": self.source, "added": sorted(added), "removed": sorted(removed)},
                    )
                )
                self.result.add("owners_changed")
        SolutionOwner.objects.bulk_create(add, batch_size=BATCH)
        for pk, u in remove:
            SolutionOwner.objects.filter(solution_id=pk, user_id=u).delete()
        self.role_sharing = sharing

    def connector_uses(self) -> None:
        if not self.got.conn_refs:
            return
        conn_pk = dict(
            Connector.objects.filter(tenant_id=self.options.tenant).values_list("platform_id", "pk")
        )
        desired: dict[int, set[int]] = defaultdict(set)
        for sol, env, cid, _rec, _loc in self.got.conn_refs:
            pk = self._sol_for(sol, env)
            if pk is not None:
                desired[pk].add(conn_pk[self.got.connector_rows.get(cid, cid)])
        current: dict[int, set[int]] = defaultdict(set)
        for sol_pk, c in SolutionConnector.objects.filter(
            solution_id__in=list(desired)
        ).values_list("solution_id", "connector_id"):
            current[sol_pk].add(c)
        add = []
        for pk, cons in desired.items():
            add += [
                SolutionConnector(solution_id=pk, connector_id=c)
                for c in sorted(cons - current[pk])
            ]
            extra = current[pk] - cons
            if extra:
                SolutionConnector.objects.filter(solution_id=pk, connector_id__in=extra).delete()
        SolutionConnector.objects.bulk_create(add, batch_size=BATCH)
        self.result.add("connector_uses_added", len(add))
