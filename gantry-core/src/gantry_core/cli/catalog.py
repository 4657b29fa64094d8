"""Reading the catalog: `get`, `describe`, `search`, `graph` (F129, F130, F163)."""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import typer

from gantry_core.cli.errors import CliError, handles_errors
from gantry_core.cli.options import ContextOpt, NamespaceOpt, OutputOpt, ServerOpt, TokenOpt
from gantry_core.cli.output import NONE, Format, age, cell, emit, info, table

if TYPE_CHECKING:
    from gantry_core.cli.client import Client
    from gantry_core.cli.kinds import KindInfo

DEFAULT_NAMESPACE = "default"


def _complete_kind(incomplete: str) -> list[str]:
    from gantry_core.cli.kinds import complete

    return complete(incomplete)


KindArg = Annotated[
    str,
    typer.Argument(
        metavar="KIND", help="Kind: singular, plural or short name (svc), any case", autocompletion=_complete_kind
    ),
]
NameArg = Annotated[str | None, typer.Argument(metavar="NAME", help="Entity name", show_default=False)]


def split_ref(kind: str, name: str | None) -> tuple[str, str | None]:
    """Accept ``KIND NAME`` and ``KIND/NAME``."""
    if name is None and "/" in kind:
        kind, _, name = kind.partition("/")
        if not kind or not name:
            raise CliError(f"{kind}/{name}: expected KIND/NAME", exit_code=2)
    return kind, name


def named_ref(kind: str, name: str | None, command: str) -> tuple[str, str]:
    """KIND NAME (or KIND/NAME) for commands about one entity; a missing name is a usage error."""
    kind, name = split_ref(kind, name)
    if name is None:
        raise typer.BadParameter(f"give the entity's name: gantry {command} KIND NAME", param_hint="NAME")
    return kind, name


def graph_path(kind: KindInfo, name: str) -> str:
    return f"/api/v1/graph/{quote(kind.name, safe='')}/{quote(name, safe='')}"


def entity_path(kind: KindInfo, name: str | None = None) -> str:
    path = f"/api/v1/entities/{quote(kind.name, safe='')}"
    return f"{path}/{quote(name, safe='')}" if name else path


