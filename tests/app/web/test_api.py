"""The launched chat, through gradio_client: the /ask answer object, follow-ups, no file serving."""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from app.service import AnswerService
from app.web.page import build_demo, launch_options, parse_auth
from policyqa.config import BUNDLED_CORPUS, Settings
from policyqa.errors import UserError
from policyqa.net import free_port

QUESTION = "外贸企业出口信用保险补助比例是多少"
CONTRACT_KEYS = {"question", "found", "answer", "citations", "retrieved", "mode", "timings_ms"}
CITATION_KEYS = {"n", "clause_id", "doc_title", "doc_number", "region", "year", "status", "locator", "quote", "text"}


def _launched(settings: Settings) -> Iterator[str]:
    """The chat as `policyqa serve` launches it, on a free port; its URL until the module ends."""
    service = AnswerService(settings)
    demo = build_demo(service)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, service))
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def app_url(corpus_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _launched(corpus_settings.with_overrides(feedback_file=tmp_path_factory.mktemp("fb") / "feedback.jsonl"))


@pytest.mark.slow
def test_ask_endpoint_returns_the_design_answer_object(app_url: str) -> None:
    client = Client(app_url, verbose=False)
    answer = client.predict(question=QUESTION, region="", year=None, style="default", api_name="/ask")
    assert CONTRACT_KEYS <= set(answer)
    assert answer["question"] == QUESTION and answer["found"] is True
    assert "60%" in answer["answer"]
    assert answer["citations"] and CITATION_KEYS <= set(answer["citations"][0])
    assert any(c["doc_number"].startswith("瑞政发") for c in answer["citations"])
    assert len(answer["retrieved"]) >= 10


@pytest.mark.slow
def test_followup_in_the_same_session_uses_the_previous_question(app_url: str) -> None:
    client = Client(app_url, verbose=False)
    client.predict(question=QUESTION, region="", year=None, style="default", api_name="/ask")
    followup = client.predict(question="那温州呢？", region="", year=None, style="default", api_name="/ask")
    assert followup["question"] == "温州市" + QUESTION
    assert followup["citations"] and {c["region"] for c in followup["citations"]} == {"温州市"}
    assert "70%" in followup["answer"]
    # Another client is another session: the same turn has nothing to follow.
    alone = Client(app_url, verbose=False).predict(question="那温州呢？", api_name="/ask")
    assert alone["question"] == "那温州呢？"


@pytest.mark.slow
def test_region_and_style_parameters(app_url: str) -> None:
    client = Client(app_url, verbose=False)
    answer = client.predict(question=QUESTION, region="温州市", year=2024, style="hotline", api_name="/ask")
    assert {c["region"] for c in answer["citations"]} == {"温州市"}


@pytest.mark.slow
@pytest.mark.parametrize("path", [str(BUNDLED_CORPUS / "wenzhou-2024-policies.txt"), "/etc/passwd",
                                  str(Path(__file__).resolve())])
def test_no_file_on_disk_is_served(app_url: str, path: str) -> None:
    for route in ("gradio_api/file=", "file="):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(app_url + route + path, timeout=10)
        assert refused.value.code in (403, 404)


def test_parse_auth() -> None:
    assert parse_auth("") is None
    assert parse_auth("ann:pw1, bob:p:w2") == [("ann", "pw1"), ("bob", "p:w2")]
    with pytest.raises(UserError):
        parse_auth("ann")


@pytest.mark.slow
def test_an_empty_question_is_a_clear_error_without_a_traceback_in_the_log(
        app_url: str, capfd: pytest.CaptureFixture[str]) -> None:
    client = Client(app_url, verbose=False)
    with pytest.raises(Exception, match="问题不能为空"):
        client.predict("", "", 0, "default", api_name="/ask")
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("route", ["gradio_api/upload", "upload", "gradio_api/upload_progress"])
def test_the_upload_routes_are_closed_and_tell_no_path(app_url: str, route: str) -> None:
    boundary = "pqa-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n{'x' * 900}\r\n--{boundary}--\r\n").encode()
    request = urllib.request.Request(app_url + route, data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    answer = refused.value.read().decode()
    assert refused.value.code == 404 and "/tmp" not in answer and "gradio" not in answer.lower()


def _post_json(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url + "api/answer", data=body, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _ask_json(url: str, fields: dict, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    return _post_json(url, json.dumps(fields, ensure_ascii=False).encode(), headers)


@pytest.mark.slow
def test_the_json_route_returns_the_same_answer_object_as_ask(app_url: str) -> None:
    status, answer = _ask_json(app_url, {"question": QUESTION})
    assert status == 200 and CONTRACT_KEYS <= set(answer)
    via_gradio = Client(app_url, verbose=False).predict(QUESTION, "", 0, "default", api_name="/ask")
    assert answer["answer"] == via_gradio["answer"]
    assert [c["clause_id"] for c in answer["citations"]] == [c["clause_id"] for c in via_gradio["citations"]]


@pytest.mark.slow
def test_the_json_route_takes_scope_style_and_a_previous_question(app_url: str) -> None:
    status, answer = _ask_json(app_url, {"question": QUESTION, "region": "温州市", "year": 2024, "style": "hotline"})
    assert status == 200 and {c["region"] for c in answer["citations"]} == {"温州市"}
    status, followup = _ask_json(app_url, {"question": "那温州呢？", "previous_question": QUESTION})
    assert status == 200 and followup["question"] == "温州市" + QUESTION and "70%" in followup["answer"]


@pytest.mark.slow
@pytest.mark.parametrize(("body", "message"), [
    (b'{"question": ""}', "问题不能为空"),
    (b'{"region": "\xe6\xb8\xa9\xe5\xb7\x9e\xe5\xb8\x82"}', "缺少字段 question"),
    (b'{"question": "q", "year": -5}', "年份 -5 不在"),
    (b'{"question": "q", "year": 1e400}', "字段 year 应为整数"),
    (b'{"question": "q", "style": "poem"}', "style 只能是"),
    (b'{"question": "q", "colour": 1}', "不认识的字段：colour"),
    (b'["q"]', "应为 JSON 对象"),
    (b"\xff\xfe{}", "UTF-8"),
    (b"[" * 5000, "JSON"),
])
def test_the_json_route_answers_a_bad_request_with_a_message(app_url: str, body: bytes, message: str) -> None:
    status, reply = _post_json(app_url, body)
    assert status == 400 and reply["found"] is False and message in reply["error"]


@pytest.mark.slow
def test_the_json_route_refuses_a_body_larger_than_a_question(app_url: str) -> None:
    status, reply = _ask_json(app_url, {"question": "问" * 40_000})
    assert status == 413 and reply["found"] is False


@pytest.fixture(scope="module")
def login_url(corpus_settings: Settings) -> Iterator[str]:
    yield from _launched(corpus_settings.with_overrides(auth="ann:pw1"))


@pytest.mark.slow
@pytest.mark.parametrize(("credentials", "status"), [(None, 401), ("ann:wrong", 401), ("bob:pw1", 401), ("ann:pw1", 200)])
def test_the_json_route_asks_for_the_chat_login(login_url: str, credentials: str | None, status: int) -> None:
    headers = {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()} if credentials else {}
    got, reply = _ask_json(login_url, {"question": QUESTION}, headers)
    assert got == status
    assert (reply.get("found") is True) == (status == 200)
