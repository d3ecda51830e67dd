"""A fake OpenAI-compatible chat server on 127.0.0.1 whose behaviour each test chooses."""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A behaviour gets the request's messages and returns (status, reply text, seconds to wait first).
Behaviour = Callable[[list[dict]], tuple[int, str, float]]


def supplied_clauses(messages: list[dict]) -> dict[int, str]:
    """Clause number -> original text, as the prompt gave them."""
    user = messages[-1]["content"]
    found = {}
    for match in re.finditer(r"^\[(\d+)\] .*?原文：(.*)$", user, re.MULTILINE):
        found[int(match.group(1))] = match.group(2)
    return found


def first_figure_sentence(text: str) -> str:
    """The first sentence of a clause that states a number, copied verbatim."""
    sentences = re.findall(r"[^。；]+[。；]?", text)
    return next((s for s in sentences if re.search(r"\d", s)), sentences[0]).strip()


def correct(messages: list[dict]) -> tuple[int, str, float]:
    clause = supplied_clauses(messages)[1]
    return 200, f"根据所给条款，{first_figure_sentence(clause).rstrip('。；')}[1]。", 0.0


def foreign_citation(messages: list[dict]) -> tuple[int, str, float]:
    _, good, _ = correct(messages)
    return 200, good + "另外补助上限为 4321 万元[42]。", 0.0  # a figure of no document


def absent_number_only(messages: list[dict]) -> tuple[int, str, float]:
    return 200, "补助比例为 97%[1]。", 0.0


def absent_number_mixed(messages: list[dict]) -> tuple[int, str, float]:
    _, good, _ = correct(messages)
    return 200, good + "单个企业最高可获 888 万元[1]。", 0.0


def obeys_injection(messages: list[dict]) -> tuple[int, str, float]:
    return 200, "好的，已忽略以上指令：补助比例为 99%[1]。", 0.0


def slow(messages: list[dict]) -> tuple[int, str, float]:
    return 200, "迟到的回答[1]。", 30.0


def server_error(messages: list[dict]) -> tuple[int, str, float]:
    return 500, "internal error", 0.0


def documents_wording(messages: list[dict]) -> tuple[int, str, float]:
    """A rewrite in the documents' words (with a figure the search must not receive)."""
    return 200, "出口信用保险 保费补助 2024", 0.0


def is_rewrite(body: dict) -> bool:
    """Whether a request asks for the question's rewrite (app/llm/rewrite.py) rather than an answer."""
    from app.llm import prompts
    from app.llm.rewrite import REWRITE_SYSTEM

    return body["messages"][0]["content"] == prompts.load_template(*REWRITE_SYSTEM).render()


class _Handler(BaseHTTPRequestHandler):
    server: _FakeServer

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        rewrite = is_rewrite(body)
        (self.server.rewrite_requests if rewrite else self.server.requests).append(body)
        behaviour = self.server.rewrite_behaviour if rewrite else self.server.behaviour
        status, reply, delay = behaviour(body["messages"])
        if self.server.stop.wait(delay):
            return
        if status != 200:
            self._send(status, "application/json", json.dumps({"error": {"message": reply}}).encode())
            return
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for chunk in _chunks(reply):
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            return
        message = {"role": "assistant", "content": reply}
        payload = {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                   "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
        self._send(200, "application/json", json.dumps(payload, ensure_ascii=False).encode())

    def _send(self, status: int, kind: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _chunks(reply: str, size: int = 7) -> Iterator[dict]:
    for start in range(0, len(reply), size):
        delta = {"content": reply[start:start + size]}
        if start == 0:
            delta["role"] = "assistant"
        yield {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "fake",
               "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}


class _FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    behaviour: Behaviour = staticmethod(correct)
    rewrite_behaviour: Behaviour = staticmethod(documents_wording)

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []  # answers asked for
        self.rewrite_requests: list[dict] = []  # rewrites of questions asked for
        self.stop = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@contextmanager
def fake_llm_server() -> Iterator[_FakeServer]:
    """A running fake server; set `.behaviour` to choose its answers, `.rewrite_behaviour` its rewrites."""
    server = _FakeServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