def _header(field: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", field).upper()


def _row(doc: dict[str, Any], columns: list[str]) -> list[str]:
    md = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    values = {
        "namespace": md.get("namespace"),
        "kind": doc.get("kind"),
        "name": md.get("name"),
        "owner": md.get("owner"),
        "title": md.get("title"),
        "tags": md.get("tags"),
        "labels": md.get("labels"),
        "created by": md.get("createdBy"),
        "version": md.get("resourceVersion"),
        "updated": age(md.get("updatedAt")),
    }
    return [cell(values[c] if c in values else spec.get(c)) for c in columns]


def print_entities(
    items: list[dict[str, Any]], fmt: Format, kind: KindInfo | None, *, all_namespaces: bool, single: bool = False
) -> None:
    if fmt in (Format.json, Format.yaml):
        emit(items[0] if single else ({"items": items} if fmt is Format.json else items), fmt)
        return
    if fmt is Format.name:
        sys.stdout.write("".join(f"{d.get('kind')}/{(d.get('metadata') or {}).get('name')}\n" for d in items))
        return
    columns = (["namespace"] if all_namespaces else []) + ([] if kind else ["kind"]) + ["name", "owner"]
    extra = list(kind.list_columns) if kind else []
    columns += extra
    if fmt is Format.wide:
        columns += ["title", "tags", "labels", "created by", "version"]
    columns.append("updated")
    headers = [_header(c) if c in extra else c for c in columns]
    table(headers, [_row(d, columns) for d in items])


def _labels(selector: list[str]) -> list[tuple[str, str]]:
    params = []
    for item in selector:
        for part in item.split(","):
            key, sep, value = part.partition("=")
            if not sep or not key.strip():
                raise typer.BadParameter(f"{part!r}: expected key=value", param_hint="'-l' / '--selector'")
            params.append(("label", f"{key.strip()}={value.strip()}"))
    return params


@handles_errors
def get(
    kind: Annotated[
        str | None,
        typer.Argument(
            metavar="KIND",
            help="Kind: singular, plural or short name, any case",
            show_default=False,
            autocompletion=_complete_kind,
        ),
    ] = None,
    name: NameArg = None,
    namespace: NamespaceOpt = None,
    all_namespaces: Annotated[bool, typer.Option("--all-namespaces", "-A", help="Every namespace")] = False,
    selector: Annotated[
        list[str] | None,
        typer.Option("--selector", "-l", metavar="KEY=VALUE", help="Label filter (repeatable)", show_default=False),
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Owning team", show_default=False)] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Tag", show_default=False)] = None,
    output: OutputOpt = Format.table,
    server: ServerOpt = None,
    token: TokenOpt = None,
    context: ContextOpt = None,
) -> None:
    """List entities, all or of one kind, or show one (`gantry get services`, `gantry get svc payment-api`)."""
    from gantry_core.cli import kinds
    from gantry_core.cli.client import connect

    if namespace and all_namespaces:
        raise typer.BadParameter("use either -n NAMESPACE or -A", param_hint="'-A'")
    if kind is not None:
        kind, name = split_ref(kind, name)
    if name is not None and all_namespaces:
        raise typer.BadParameter("a single entity needs -n NAMESPACE, not -A", param_hint="'-A'")
    label_params = _labels(selector or [])
    with connect(server, token, context) as client:
        info_kind = kinds.resolve(client, kind) if kind is not None else None
        if name is not None:
            assert info_kind is not None
            doc = client.get(entity_path(info_kind, name), {"namespace": namespace or DEFAULT_NAMESPACE})
            print_entities([doc], output, info_kind, all_namespaces=False, single=True)
            return
        params: list[tuple[str, Any]] = [] if all_namespaces else [("namespace", namespace or DEFAULT_NAMESPACE)]
        params += [("owner", owner), ("tag", tag), *label_params]
        path = entity_path(info_kind) if info_kind else "/api/v1/entities"
        items = list(client.paginate(path, params))
    if not items and output in (Format.table, Format.wide):
        what = f"{info_kind.name} entities" if info_kind else "entities"
        info(f"No {what} found" + ("." if all_namespaces else f" in namespace {namespace or DEFAULT_NAMESPACE}."))
        return
    print_entities(items, output, info_kind, all_namespaces=all_namespaces)


# -- describe ----------------------------------------------------------------------------------------


def _field(label: str, value: str, width: int = 18) -> str:
    return f"{label + ':':<{width}}{value}"


def _when(timestamp: str | None, by: str | None = None) -> str:
    if not timestamp:
        return NONE
    text = f"{timestamp} ({age(timestamp)} ago)"
    return f"{text} by {by}" if by else text


def _mapping_lines(label: str, value: Any) -> list[str]:
    if not value:
        return [_field(label, NONE)]
    pairs = [f"{k}={v}" for k, v in value.items()]
    return [_field(label, pairs[0])] + [" " * 18 + p for p in pairs[1:]]


def _node_label(node: dict[str, Any] | None, node_id: str, namespace: str) -> str:
    if node is None:
        return node_id
    text = f"{node.get('kind')}/{node.get('name')}"
    if node.get("namespace") not in (None, namespace):
        text += f" -n {node['namespace']}"
    return text + (" (missing)" if node.get("missing") else "")


def _root_id(graph: dict[str, Any], kind: str, name: str, namespace: str) -> str:
    for node in graph.get("nodes", []):
        if (
            str(node.get("kind", "")).lower() == kind.lower()
            and node.get("name") == name
            and node.get("namespace", namespace) == namespace
        ):
            return str(node["id"])
    return f"{kind.lower()}/{name}"


def _relation_lines(graph: dict[str, Any], root: str, namespace: str) -> list[str]:
    nodes = {n["id"]: n for n in graph.get("nodes", [])}
    outgoing = [e for e in graph.get("edges", []) if e.get("from") == root]
    incoming = [e for e in graph.get("edges", []) if e.get("to") == root]
    lines = ["Relations:"]
    if not outgoing and not incoming:
        return [*lines, f"  {NONE}"]
    for title, edges, other in (("Outgoing", outgoing, "to"), ("Incoming", incoming, "from")):
        if edges:
            lines.append(f"  {title}:")
            width = max(len(e["type"]) for e in edges) + 3
            lines += [f"    {e['type']:<{width}}{_node_label(nodes.get(e[other]), e[other], namespace)}" for e in edges]
    return lines


