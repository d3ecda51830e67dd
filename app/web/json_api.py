"""`POST /api/answer`: the chat server's plain JSON route for programs (a hotline system, a script).

Gradio's `/ask` goes through its queue and event stream: two requests and tens of milliseconds of
server CPU per question, more than the answer itself costs. This route is one request and one
response, the DESIGN.md answer object, answered in a worker thread (no more at once than
`POLICYQA_CHAT_CONCURRENCY`). It keeps no session: a follow-up sends the previous answer's
`question` as `previous_question`. With `POLICYQA_AUTH` set it asks for the same users and
passwords (HTTP Basic).
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.web.handlers import AnsweringService, api_answer
from policyqa.errors import UserError

PATH = "/api/answer"
MAX_BODY_BYTES = 64 * 1024  # a question is a sentence or two; anything this large is not one
FIELDS = {"question": str, "region": str, "year": int, "style": str, "previous_question": str}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"found": False, "error": message}, status_code=status, headers=headers)


def _authorised(request: Request, users: list[tuple[str, str]]) -> bool:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    # compare every pair in full: the time taken says nothing about which part was wrong
    matches = [secrets.compare_digest(user.encode(), u.encode()) & secrets.compare_digest(password.encode(), p.encode())
               for u, p in users]
    return any(matches)


def parse_request(body: bytes) -> dict[str, Any]:
    """The request's fields, checked; UserError with a message the caller can act on."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=lambda name: math.nan)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise UserError("请求体应为 UTF-8 编码的 JSON 对象，如 {\"question\": \"…\"}") from error
    if not isinstance(data, dict):
        raise UserError("请求体应为 JSON 对象，如 {\"question\": \"…\"}")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise UserError(f"不认识的字段：{'、'.join(unknown)}（可用：{'、'.join(FIELDS)}）")
    for name, kind in FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        if kind is int and isinstance(value, float) and value.is_integer():
            data[name] = value = int(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise UserError(f"字段 {name} 应为{'整数' if kind is int else '字符串'}")
    if not isinstance(data.get("question"), str):
        raise UserError("缺少字段 question（要问的问题）")
    return data


def answer_route(service: AnsweringService, users: list[tuple[str, str]] | None, concurrency: int) -> Route:
    """The route, bound to one answering service; `users` as for the chat's login (None: open)."""
    documents = service.documents()
    limiter = anyio.CapacityLimiter(concurrency)

    def answer(fields: dict[str, Any]) -> dict[str, Any]:
        from app.render import answer_to_json

        reply, _ = api_answer(service, documents, fields["question"], fields.get("previous_question"),
                              fields.get("region") or None, fields.get("year") or None,
                              fields.get("style") or "default")
        return answer_to_json(reply)

    async def endpoint(request: Request) -> Response:
        if users and not _authorised(request, users):
            return _error(401, "需要登录（HTTP Basic，用户名和密码同网页登录）",
                          {"WWW-Authenticate": 'Basic realm="policyqa", charset="UTF-8"'})
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _error(413, f"请求体超过 {MAX_BODY_BYTES // 1024} KB")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return _error(413, f"请求体超过 {MAX_BODY_BYTES // 1024} KB")
        try:
            fields = parse_request(body)
            result = await anyio.to_thread.run_sync(answer, fields, limiter=limiter)
        except UserError as error:
            return _error(400, str(error))
        return JSONResponse(result)

    return Route(PATH, endpoint, methods=["POST"])
