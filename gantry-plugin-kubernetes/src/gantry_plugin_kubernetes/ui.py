"""The UI (F102), declared for the built-in renderers: a Kubernetes tab and an overview card on Services
that carry the `kubernetes.io/cluster` annotation.

Linking: the sync annotates the Services it makes from deployments (`kubernetes.io/cluster`, `/namespace`,
`/deployment`); a Service written by hand links by the same annotations (F104: at least the cluster; its
name is then the deployment's `app` label). The data URLs pass the entity's name as the app label and the
annotations as `?cluster=`, `?namespaces=` and `?deployment=`; `{?…}` placeholders are left empty when the
entity lacks that annotation, and the route then searches by the `app` label (or deployment name) in the
cluster's namespaces.
"""

from __future__ import annotations

from gantry_core.plugins import UICondition, UIExtension

from gantry_plugin_kubernetes.mapping import CLUSTER

SCOPE = (
    "cluster={annotations.kubernetes.io/cluster}"
    "&namespaces={?annotations.kubernetes.io/namespace}"
    "&deployment={?annotations.kubernetes.io/deployment}"
)
WORKLOAD = "workload/{name}"
WHEN = UICondition(kinds=("Service",), annotations=(CLUSTER,))

POD_COLUMNS = [
    {"key": "name", "label": "Pod", "type": "code"},
    {"key": "status", "label": "Status", "type": "status"},
    {"key": "ready", "label": "Ready"},
    {"key": "restarts", "label": "Restarts", "type": "number"},
    {"key": "age", "label": "Age"},
    {"key": "images", "label": "Images"},
    {"key": "node", "label": "Node"},
]
EVENT_COLUMNS = [
    {"key": "lastSeen", "label": "Last seen", "type": "time"},
    {"key": "type", "label": "Type", "type": "status"},
    {"key": "reason", "label": "Reason", "type": "badge"},
    {"key": "object", "label": "Object", "type": "code"},
    {"key": "message", "label": "Message"},
    {"key": "count", "label": "Count", "type": "number"},
]
SCALE_SCHEMA = {
    "type": "object",
    "required": ["replicas"],
    "additionalProperties": False,
    "properties": {
        "replicas": {
            "type": "integer",
            "minimum": 0,
            "maximum": 1000,
            "title": "Replicas",
            "description": "The number of pods to run",
        },
    },
}


def extensions() -> list[UIExtension]:
    return [
        UIExtension(
            id="kubernetes-workload-tab",
            slot="entity.tab",
            title="Kubernetes",
            renderer="status",
            data_url=f"/{WORKLOAD}?{SCOPE}",
            when=WHEN,
            order=50,
            options={
                "refreshSeconds": 15,
                "sections": [
                    {
                        "id": "pods",
                        "title": "Pods",
                        "renderer": "table",
                        "dataUrl": f"{WORKLOAD}?{SCOPE}",
                        "options": {
                            "path": "pods",
                            "columns": POD_COLUMNS,
                            "refreshSeconds": 15,
                            "emptyText": "No pods match the deployment's selector.",
                        },
                    },
                    {
                        "id": "events",
                        "title": "Events",
                        "renderer": "table",
                        "dataUrl": f"{WORKLOAD}/events?{SCOPE}&limit=50",
                        "options": {
                            "columns": EVENT_COLUMNS,
                            "refreshSeconds": 30,
                            "emptyText": "No recent events (Kubernetes keeps them for about an hour).",
                        },
                    },
                    {
                        "id": "logs",
                        "title": "Logs",
                        "renderer": "log-stream",
                        "dataUrl": f"{WORKLOAD}/logs?{SCOPE}&tailLines=200",
                        "options": {"intervalSeconds": 3},
                    },
                    {
                        "id": "actions",
                        "title": "Actions",
                        "renderer": "form",
                        "minRole": "developer",
                        "options": {
                            "actions": [
                                {
                                    "label": "Restart",
                                    "url": f"{WORKLOAD}/restart?{SCOPE}",
                                    "method": "POST",
                                    "confirm": "Restart every pod of this deployment, one by one?",
                                    "danger": True,
                                }
                            ],
                            "schema": SCALE_SCHEMA,
                            "submitUrl": f"{WORKLOAD}/scale?{SCOPE}",
                            "method": "POST",
                            "submitLabel": "Scale",
                        },
                    },
                ],
            },
        ),
        UIExtension(
            id="kubernetes-status-card",
            slot="entity.card",
            title="Kubernetes",
            renderer="status",
            data_url=f"/{WORKLOAD}?{SCOPE}",
            when=WHEN,
            order=50,
            options={"refreshSeconds": 30},
        ),
    ]
