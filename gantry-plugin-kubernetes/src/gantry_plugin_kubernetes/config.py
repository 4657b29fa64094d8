"""The plugin's configuration (SPEC F100): clusters, a label selector and the sync interval.

The core renders the form from this model's JSON Schema, answers 422 with the failing paths, and stores the
`SecretStr` fields (token, caData) encrypted.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
CLUSTER_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
INTERVAL = r"^(\s*|\s*[1-9][0-9]*\s*[smhd]\s*)$"
SELECTOR = r"^[A-Za-z0-9_./=!,() -]*$"


class ClusterConfig(BaseModel):
    """One Kubernetes cluster Gantry reads from."""

    model_config = ConfigDict(extra="forbid", title="Cluster")

    name: str = Field(
        description="Short name of the cluster (kebab-case, e.g. prod). Shown on entities and used as the prefix "
        "of entity names that exist in several clusters",
        min_length=1,
        max_length=30,
        pattern=CLUSTER_NAME,
    )
    url: str = Field(
        "",
        description="API server URL, e.g. https://k8s.example.com:6443. Leave empty when Gantry runs inside this "
        "cluster: the pod's service-account token and CA are used",
        max_length=2048,
    )
    token: SecretStr | None = Field(
        None,
        validate_default=True,
        description="Bearer token of a service account that may list and get namespaces, deployments, services, "
        "pods, pods/log and events (and patch deployments and deployments/scale for Restart and Scale). "
        "Required with a URL",
    )
    caData: SecretStr | None = Field(
        None,
        description="Base64-encoded PEM CA certificate of the API server (certificate-authority-data of a "
        "kubeconfig). Empty: TLS verification is skipped",
    )
    namespaces: str = Field(
        "",
        description='Comma-separated namespaces to read, e.g. "payments,checkout". Empty: all namespaces',
        max_length=4096,
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", value):
            raise ValueError("must be an http(s) URL such as https://k8s.example.com:6443, or empty for in-cluster")
        return value

    @field_validator("token", "caData", mode="before")
    @classmethod
    def _blank_secret(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return value

    @field_validator("token", mode="after")
    @classmethod
    def _token_with_url(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None and info.data.get("url"):
            raise ValueError("a token is required when the cluster has a URL")
        return value

    @field_validator("caData", mode="after")
    @classmethod
    def _ca(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        try:
            pem = base64.b64decode(value.get_secret_value().strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("must be base64 (certificate-authority-data of a kubeconfig)") from None
        if b"-----BEGIN CERTIFICATE-----" not in pem:
            raise ValueError("must be a base64-encoded PEM certificate")
        return value

    @field_validator("namespaces")
    @classmethod
    def _namespaces(cls, value: str) -> str:
        names = [n.strip() for n in value.split(",") if n.strip()]
        bad = [n for n in names if len(n) > 63 or not DNS_LABEL.match(n)]
        if bad:
            raise ValueError(f"not a namespace name: {', '.join(bad[:3])}")
        return ",".join(dict.fromkeys(names))

    @property
    def namespace_list(self) -> list[str]:
        return [n for n in self.namespaces.split(",") if n]

    @property
    def in_cluster(self) -> bool:
        return not self.url

    def ca_pem(self) -> str | None:
        return base64.b64decode(self.caData.get_secret_value().strip()).decode() if self.caData else None

    def identity(self) -> tuple[str, str, str, str]:
        """What a client for this cluster depends on (a changed config gets a new client)."""
        token = self.token.get_secret_value() if self.token else ""
        ca = self.caData.get_secret_value() if self.caData else ""
        return (self.name, self.url, token, ca)


class KubernetesConfig(BaseModel):
    """Configuration of the Kubernetes plugin."""

    model_config = ConfigDict(extra="forbid", title="Kubernetes")

    clusters: list[ClusterConfig] = Field(
        min_length=1,
        max_length=50,
        description="Clusters to read. Entity names found in more than one cluster are prefixed with the "
        "cluster name (prod-payment-api, staging-payment-api)",
    )
    labelSelector: str = Field(
        "",
        description="Label selector for the deployments and services synced from every cluster, "
        "e.g. team=payments,tier!=test. Empty: all",
        max_length=1024,
        pattern=SELECTOR,
    )
    syncInterval: str = Field(
        "5m",
        description="How often to sync: 30s, 5m, 1h or 1d. Empty: only when asked (Sync now)",
        pattern=INTERVAL,
    )

    @field_validator("clusters")
    @classmethod
    def _unique_names(cls, clusters: list[ClusterConfig]) -> list[ClusterConfig]:
        seen: set[str] = set()
        for cluster in clusters:
            if cluster.name in seen:
                raise ValueError(f"cluster name {cluster.name!r} is used twice")
            seen.add(cluster.name)
        return clusters

    def cluster(self, name: str | None) -> ClusterConfig | None:
        """The named cluster, or the first one when `name` is empty."""
        if not name:
            return self.clusters[0]
        return next((c for c in self.clusters if c.name == name), None)
