"""Closing the routes a chat without file inputs does not need.

Gradio serves an upload route on every app, open to anyone who can reach the page unless a login
is set; it stores what it is sent and answers with the server's temporary path. This chat takes
no files, so those routes answer 404 before Gradio sees the request: nothing is stored, no path
is told.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

CLOSED_ROUTES = frozenset({"/upload", "/upload_progress", "/gradio_api/upload", "/gradio_api/upload_progress"})


class RefuseUploads:
    """ASGI middleware: 404 for Gradio's upload routes, everything else passed through."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "http" and scope.get("path", "").rstrip("/") in CLOSED_ROUTES:
            body = b'{"detail":"Not Found"}'
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
