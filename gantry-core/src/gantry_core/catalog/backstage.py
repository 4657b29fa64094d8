"""Convert Backstage catalog descriptors (`catalog-info.yaml`) into Gantry entities (F159).

Pure functions, no database: :func:`convert` takes the documents of one import and returns, per
document, a report of what became of it and the Gantry entity to write (if any). The mapping:

==============  ===========================================================================================
Backstage       Gantry
==============  ===========================================================================================
Component       Service (type service→backend, website→frontend, library→library, …); Documentation when
                the type is documentation
API             API (type openapi→rest, asyncapi→event, grpc, graphql); definition kept when it is a URL
Group           Team; members from ``spec.members`` and from the User entities' ``spec.memberOf``
User            merged into the members of its Teams (name and e-mail)
System          no entity: its entities get ``spec.system`` and the label ``gantry.io/system``
Domain          no entity: the entities of its systems get the label ``gantry.io/domain``
Resource        Infrastructure when the type is a database, queue, cache, storage or bucket
Location        skipped: import the files it points at instead
==============  ===========================================================================================

Every kind keeps title, description, labels, annotations, tags and links; ``spec.owner`` becomes
``metadata.owner`` with the ``group:``/``user:`` prefix and namespace removed. Names become
kebab-case (``Foo_Bar.baz`` → ``foo-bar-baz``), and relations (dependsOn, providesApis, consumesApis)
point at the converted names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gantry_core.auth.schemas import text_problem
from gantry_core.plugins.kinds import API_VERSION, LABEL_KEY_PATTERN

SYSTEM_LABEL = "gantry.io/system"
DOMAIN_LABEL = "gantry.io/domain"
MAX_NAME = 63

# Backstage's own rule for names: alphanumerics separated by single - _ or . (at most 63 characters).
_BACKSTAGE_NAME = re.compile(r"^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$")
_LABEL_KEY = re.compile(LABEL_KEY_PATTERN)
_TAG_CHARS = re.compile(r"[^a-z0-9+#._-]+")
_URL = re.compile(r"^https?://\S+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

COMPONENT_TYPES = {
    "service": "backend",
    "backend": "backend",
    "website": "frontend",
    "frontend": "frontend",
    "library": "library",
    "worker": "worker",
    "fullstack": "fullstack",
}
DOCUMENTATION_TYPES = frozenset({"documentation", "docs", "techdocs"})
API_TYPES = {"openapi": "rest", "rest": "rest", "grpc": "grpc", "graphql": "graphql", "asyncapi": "event"}
RESOURCE_TYPES = {
    "database": "database",
    "db": "database",
    "postgres": "database",
    "postgresql": "database",
    "mysql": "database",
    "rds": "database",
    "queue": "queue",
    "topic": "queue",
    "kafka-topic": "queue",
    "sqs": "queue",
    "pubsub": "queue",
    "cache": "cache",
    "redis": "cache",
    "memcached": "cache",
    "storage": "storage",
    "filesystem": "storage",
    "volume": "storage",
    "bucket": "bucket",
    "s3-bucket": "bucket",
    "s3": "bucket",
    "gcs-bucket": "bucket",
}
LIFECYCLES = frozenset({"experimental", "development", "production", "deprecated"})
LINK_ICONS = {
    "dashboard": "dashboard",
    "docs": "docs",
    "techdocs": "docs",
    "help": "docs",
    "github": "github",
    "chat": "slack",
    "slack": "slack",
    "alert": "alert",
    "warning": "alert",
    "monitor": "monitor",
    "metrics": "monitor",
    "grafana": "monitor",
    "ci": "ci",
    "build": "ci",
    "runbook": "runbook",
}
#: Backstage bookkeeping, not entity content: left out without a report line.
_IGNORED_METADATA = frozenset({"uid", "etag", "generation", "relations", "status"})
_KNOWN_METADATA = frozenset({"name", "namespace", "title", "description", "tags", "labels", "annotations", "links"})
_REF = re.compile(r"^(?:(?P<kind>[A-Za-z][A-Za-z0-9]*):)?(?:(?P<namespace>[^/:]+)/)?(?P<name>[^/:]+)$")


@dataclass
class Report:
    """What became of one document: the API's per-document report."""

    index: int
    source_kind: str | None
    source_name: str | None
    status: str = "converted"  # converted | skipped | error
    target: dict[str, str] | None = None
    mapped: list[str] = field(default_factory=list)
    dropped: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    merged_into: list[dict[str, str]] = field(default_factory=list)

    def drop(self, path: str, reason: str) -> None:
        self.dropped.append({"field": path, "reason": reason})

    def error(self, path: str, message: str) -> None:
        self.status = "error"
        self.errors.append({"path": path, "message": message})

    def skip(self, reason: str) -> None:
        self.status = "skipped"
        self.dropped.append({"field": "", "reason": reason})