def _activity_lines(client: Client, kind: KindInfo, name: str, namespace: str) -> list[str]:
    response = client.request(
        "GET",
        entity_path(kind, name) + "/activity",
        params={"namespace": namespace, "limit": 10},
        expect=(200, 404, 405),
    )
    if response.status_code != 200:
        return ["Activity:", f"  {NONE} (this server does not offer entity activity)"]
    items = response.json().get("items") or []
    if not items:
        return ["Activity:", f"  {NONE}"]
    rows = [
        [
            age(i.get("timestamp")),
            str(i.get("userName") or i.get("user") or NONE),
            str(i.get("action") or ""),
            str(i.get("source") or ""),
        ]
        for i in items
    ]
    widths = [max(len(r[c]) for r in [["AGE", "USER", "ACTION", "SOURCE"], *rows]) for c in range(4)]
    fmt = "  " + "   ".join(f"{{:<{w}}}" for w in widths)
    return ["Activity:", fmt.format("AGE", "USER", "ACTION", "SOURCE").rstrip()] + [
        fmt.format(*r).rstrip() for r in rows
    ]


@handles_errors
def describe(
    kind: KindArg,
    name: NameArg = None,
    namespace: NamespaceOpt = None,
    server: ServerOpt = None,
    token: TokenOpt = None,
    context: ContextOpt = None,
) -> None:
    """Show an entity: metadata, spec, relations in both directions and its latest activity."""
    from gantry_core.cli import kinds
    from gantry_core.cli.client import connect
    from gantry_core.cli.output import yaml_text

    kind, name = named_ref(kind, name, "describe")
    ns = namespace or DEFAULT_NAMESPACE
    with connect(server, token, context) as client:
        info_kind = kinds.resolve(client, kind)
        doc = client.get(entity_path(info_kind, name), {"namespace": ns})
        graph = client.get(graph_path(info_kind, name), {"namespace": ns, "depth": 1, "direction": "both"})
        activity = _activity_lines(client, info_kind, name, ns)
    md = doc.get("metadata") or {}
    lines = [
        _field("Name", str(md.get("name"))),
        _field("Namespace", str(md.get("namespace", ns))),
        _field("Kind", str(doc.get("kind"))),
    ]
    for key in ("title", "description"):
        if md.get(key):
            lines.append(_field(key.title(), str(md[key])))
    lines.append(_field("Owner", cell(md.get("owner"))))
    lines.append(_field("Tags", cell(md.get("tags"))))
    lines += _mapping_lines("Labels", md.get("labels"))
    lines += _mapping_lines("Annotations", md.get("annotations"))
    lines.append(_field("Created", _when(md.get("createdAt"), md.get("createdBy"))))
    lines.append(_field("Updated", _when(md.get("updatedAt"))))
    lines.append(_field("Resource Version", str(md.get("resourceVersion", NONE))))
    if md.get("managedBy"):
        lines.append(_field("Managed By", str(md["managedBy"])))
    spec = doc.get("spec") or {}
    lines.append("Spec:")
    lines += [f"  {line}" for line in yaml_text([spec]).splitlines()] if spec else [f"  {NONE}"]
    lines += _relation_lines(graph, _root_id(graph, info_kind.name, name, ns), ns)
    lines += activity
    sys.stdout.write("\n".join(lines) + "\n")


# -- search, graph -----------------------------------------------------------------------------------


