"""Followed logs through a real `gantry serve` process (F160): the stream passes the cluster's lines on as
they come and ends — closing the connection to the cluster — when the client goes away."""

from __future__ import annotations

from pathlib import Path

import httpx
from gantry_core.testing.server import gantry_server
from k8s_data import kind_cluster
from k8s_replay import ReplayServer

PASSWORD = "follow-test-password"
PLUGIN = "/api/v1/plugins/kubernetes"


def test_a_followed_log_streams_until_the_client_leaves(replay: ReplayServer, tmp_path: Path) -> None:
    replay.clusters["kind"] = kind_cluster()
    with gantry_server(tmp_path / "gantry", env={"GANTRY_ADMIN_PASSWORD": PASSWORD}) as server:
        login = httpx.post(f"{server.url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            cluster = {"name": "kind", "url": replay.url("kind"), "token": replay.clusters["kind"].token}
            assert client.put(f"{PLUGIN}/config", json={"clusters": [cluster], "syncInterval": ""}).status_code == 200
            assert client.put(f"{PLUGIN}/enable", json={"enabled": True}).status_code == 200
            url = f"{PLUGIN}/pods/kube-system/coredns-589f44dc88-4fpns/containers/coredns/logs"
            for attempt in range(2):  # the second shows the first stream gave its slot and thread back
                replay.follow_closed.clear()
                received = b""
                with client.stream("GET", url, params={"follow": "true", "tailLines": 2}) as response:
                    assert response.status_code == 200
                    assert response.headers["content-type"].startswith("text/plain")
                    for chunk in response.iter_bytes():
                        received += chunk
                        if received.count(b"follow tick") >= 2:
                            break
                assert received.startswith(replay_tail(replay)), received[:200]
                assert replay.follow_closed.wait(20), f"attempt {attempt}: gantry kept reading from the cluster"
            assert not server.process.poll()
            plain = client.get(url, params={"tailLines": 2, "download": "true"})
            assert plain.status_code == 200 and plain.headers["content-disposition"].startswith("attachment")
        assert "Traceback" not in server.log()


def replay_tail(replay: ReplayServer) -> bytes:
    text = next(iter(replay.clusters["kind"].logs.values()))
    return "".join(text.splitlines(keepends=True)[-2:]).encode()
