"""Pass 2: environment security roles (who may make where)."""

from __future__ import annotations

from tierdesk.inventory.importers.engine.records import BATCH, IN_CHUNK
from tierdesk.inventory.importers.engine.writer import WriterBase
from tierdesk.inventory.models import EnvironmentRole

Grant = tuple[int, int, str]  # environment pk, user pk, role


class RoleSteps(WriterBase):
    def environment_roles(self) -> None:
        """Bring the grants of the environments this import covers in line with it.

        Covered: every environment one of its grants names, and — when the import carries
        grants at all — every environment it lists (so one whose grants all went is
        emptied). A grant this source reported before and the export no longer lists is
        removed; grants another source reported are left to that source. `last_seen`
        moves to the export's date, so importing the same export again changes nothing.
        Groups and the tenant hold no grant rows (a grant belongs to one account)."""
        if not self.got.env_roles:
            return
        covered = {self.env_pk[env] for env, _rec, _loc in self.got.env_roles}
        covered |= {self.env_pk[env] for env in self.got.envs if env in self.env_pk}
        desired: set[Grant] = set()
        for env, rec, _loc in self.got.env_roles:
            if self._principal_kind(rec) not in {"user", "service_principal"}:
                continue
            upn, oid = self._role_principal(rec)
            user = self._user_for(upn, oid)
            if user is not None:
                desired.add((self.env_pk[env], user, str(rec["role"])))
        envs = sorted(covered)
        stale: list[int] = []
        seen_again: list[int] = []
        existing: set[Grant] = set()
        for start in range(0, len(envs), IN_CHUNK):
            for pk, env_pk, user, role, source, last_seen in EnvironmentRole.objects.filter(
                environment_id__in=envs[start : start + IN_CHUNK]
            ).values_list("pk", "environment_id", "user_id", "role", "source", "last_seen"):
                key = (env_pk, user, role)
                existing.add(key)
                if key in desired:
                    if last_seen < self.as_of:
                        seen_again.append(pk)
                elif source == self.source:
                    stale.append(pk)
        new = [
            EnvironmentRole(
                environment_id=env_pk,
                user_id=user,
                role=role,
                source=self.source,
                first_seen=self.as_of,
                last_seen=self.as_of,
            )
            for env_pk, user, role in sorted(desired - existing)
        ]
        EnvironmentRole.objects.bulk_create(new, batch_size=BATCH)
        for start in range(0, len(seen_again), IN_CHUNK):
            EnvironmentRole.objects.filter(pk__in=seen_again[start : start + IN_CHUNK]).update(
                last_seen=self.as_of
            )
        for start in range(0, len(stale), IN_CHUNK):
            EnvironmentRole.objects.filter(pk__in=stale[start : start + IN_CHUNK]).delete()
        self.result.add("environment_roles_added", len(new))
        self.result.add("environment_roles_seen_again", len(seen_again))
        self.result.add("environment_roles_removed", len(stale))