@handles_errors
def search(
    text: Annotated[list[str], typer.Argument(metavar="TEXT...", help="Words to look for")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="At most this many results")] = 50,
    output: OutputOpt = Format.table,
    server: ServerOpt = None,
    token: TokenOpt = None,
    context: ContextOpt = None,
) -> None:
    """Full-text search over names, titles, descriptions, tags and owners (best matches first)."""
    from gantry_core.cli.client import connect

    query = " ".join(text).strip()
    if len(query) < 2:
        raise typer.BadParameter("search for at least 2 characters", param_hint="TEXT")
    with connect(server, token, context) as client:
        found = client.get("/api/v1/search", {"q": query, "limit": limit})
    items = found.get("items", [])
    if output in (Format.json, Format.yaml):
        emit(found if output is Format.json else items, output)
    elif output is Format.name:
        sys.stdout.write("".join(f"{i['kind']}/{i['name']}\n" for i in items))
    elif not items:
        info(f"Nothing matches {query!r}.")
    else:
        columns = ["kind", "name", "namespace", "owner", "title"]
        if output is Format.wide:
            columns += ["tags", "description"]
        table(columns, [[cell(i.get(c)) for c in columns] for i in items])
        if found.get("total", 0) > len(items):
            info(f"{len(items)} of {found['total']} matches shown; use --limit for more.")


def _tree(graph: dict[str, Any], root: str, namespace: str) -> list[str]:
    nodes = {n["id"]: n for n in graph.get("nodes", [])}
    edges = graph.get("edges", [])
    by_node: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for edge in edges:
        by_node[edge["from"]].append(("out", edge))
        by_node[edge["to"]].append(("in", edge))
    used: set[int] = set()
    seen = {root}
    lines = [_node_label(nodes.get(root), root, namespace)]

    def walk(node_id: str, prefix: str) -> None:
        children = [(d, e) for d, e in by_node[node_id] if id(e) not in used]
        used.update(id(e) for _, e in children)
        # Mark every neighbour first, so that a node is expanded where it is nearest to the root.
        expand = {}
        for direction, edge in children:
            other = edge["to"] if direction == "out" else edge["from"]
            if other not in seen:
                seen.add(other)
                expand[other] = id(edge)
        for position, (direction, edge) in enumerate(children):
            last = position == len(children) - 1
            other = edge["to"] if direction == "out" else edge["from"]
            label = _node_label(nodes.get(other), other, namespace)
            text = f"{edge['type']} → {label}" if direction == "out" else f"← {edge['type']} {label}"
            branch = f"{prefix}{'└── ' if last else '├── '}"
            if expand.get(other) != id(edge):
                lines.append(f"{branch}{text} (already shown)")
                continue
            lines.append(f"{branch}{text}")
            walk(other, prefix + ("    " if last else "│   "))

    walk(root, "")
    return lines


@handles_errors
def graph(
    kind: KindArg,
    name: NameArg = None,
    namespace: NamespaceOpt = None,
    depth: Annotated[int, typer.Option("--depth", min=1, max=5, help="How many hops to follow")] = 1,
    direction: Annotated[str, typer.Option("--direction", help="out, in or both")] = "both",
    output: Annotated[str, typer.Option("--output", "-o", help="tree, json or yaml")] = "tree",
    server: ServerOpt = None,
    token: TokenOpt = None,
    context: ContextOpt = None,
) -> None:
    """Print the relations around an entity as a tree (`← type` marks relations pointing at it)."""
    from gantry_core.cli import kinds
    from gantry_core.cli.client import connect

    kind, name = named_ref(kind, name, "graph")
    if direction not in ("out", "in", "both"):
        raise typer.BadParameter("use out, in or both", param_hint="'--direction'")
    if output not in ("tree", "json", "yaml"):
        raise typer.BadParameter("use tree, json or yaml", param_hint="'-o' / '--output'")
    ns = namespace or DEFAULT_NAMESPACE
    with connect(server, token, context) as client:
        info_kind = kinds.resolve(client, kind)
        found = client.get(graph_path(info_kind, name), {"namespace": ns, "depth": depth, "direction": direction})
    if output != "tree":
        emit(found, Format(output))
        return
    sys.stdout.write("\n".join(_tree(found, _root_id(found, info_kind.name, name, ns), ns)) + "\n")
    if found.get("truncated"):
        info("The graph was cut at the server's node limit; lower --depth to see all of it.")


def register(app: typer.Typer) -> None:
    app.command("get")(get)
    app.command("describe")(describe)
    app.command("search")(search)
    app.command("graph")(graph)
