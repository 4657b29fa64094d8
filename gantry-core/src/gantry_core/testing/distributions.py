"""Installed-looking distributions for discovery tests, without pip: a ``*.dist-info`` folder on a path.

Put the folder on ``sys.path`` (``monkeypatch.syspath_prepend``) or on ``PYTHONPATH`` of a subprocess and
``importlib.metadata`` finds the distribution and its ``gantry.plugins`` entry points, exactly as it finds
a distribution installed by pip::

    site = write_distribution(tmp_path / "site", "gantry-plugin-demo", plugins={"demo": "demo_plugin"},
                              modules={"demo_plugin": PLUGIN_SOURCE})
    monkeypatch.syspath_prepend(str(site))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from gantry_core.plugins.manager import ENTRY_POINT_GROUP


def write_distribution(
    site: Path,
    name: str,
    version: str = "1.0.0",
    *,
    plugins: Mapping[str, str],
    modules: Mapping[str, str] | None = None,
) -> Path:
    """Write distribution `name` into folder `site` (created if needed) and return `site`.

    `plugins` maps plugin ids to entry-point targets (``module`` or ``module:attribute``); `modules`
    maps module names to their source, written as ``<site>/<module>.py``.
    """
    site.mkdir(parents=True, exist_ok=True)
    dist_info = site / f"{re.sub(r'[-_.]+', '_', name)}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{pid} = {target}" for pid, target in plugins.items())]
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for module, source in (modules or {}).items():
        (site / f"{module}.py").write_text(source, encoding="utf-8")
    return site
