/**
 * The Relations tab (F53): React Flow with a dagre layout, depth and direction controls; clicking a node opens
 * that entity. Loaded on demand (its own chunk) so the graph libraries stay out of the initial bundle.
 */
import { memo, useMemo } from "react";
import { useNavigate } from "react-router";
import { useQuery, keepPreviousData } from "@tanstack/react-query";
import {
  Background,
  Controls,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  type Edge,
  type Node,
  type NodeProps,
} from "@xyflow/react";
import dagre from "@dagrejs/dagre";
import "@xyflow/react/dist/base.css";
import { AlertTriangle, Network } from "lucide-react";
import { api } from "@/lib/api";
import { entityHref, parseNodeId } from "@/lib/format";
import type { Graph, GraphDirection, GraphNode } from "@/lib/types";
import { KindIcon } from "./icons";
import { EmptyState, ErrorState, Select, Skeleton, cn } from "./ui";

const NODE_W = 208;
const NODE_H = 52;

const EDGE_LABELS: Record<string, string> = {
  dependsOn: "depends on",
  deployedIn: "deployed in",
  providesApis: "provides",
  consumesApis: "consumes",
  ownedBy: "owned by",
  documents: "documents",
};

type EntityNodeData = { node: GraphNode; root: boolean; horizontal: boolean };

function dagreLayout(graph: Graph, rankdir: "LR" | "TB") {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir, nodesep: rankdir === "LR" ? 24 : 32, ranksep: rankdir === "LR" ? 110 : 80, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  for (const e of graph.edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const { width = 1, height = 1 } = g.graph();
  return { g, ratio: width / Math.max(height, 1) };
}

/**
 * Lay the graph out with dagre, left-to-right or top-to-bottom — whichever fits a wide panel better
 * (a hub with many neighbours is a tall column left-to-right but a wide row top-to-bottom). Exported for tests.
 */
export function layout(graph: Graph, rootId: string, targetRatio = 2.2): { nodes: Node<EntityNodeData>[]; edges: Edge[]; rankdir: "LR" | "TB" } {
  const lr = dagreLayout(graph, "LR");
  const tb = graph.nodes.length > 6 ? dagreLayout(graph, "TB") : null;
  const score = (r: number) => Math.abs(Math.log(r / targetRatio));
  const best = tb && score(tb.ratio) < score(lr.ratio) ? { ...tb, rankdir: "TB" as const } : { ...lr, rankdir: "LR" as const };
  const horizontal = best.rankdir === "LR";
  const nodes: Node<EntityNodeData>[] = graph.nodes.map((n) => {
    const pos = best.g.node(n.id);
    return {
      id: n.id,
      type: "entity",
      position: { x: (pos?.x ?? 0) - NODE_W / 2, y: (pos?.y ?? 0) - NODE_H / 2 },
      data: { node: n, root: n.id === rootId, horizontal },
      width: NODE_W,
      height: NODE_H,
      draggable: true,
    };
  });
  const labelled = graph.edges.length <= 30;
  const edges: Edge[] = graph.edges.map((e, i) => ({
    id: `${e.from}-${e.type}-${e.to}-${i}`,
    source: e.from,
    target: e.to,
    label: labelled ? (EDGE_LABELS[e.type] ?? e.type) : undefined,
    ariaLabel: `${e.from} ${EDGE_LABELS[e.type] ?? e.type} ${e.to}`,
    markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 },
  }));
  return { nodes, edges, rankdir: best.rankdir };
}

const EntityNode = memo(function EntityNode({ data }: NodeProps<Node<EntityNodeData>>) {
  const { node, root, horizontal } = data;
  return (
    <div
      className={cn(
        "flex h-[52px] w-[208px] cursor-pointer items-center gap-2.5 rounded-lg border bg-bg px-3 shadow-sm transition-colors",
        root ? "border-accent ring-3 ring-accent/15" : "border-line hover:border-fg-muted/50",
        node.missing && "border-dashed bg-bg-2",
      )}
      title={node.missing ? `${node.kind} ${node.name} is referenced but does not exist yet` : `${node.kind} ${node.name}`}
    >
      <Handle type="target" position={horizontal ? Position.Left : Position.Top} className="!size-1.5 !border-0 !bg-fg-muted/40" />
      <span className={cn("flex size-7 shrink-0 items-center justify-center rounded-md", root ? "bg-accent/12 text-accent" : "bg-bg-3 text-fg-muted")}>
        {node.missing ? <AlertTriangle className="size-3.5" /> : <KindIcon kind={node.kind} className="size-3.5" />}
      </span>
      <div className="min-w-0">
        <div className={cn("truncate text-[13px] font-medium", node.missing && "text-fg-muted")}>{node.title || node.name}</div>
        <div className="truncate text-2xs text-fg-muted">
          {node.kind}
          {node.missing ? " · missing" : node.title ? ` · ${node.name}` : ""}
        </div>
      </div>
      <Handle type="source" position={horizontal ? Position.Right : Position.Bottom} className="!size-1.5 !border-0 !bg-fg-muted/40" />
    </div>
  );
});