@dataclass
class Conversion:
    reports: list[Report]
    #: index of the document → the Gantry entity made from it
    entities: dict[int, dict[str, Any]]


def kebab(value: str) -> str:
    """``Foo_Bar.baz`` → ``foo-bar-baz``: lowercase, runs of other characters become one ``-``, ≤ 63."""
    out = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return out[:MAX_NAME].rstrip("-")


@dataclass(frozen=True)
class Ref:
    kind: str | None  # lowercase
    namespace: str | None
    name: str


def parse_ref(value: Any) -> Ref | None:
    """A Backstage entity reference: ``[kind:][namespace/]name`` (or the ``{kind, namespace, name}`` form)."""
    if isinstance(value, Mapping):
        name = value.get("name")
        if not isinstance(name, str) or not name:
            return None
        kind, ns = value.get("kind"), value.get("namespace")
        return Ref(kind.lower() if isinstance(kind, str) else None, ns if isinstance(ns, str) else None, name)
    if not isinstance(value, str):
        return None
    match = _REF.match(value.strip())
    if not match:
        return None
    kind = match["kind"]
    return Ref(kind.lower() if kind else None, match["namespace"], match["name"])


def _owner_name(ref: Ref) -> str:
    """Owners are Teams in Gantry: a ``user:jane@example.com`` owner becomes ``jane``."""
    name = ref.name.split("@", 1)[0] if "@" in ref.name else ref.name
    return kebab(name)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _url(value: Any) -> str | None:
    return value if isinstance(value, str) and _URL.match(value) and len(value) <= 2048 else None


