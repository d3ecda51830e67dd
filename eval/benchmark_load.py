"""Load on the chat server: concurrent clients on 127.0.0.1, bounded in time.

python -m eval.benchmark_load [--index DIR] [--clients 32] [--questions 10] [--concurrency N]
-> eval/bench/load.json. Builds an index of the bundled corpus in a temporary folder unless --index
names one. The server runs as its own `policyqa serve` process; the clients run here, three ways:
threads of gradio_client on the chat's /ask; asyncio tasks on one event loop making Gradio's two-step
HTTP calls to /ask, one session per user (a light client: gradio_client's own CPU use is large, and
on a 2-core machine it competes with the server); and asyncio tasks posting to the plain JSON route
/api/answer. Reports errors, per-request latency p50/p95 and the CPU seconds of each side
(target: 0 errors, p95 <= 1 s on 2 cores, measured with a light client).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from eval.answer_metrics import percentile
from policyqa.config import PROJECT_ROOT, load_settings
from policyqa.net import free_port

OUTPUT = PROJECT_ROOT / "eval" / "bench" / "load.json"
QUESTIONS = ["外贸企业出口信用保险补助比例是多少", "温州工业用地容积率一般不低于多少", "出口信用保险补助哪个部门负责",
             "瑞安2023年争取上级就业补助资金多少？", "什么是“五个零”机制", "乐清市出让土地总量中工业用地比例不低于多少",
             "新能源汽车以旧换新最高补贴多少", "瑞安和乐清2023年各新建多少家老年食堂？", "温州对企业研发费用按什么比例给予奖励",
             "我们厂去国外参展能补多少"]
TIME_LIMIT_S = 300.0  # the whole run stops asking after this


CLIENTS = ("gradio_client", "asyncio http", "asyncio json")  # "asyncio http": Gradio's two-step /ask


async def _asyncio_run(url: str, clients: int, count: int, deadline: float,
                       json_route: bool) -> tuple[list[float], list[str]]:
    """`clients` asyncio tasks on one loop, each asking `count` questions in turn: through Gradio's
    two-step HTTP API (POST the call, read its event stream), or (`json_route`) one POST to
    /api/answer. The light load generator."""
    import asyncio

    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients * 2)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def one_client(offset: int) -> None:
            session = f"load-{offset}-{os.getpid()}"
            for i in range(count):
                if time.monotonic() > deadline:
                    return
                question = QUESTIONS[(offset + i) % len(QUESTIONS)]
                started = time.perf_counter()
                try:
                    if json_route:
                        reply = await client.post("api/answer", json={"question": question})
                        if reply.status_code != 200 or "citations" not in reply.json():
                            raise RuntimeError(reply.text[:200])
                    else:
                        # one session per user, as a browser tab or a gradio_client keeps
                        posted = await client.post("gradio_api/call/ask", json={"data": [question, "", 0, "default"],
                                                                                 "session_hash": session})
                        stream = (await client.get(f"gradio_api/call/ask/{posted.json()['event_id']}")).text
                        if "event: complete" not in stream:
                            raise RuntimeError(stream[:200])
                except Exception as error:  # noqa: BLE001 - every failure is counted, not raised
                    errors.append(f"{type(error).__name__}: {error}")
                    continue
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(one_client(n) for n in range(clients)))
    return latencies, errors


def _gradio_client_caller(url: str) -> Callable[[str], object]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    return lambda question: client.predict(question, "", 0, "default", api_name="/ask")


def _client_run(url: str, count: int, offset: int, deadline: float, latencies: list[float], errors: list[str],
                lock: threading.Lock) -> None:
    call = _gradio_client_caller(url)
    for i in range(count):
        if time.monotonic() > deadline:
            return
        started = time.perf_counter()
        try:
            call(QUESTIONS[(offset + i) % len(QUESTIONS)])
        except Exception as error:  # noqa: BLE001 - every failure is counted, not raised
            with lock:
                errors.append(f"{type(error).__name__}: {error}")
            continue
        with lock:
            latencies.append(time.perf_counter() - started)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_ready(url: str, server: subprocess.Popen, timeout_s: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the chat server exited with {server.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the chat server did not come up")


def run(index_dir: Path, clients: int, questions: int, concurrency: int | None, client: str = CLIENTS[0]) -> dict:
    """Start `policyqa serve` on a free loopback port in its own process (as in production), drive it
    with `clients` threads of gradio_client or asyncio tasks (`client`, one of CLIENTS), and
    measure each request."""
    port = free_port()
    env = dict(os.environ, POLICYQA_EMBED_MODEL="offline", POLICYQA_FEEDBACK_FILE=str(index_dir / "feedback.jsonl"))
    if concurrency:
        env["POLICYQA_CHAT_CONCURRENCY"] = str(concurrency)
    url = f"http://127.0.0.1:{port}/"
    with open(index_dir / "serve.log", "w", encoding="utf-8") as log:
        command = [str(Path(sys.executable).with_name("policyqa")), "serve", "--host", "127.0.0.1",
                   "--port", str(port), "--index", str(index_dir)]
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(url, server)
            _client_run(url, 1, 0, time.monotonic() + 60, [], [], threading.Lock())  # warm the answerer
            server_cpu_before = _cpu_seconds(server.pid)
            latencies: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            deadline = time.monotonic() + TIME_LIMIT_S
            started = time.perf_counter()
            cpu_before = time.process_time()
            if client != "gradio_client":
                import asyncio

                latencies, errors = asyncio.run(_asyncio_run(url, clients, questions, deadline,
                                                             json_route=client == "asyncio json"))
            else:
                threads = [threading.Thread(target=_client_run, args=(url, questions, n, deadline, latencies, errors, lock))
                           for n in range(clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(TIME_LIMIT_S + 30)
            wall = time.perf_counter() - started
            server_cpu = _cpu_seconds(server.pid) - server_cpu_before
            client_cpu = time.process_time() - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=30)
    latencies.sort()
    return {
        "clients": clients, "questions_per_client": questions,
        "concurrency": concurrency or load_settings().chat_concurrency,
        "requests": len(latencies) + len(errors), "errors": len(errors), "error_examples": errors[:3],
        "p50_s": round(percentile(latencies, 50), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 95), 3) if latencies else None,
        "max_s": round(latencies[-1], 3) if latencies else None,
        "wall_s": round(wall, 2),
        # where the 2 cores went: the server process, and these client threads (gradio_client)
        "server_cpu_s": round(server_cpu, 2),
        "client_cpu_s": round(client_cpu, 2),
        "client": client,
        "targets": {"errors": 0, "p95_s": 1.0},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=None, help="queue concurrency (default: the chat's)")
    args = parser.parse_args()
    results = []
    if args.index is None:
        from index.build import ingest_paths

        with tempfile.TemporaryDirectory() as folder:
            index_dir = Path(folder) / "index"
            ingest_paths([], load_settings({}).with_overrides(index_dir=index_dir, embed_model="offline"))
            results = [run(index_dir, args.clients, args.questions, args.concurrency, client) for client in CLIENTS]
    else:
        results = [run(args.index, args.clients, args.questions, args.concurrency, client) for client in CLIENTS]
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