const nodeTypes = { entity: EntityNode };

export function RelationsGraph({
  kind,
  name,
  namespace,
  depth,
  direction,
  onDepth,
  onDirection,
}: {
  kind: string;
  name: string;
  namespace: string;
  depth: number;
  direction: GraphDirection;
  onDepth: (d: number) => void;
  onDirection: (d: GraphDirection) => void;
}) {
  const navigate = useNavigate();
  const q = useQuery({
    queryKey: ["graph", kind.toLowerCase(), namespace, name, depth, direction],
    queryFn: () => api.graph(kind, name, { namespace, depth, direction }),
    placeholderData: keepPreviousData,
  });
  const rootId = `${kind.toLowerCase()}/${name}`;
  const flow = useMemo(() => (q.data ? layout(q.data, q.data.nodes.find((n) => n.id === rootId) ? rootId : q.data.nodes[0]?.id ?? "") : null), [q.data, rootId]);

  return (
    <div className="overflow-hidden rounded-lg border border-line">
      <div className="flex flex-wrap items-center gap-3 border-b border-line bg-bg-2 px-3 py-2">
        <div className="flex items-center gap-2 text-xs text-fg-muted">
          <span aria-hidden>Depth</span>
          <div role="radiogroup" aria-label="Graph depth" className="flex rounded-md border border-line bg-bg p-0.5">
            {[1, 2, 3, 4, 5].map((d) => (
              <button
                key={d}
                type="button"
                role="radio"
                aria-checked={depth === d}
                onClick={() => onDepth(d)}
                className={cn("h-6 w-7 rounded text-xs font-medium tabular-nums", depth === d ? "bg-accent text-on-accent" : "text-fg-muted hover:bg-bg-3 hover:text-fg")}
              >
                {d}
              </button>
            ))}
          </div>
        </div>
        <label className="flex items-center gap-2 text-xs text-fg-muted">
          Direction
          <Select aria-label="Graph direction" value={direction} onChange={(e) => onDirection(e.target.value as GraphDirection)} className="w-40">
            <option value="both">Both directions</option>
            <option value="out">Outgoing (uses)</option>
            <option value="in">Incoming (used by)</option>
          </Select>
        </label>
        <span className="ml-auto text-xs text-fg-muted tabular-nums" aria-live="polite">
          {q.data ? `${q.data.nodes.length} nodes · ${q.data.edges.length} edges` : ""}
          {q.data?.truncated && <span className="ml-2 text-danger">truncated at 500 nodes</span>}
        </span>
      </div>
      <div className="h-[560px] bg-bg" aria-label="Relations graph" role="figure">
        {q.isLoading ? (
          <div className="flex h-full items-center justify-center">
            <Skeleton className="h-40 w-96" />
          </div>
        ) : q.error ? (
          <ErrorState error={q.error} feature="The relations graph" retry={() => void q.refetch()} className="h-full justify-center" />
        ) : !flow || flow.nodes.length <= 1 ? (
          <EmptyState
            className="h-full"
            icon={<Network className="size-5" />}
            title="No relations yet"
            description="Add dependsOn, deployedIn, providesApis, consumesApis or an owner to connect this entity to others."
          />
        ) : (
          <ReactFlowProvider>
            <ReactFlow
              key={`${depth}-${direction}`}
              nodes={flow.nodes}
              edges={flow.edges}
              nodeTypes={nodeTypes}
              fitView
              fitViewOptions={{ padding: 0.1, maxZoom: 1.1, minZoom: 0.3 }}
              minZoom={0.15}
              proOptions={{ hideAttribution: true }}
              nodesConnectable={false}
              onNodeClick={(_, node) => {
                const n = (node.data as EntityNodeData).node;
                if (n.id === rootId) return;
                const { kind: k, name: nm } = n.kind ? { kind: n.kind, name: n.name } : parseNodeId(n.id);
                navigate(entityHref(k, nm, n.namespace ?? namespace) + (n.missing ? "" : "?tab=relations"));
              }}
              className="gantry-flow"
            >
              <Background gap={20} size={1} />
              <Controls showInteractive={false} />
              {flow.nodes.length > 12 && <MiniMap pannable zoomable nodeBorderRadius={6} nodeColor="color-mix(in oklab, var(--gantry-text-secondary) 45%, transparent)" maskColor="color-mix(in oklab, var(--gantry-bg-tertiary) 55%, transparent)" bgColor="var(--gantry-bg-secondary)" />}
            </ReactFlow>
          </ReactFlowProvider>
        )}
      </div>
    </div>
  );
}

export default RelationsGraph;