class _Converter:
    def __init__(self, documents: list[Any]) -> None:
        self.documents = documents
        self.reports: list[Report] = []
        self.entities: dict[int, dict[str, Any]] = {}
        self.systems: dict[str, Mapping[str, Any]] = {}  # normalised system name → its spec
        self.teams: dict[str, int] = {}  # normalised group name → index of its Team
        self.users: list[tuple[int, Mapping[str, Any]]] = []

    # -- the two passes ------------------------------------------------------------------------------

    def run(self) -> Conversion:
        for index, raw in enumerate(self.documents):
            report = self._identify(index, raw)
            self.reports.append(report)
            if report.status == "converted" and report.source_kind == "System":
                name = kebab(str(raw["metadata"]["name"]))
                self.systems[name] = raw.get("spec") if isinstance(raw.get("spec"), Mapping) else {}
        for index, raw in enumerate(self.documents):
            report = self.reports[index]
            if report.status != "converted":
                continue
            handler = self._handlers().get(str(report.source_kind))
            if handler is None:
                report.skip(f"kind {report.source_kind} has no Gantry equivalent")
                continue
            entity = handler(raw, report)
            if entity is not None and report.status == "converted":
                self.entities[index] = entity
                md = entity["metadata"]
                report.target = {"kind": entity["kind"], "namespace": md["namespace"], "name": md["name"]}
                if entity["kind"] == "Team":
                    self.teams.setdefault(md["name"], index)
        self._merge_users()
        self._refuse_collisions()
        return Conversion(self.reports, self.entities)

    def _handlers(self) -> dict[str, Callable[[Mapping[str, Any], Report], dict[str, Any] | None]]:
        return {
            "Component": self._component,
            "API": self._api,
            "Group": self._group,
            "User": self._user,
            "System": self._system,
            "Domain": self._domain,
            "Resource": self._resource,
            "Location": self._location,
            "Template": self._template,
        }

    def _identify(self, index: int, raw: Any) -> Report:
        if not isinstance(raw, Mapping):
            report = Report(index, None, None)
            report.error("", "a document must be a mapping with apiVersion, kind, metadata and spec")
            return report
        kind = raw.get("kind") if isinstance(raw.get("kind"), str) else None
        metadata = raw.get("metadata")
        name = metadata.get("name") if isinstance(metadata, Mapping) else None
        report = Report(index, kind, name if isinstance(name, str) else None)
        api_version = raw.get("apiVersion")
        if kind is None:
            report.error("/kind", "missing")
        if not isinstance(metadata, Mapping):
            report.error("/metadata", "missing or not a mapping")
        elif not isinstance(name, str):
            report.error("/metadata/name", "missing")
        elif not _BACKSTAGE_NAME.match(name) or len(name) > MAX_NAME:
            report.error("/metadata/name", "not a Backstage entity name (letters and digits separated by - _ .)")
        if "spec" in raw and not isinstance(raw["spec"], Mapping):
            report.error("/spec", "must be a mapping")
        for path, problem in _unstorable(raw, ""):
            report.error(path, problem)
        if report.status == "converted" and api_version == API_VERSION:
            report.skip("already a Gantry entity: send it to POST /api/v1/apply")
        elif report.status == "converted" and not (isinstance(api_version, str) and "backstage.io/" in api_version):
            report.error("/apiVersion", "not a Backstage apiVersion (backstage.io/v1alpha1, …)")
        return report

    # -- kinds ---------------------------------------------------------------------------------------

    def _component(self, raw: Mapping[str, Any], report: Report) -> dict[str, Any] | None:
        spec = _spec(raw)
        btype = _str(spec.get("type"))
        if btype is not None and btype.lower() in DOCUMENTATION_TYPES:
            return self._documentation(raw, report)
        gtype = COMPONENT_TYPES.get(btype.lower()) if btype else None
        if gtype is None:
            gtype, note = "backend", f"spec.type: {btype!r} has no Gantry equivalent, imported as 'backend'"
        else:
            note = f"spec.type: {btype!r} → {gtype!r}"
        entity = self._typed("Service", raw, report, note, gtype)
        depends = []
        for i, ref in enumerate(_list(spec.get("dependsOn"))):
            parsed = parse_ref(ref)
            kind = {"component": "Service", "resource": "Infrastructure"}.get(parsed.kind or "") if parsed else None
            if parsed is None or kind is None or not kebab(parsed.name):
                report.drop(f"spec.dependsOn[{i}]", f"{ref!r}: only component: and resource: references are kept")
                continue
            depends.append({"kind": kind, "name": kebab(parsed.name)})
        if depends:
            entity["spec"]["dependsOn"] = _unique(depends)
            report.mapped.append("spec.dependsOn")
        for key in ("providesApis", "consumesApis"):
            names = []
            for i, ref in enumerate(_list(spec.get(key))):
                parsed = parse_ref(ref)
                if parsed is None or parsed.kind not in (None, "api") or not kebab(parsed.name):
                    report.drop(f"spec.{key}[{i}]", f"{ref!r}: not an API reference")
                    continue
                names.append(kebab(parsed.name))
            if names:
                entity["spec"][key] = list(dict.fromkeys(names))
                report.mapped.append(f"spec.{key}")
        self._drop_rest(
            spec, report, handled={"type", "lifecycle", "owner", "system", "dependsOn", "providesApis", "consumesApis"}
        )
        return entity

    def _documentation(self, raw: Mapping[str, Any], report: Report) -> dict[str, Any]:
        spec = _spec(raw)
        entity = self._base("Documentation", raw, report)
        entity["spec"]["type"] = "wiki"
        report.mapped.append(f"kind: Component of type {spec.get('type')!r} → Documentation (type 'wiki')")
        techdocs = _str(entity["metadata"].get("annotations", {}).get("backstage.io/techdocs-ref"))
        url = _url(techdocs.removeprefix("url:")) if techdocs else None
        links = entity["spec"].get("links") or []
        if url is None and links:
            url = links[0]["url"]
        if url:
            entity["spec"]["url"] = url
            report.mapped.append("spec.url")
        self._system_of(spec, entity, report, in_spec=False)
        self._drop_rest(spec, report, handled={"type", "owner", "system", "lifecycle"})
        return entity

    def _api(self, raw: Mapping[str, Any], report: Report) -> dict[str, Any] | None:
        spec = _spec(raw)
        btype = _str(spec.get("type"))
        gtype = API_TYPES.get(btype.lower()) if btype else None
        if gtype is None:
            report.error(
                "/spec/type", f"API type {btype!r} has no Gantry equivalent (openapi, asyncapi, grpc, graphql)"
            )
            return None
        entity = self._typed("API", raw, report, f"spec.type: {btype!r} → {gtype!r}", gtype)
        definition = spec.get("definition")
        url = _url(definition.strip()) if isinstance(definition, str) else None
        if url is None and isinstance(definition, Mapping):
            for key in ("$text", "$json", "$yaml", "$openapi", "$asyncapi"):
                url = _url(definition.get(key))
                if url:
                    break
        if url:
            entity["spec"]["definition"] = url
            report.mapped.append("spec.definition (URL)")
        elif definition is not None:
            report.drop("spec.definition", "Gantry keeps a URL of the definition, not the definition itself")
        self._drop_rest(spec, report, handled={"type", "lifecycle", "owner", "system", "definition"})
        return entity

    def _group(self, raw: Mapping[str, Any], report: Report) -> dict[str, Any]:
        spec = _spec(raw)
        entity = self._base("Team", raw, report)
        profile = _mapping(spec.get("profile"))
        display = _str(profile.get("displayName"))
        if display and "title" not in entity["metadata"]:
            entity["metadata"]["title"] = display[:255]
            report.mapped.append("spec.profile.displayName → metadata.title")
        email = _str(profile.get("email"))
        if email and _EMAIL.match(email):
            entity["spec"]["email"] = email
            report.mapped.append("spec.profile.email → spec.email")
        if profile.get("picture"):
            report.drop("spec.profile.picture", "Gantry Teams have no picture")
        members: list[dict[str, str]] = []
        for i, ref in enumerate(_list(spec.get("members"))):
            parsed = parse_ref(ref)
            if parsed is None or parsed.kind not in (None, "user"):
                report.drop(f"spec.members[{i}]", f"{ref!r}: not a user reference")
                continue
            members.append({"name": parsed.name[:150]})
        if members:
            entity["spec"]["members"] = members
            report.mapped.append("spec.members")
        if _str(spec.get("type")):
            report.drop("spec.type", f"Gantry Teams have no type ({spec['type']!r})")
        if spec.get("parent"):
            report.drop("spec.parent", "Gantry Teams are not nested")
        if _list(spec.get("children")):
            report.drop("spec.children", "Gantry Teams are not nested")
        self._drop_rest(spec, report, handled={"type", "profile", "parent", "children", "members"})
        return entity

    def _user(self, raw: Mapping[str, Any], report: Report) -> None:
        self.users.append((report.index, raw))
        return None

    def _system(self, raw: Mapping[str, Any], report: Report) -> None:
        report.skip(f"Gantry has no System kind: entities of this system get spec.system and the label {SYSTEM_LABEL}")

    def _domain(self, raw: Mapping[str, Any], report: Report) -> None:
        report.skip(f"Gantry has no Domain kind: entities of its systems get the label {DOMAIN_LABEL}")

    def _location(self, raw: Mapping[str, Any], report: Report) -> None:
        report.skip("a Location only points Backstage at other catalog files: import those files instead")

    def _template(self, raw: Mapping[str, Any], report: Report) -> None:
        report.skip("scaffolder Templates have no Gantry equivalent: self-service runs as Action entities")

    def _resource(self, raw: Mapping[str, Any], report: Report) -> dict[str, Any] | None:
        spec = _spec(raw)
        btype = _str(spec.get("type"))
        gtype = RESOURCE_TYPES.get(btype.lower()) if btype else None
        if gtype is None:
            report.skip(
                f"Resource type {btype!r} is not a database, queue, cache, storage or bucket: no Gantry equivalent"
            )
            return None
        entity = self._typed("Infrastructure", raw, report, f"spec.type: {btype!r} → {gtype!r}", gtype)
        for key in ("dependsOn", "dependencyOf"):
            if _list(spec.get(key)):
                report.drop(f"spec.{key}", "Gantry Infrastructure has no dependencies of its own")
        self._drop_rest(spec, report, handled={"type", "lifecycle", "owner", "system", "dependsOn", "dependencyOf"})
        return entity

    # -- shared parts --------------------------------------------------------------------------------

    def _typed(self, kind: str, raw: Mapping[str, Any], report: Report, note: str, gtype: str) -> dict[str, Any]:
        """The common part of Service, API and Infrastructure: type, lifecycle, system and repository."""
        spec = _spec(raw)
        entity = self._base(kind, raw, report)
        entity["spec"]["type"] = gtype
        report.mapped.append(note)
        self._lifecycle(spec, entity, report)
        self._system_of(spec, entity, report, in_spec=True)
        self._repo_url(entity, report)
        return entity

    def _base(self, kind: str, raw: Mapping[str, Any], report: Report) -> dict[str, Any]:
        md_in: Mapping[str, Any] = raw["metadata"]
        spec = _spec(raw)
        name = kebab(str(md_in["name"]))
        if name != md_in["name"]:
            report.mapped.append(f"metadata.name: {md_in['name']!r} → {name!r}")
        else:
            report.mapped.append("metadata.name")
        namespace = kebab(str(md_in.get("namespace") or "default")) or "default"
        metadata: dict[str, Any] = {"name": name, "namespace": namespace}
        for key, limit in (("title", 255), ("description", 10_000)):
            value = _str(md_in.get(key))
            if value:
                metadata[key] = value[:limit]
                report.mapped.append(f"metadata.{key}")
        owner = parse_ref(spec.get("owner")) if spec.get("owner") is not None else None
        if spec.get("owner") is not None:
            if owner is None or owner.kind not in (None, "group", "user") or not _owner_name(owner):
                report.drop("spec.owner", f"{spec.get('owner')!r} is not a group or user reference")
            else:
                metadata["owner"] = _owner_name(owner)
                report.mapped.append(f"spec.owner: {spec['owner']!r} → metadata.owner {metadata['owner']!r}")
        tags = self._tags(md_in.get("tags"), report)
        if tags:
            metadata["tags"] = tags
        for key in ("labels", "annotations"):
            kept = self._key_values(md_in.get(key), f"metadata.{key}", report)
            if kept:
                metadata[key] = kept
        entity: dict[str, Any] = {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": {}}
        links = self._links(md_in.get("links"), report)
        if links:
            entity["spec"]["links"] = links
        for key in md_in:
            if key not in _KNOWN_METADATA and key not in _IGNORED_METADATA:
                report.drop(f"metadata.{key}", "no Gantry equivalent")
        return entity

    def _tags(self, value: Any, report: Report) -> list[str]:
        tags: list[str] = []
        for i, tag in enumerate(_list(value)):
            cleaned = _TAG_CHARS.sub("-", str(tag).lower().replace(":", "-")).lstrip("+#._-")[:63] if tag else ""
            if not cleaned or not isinstance(tag, str):
                report.drop(f"metadata.tags[{i}]", f"{tag!r} is not a usable tag")
                continue
            if cleaned != tag:
                report.mapped.append(f"metadata.tags[{i}]: {tag!r} → {cleaned!r}")
            tags.append(cleaned)
        if tags:
            report.mapped.append("metadata.tags")
        return list(dict.fromkeys(tags))[:64]

    def _key_values(self, value: Any, path: str, report: Report) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            report.drop(path, "not a mapping")
            return {}
        kept: dict[str, str] = {}
        limit = 253 if path.endswith("labels") else 65_536
        for key, item in value.items():
            if not isinstance(key, str) or len(key) > 253 or not _LABEL_KEY.match(key):
                report.drop(f"{path}.{key}", "not a valid key (prefix/name, letters, digits, - _ .)")
            elif not isinstance(item, str) or len(item) > limit:
                report.drop(f"{path}.{key}", f"values must be strings of at most {limit} characters")
            else:
                kept[key] = item
        if kept:
            report.mapped.append(path)
        return kept

    def _links(self, value: Any, report: Report) -> list[dict[str, str]]:
        links: list[dict[str, str]] = []
        for i, link in enumerate(_list(value)):
            url = _url(link.get("url")) if isinstance(link, Mapping) else None
            if url is None:
                report.drop(f"metadata.links[{i}]", "a link needs an absolute http(s) url")
                continue
            assert isinstance(link, Mapping)
            title = _str(link.get("title")) or _str(link.get("type")) or url
            icon = str(link.get("icon") or link.get("type") or "").lower()
            links.append({"title": title[:255], "url": url, "icon": LINK_ICONS.get(icon, "other")})
        if links:
            report.mapped.append("metadata.links → spec.links")
        return links[:100]

    def _lifecycle(self, spec: Mapping[str, Any], entity: dict[str, Any], report: Report) -> None:
        lifecycle = _str(spec.get("lifecycle"))
        if lifecycle is None:
            return
        if lifecycle.lower() in LIFECYCLES:
            entity["spec"]["lifecycle"] = lifecycle.lower()
            report.mapped.append("spec.lifecycle")
        else:
            report.drop("spec.lifecycle", f"{lifecycle!r} is not experimental, development, production or deprecated")

    def _system_of(self, spec: Mapping[str, Any], entity: dict[str, Any], report: Report, *, in_spec: bool) -> None:
        ref = parse_ref(spec.get("system")) if spec.get("system") is not None else None
        if ref is None:
            if spec.get("system") is not None:
                report.drop("spec.system", "not a system reference")
            return
        system = kebab(ref.name)
        if not system:
            report.drop("spec.system", "not a system reference")
            return
        labels = entity["metadata"].setdefault("labels", {})
        labels[SYSTEM_LABEL] = system
        if in_spec:
            entity["spec"]["system"] = system
        report.mapped.append(f"spec.system → {'spec.system and ' if in_spec else ''}label {SYSTEM_LABEL}")
        domain = parse_ref(self.systems.get(system, {}).get("domain"))
        if domain is not None and kebab(domain.name):
            labels[DOMAIN_LABEL] = kebab(domain.name)
            report.mapped.append(f"the system's spec.domain → label {DOMAIN_LABEL}")

    def _repo_url(self, entity: dict[str, Any], report: Report) -> None:
        annotations = entity["metadata"].get("annotations", {})
        slug = _str(annotations.get("github.com/project-slug"))
        if slug and re.fullmatch(r"[\w.-]+/[\w.-]+", slug):
            entity["spec"]["repoUrl"] = f"https://github.com/{slug}"
            annotations.setdefault("github.com/repo", slug)
            report.mapped.append("annotation github.com/project-slug → spec.repoUrl and annotation github.com/repo")
            return
        source = _str(annotations.get("backstage.io/source-location"))
        url = _url(source.removeprefix("url:")) if source else None
        if url:
            entity["spec"]["repoUrl"] = url
            report.mapped.append("annotation backstage.io/source-location → spec.repoUrl")

    def _drop_rest(self, spec: Mapping[str, Any], report: Report, *, handled: set[str]) -> None:
        for key, value in spec.items():
            if key not in handled and value not in (None, "", [], {}):
                report.drop(f"spec.{key}", "no Gantry equivalent")

    def _merge_users(self) -> None:
        """Users become members of the Teams made from their groups (name and e-mail)."""
        by_name = {str(raw["metadata"]["name"]): (index, raw) for index, raw in self.users if isinstance(raw, Mapping)}
        for team_index in set(self.teams.values()):
            members = self.entities[team_index]["spec"].get("members", [])
            for member in members:
                found = by_name.get(member["name"])
                if found is not None:
                    _fill_member(member, found[1])
        enriched: set[int] = set()
        for index, raw in self.users:
            report = self.reports[index]
            spec = _spec(raw)
            joined: list[int] = []
            for i, ref in enumerate(_list(spec.get("memberOf"))):
                parsed = parse_ref(ref)
                team = self.teams.get(kebab(parsed.name)) if parsed and parsed.kind in (None, "group") else None
                if team is None:
                    report.drop(f"spec.memberOf[{i}]", f"{ref!r}: no Group of that name in this import")
                    continue
                joined.append(team)
            for team_index in set(self.teams.values()):
                members = self.entities[team_index]["spec"].get("members", [])
                if any(m["name"] == raw["metadata"]["name"] for m in members) and team_index not in joined:
                    joined.append(team_index)
            if not joined:
                report.skip("a User becomes a member of its Teams, and no Group of this import lists it")
                continue
            name = str(raw["metadata"]["name"])
            for team_index in joined:
                enriched.add(team_index)
                team_entity = self.entities[team_index]
                members = team_entity["spec"].setdefault("members", [])
                member = next((m for m in members if m["name"] == name), None)
                if member is None:
                    member = {"name": name[:150]}
                    members.append(member)
                _fill_member(member, raw)
                md = team_entity["metadata"]
                report.merged_into.append({"kind": "Team", "namespace": md["namespace"], "name": md["name"]})
            report.target = report.merged_into[0]
            report.mapped.append("metadata.name → spec.members[].name of its Teams")
            profile = _mapping(spec.get("profile"))
            if _str(profile.get("email")):
                report.mapped.append("spec.profile.email → spec.members[].email")
            if profile.get("picture"):
                report.drop("spec.profile.picture", "Team members have no picture")
        for team_index in sorted(enriched):
            self.reports[team_index].mapped.append("User entities (spec.memberOf, spec.profile.email) → spec.members")

    def _refuse_collisions(self) -> None:
        seen: dict[tuple[str, str, str], int] = {}
        for index in sorted(self.entities):
            md = self.entities[index]["metadata"]
            key = (self.entities[index]["kind"], md["namespace"], md["name"])
            if key in seen:
                self.reports[index].error(
                    "/metadata/name", f"becomes the same {key[0]} {key[2]!r} as document {seen[key]}"
                )
                self.reports[index].target = None
                del self.entities[index]
            else:
                seen[key] = index


def _fill_member(member: dict[str, str], user: Mapping[str, Any]) -> None:
    profile = _spec(user).get("profile")
    if not isinstance(profile, Mapping):
        return
    email = _str(profile.get("email"))
    if email and _EMAIL.match(email) and len(email) <= 320:
        member.setdefault("email", email)


def _unstorable(value: Any, path: str) -> list[tuple[str, str]]:
    """Text that cannot be stored (NUL, lone surrogates), with its JSON pointer."""
    if isinstance(value, str):
        problem = text_problem(value, bidi=False)
        return [(path, problem)] if problem else []
    found: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and (problem := text_problem(key, bidi=False)):
                found.append((path, f"a key {problem}"))
            found.extend(_unstorable(item, f"{path}/{key}"))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_unstorable(item, f"{path}/{i}"))
    return found


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _spec(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(raw.get("spec"))


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _unique(items: list[dict[str, str]]) -> list[dict[str, str]]:
    return list({(i["kind"], i["name"]): i for i in items}.values())


def convert(documents: list[Any]) -> Conversion:
    """Convert one import's documents; relations between them (users, systems) are resolved together."""
    return _Converter(documents).run()
