"""The Gradio chat: `build_demo(service)` lays out the page; `serve` builds the index and launches it.

The page is a thin function of the answering service (see app/web/handlers.py for the callbacks).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final

import gradio as gr

from app.web import cards as web_cards
from app.web.feedback import feedback_path
from app.web.handlers import AnsweringService, ChatHandlers, ChatSession, api_answer
from app.web.style import COPY_JS, CSS
from policyqa.config import PROJECT_ROOT, Settings, load_settings
from policyqa.errors import IndexMissingError, IndexUnreadableError, UserError

log = logging.getLogger(__name__)

# Sessions kept (least recently used dropped): each holds about 75 KB of page config besides its
# conversation, and every `/ask` call without a session_hash opens one; Gradio's 10,000 would be ~0.7 GB
SESSION_CAPACITY: Final = 2000
PRIVATE: Final = "private"  # api_visibility of UI events: only /ask is an API
EXAMPLE_QUESTIONS = (
    "外贸企业出口信用保险补助比例是多少",
    "小微企业贷款有什么支持政策",
    "哪个部门负责外贸支持政策",
    "什么是“一芯一港两基地”",
)
PLACEHOLDER = (
    "### 您好，请直接提问\n"
    "我只根据已载入的政策原文作答，每句话都标出出处（文件、文号、条款）。"
    "可在右侧把范围限定到某个地区、年份或文件。"
)


def build_demo(service: AnsweringService, *, feedback_file: Path | None = None,
               startup_notices: Sequence[str] = ()) -> gr.Blocks:
    """The chat page for one answering service."""
    if feedback_file is None:
        feedback_file = feedback_path(getattr(service, "settings", None) or load_settings())
    handlers = ChatHandlers(service, feedback_file)
    documents = handlers.documents
    extra_notices = tuple(startup_notices)

    with gr.Blocks(title="政策问答", analytics_enabled=False) as demo:
        _add_api(service, documents)  # first, so it owns the name "ask"
        session = gr.State(ChatSession())
        gr.HTML('<div id="pqa-header"><h1>政策问答</h1>'
                '<span>依据政策原文作答 · 逐条注明出处 · 标明现行有效、已过期与征求意见稿</span></div>',
                head=f"<style>{CSS}</style>")
        first_notices = handlers.notices(extra_notices)
        notice = gr.HTML(first_notices, visible=bool(first_notices), elem_id="pqa-notice")
        with gr.Row(equal_height=False):
            with gr.Column(scale=7):
                chatbot = gr.Chatbot(
                    label="对话", show_label=False, height=600, buttons=[], elem_id="pqa-chat",
                    feedback_options=("Like", "Dislike"), latex_delimiters=[], sanitize_html=True,
                    group_consecutive_messages=False, placeholder=PLACEHOLDER, layout="panel",
                )
                with gr.Row(equal_height=True):
                    question = gr.Textbox(show_label=False, scale=8, lines=1, max_lines=4, autofocus=True,
                                          placeholder="输入问题，按回车提问，例如：外贸企业出口信用保险补助比例是多少",
                                          elem_id="pqa-question")
                    ask_button = gr.Button("提问", variant="primary", scale=1, min_width=90, elem_id="pqa-ask")
                with gr.Row(elem_id="pqa-examples"):
                    gr.HTML('<span class="pqa-examples-label">试试：</span>', scale=0, min_width=40)
                    example_buttons = [gr.Button(text, size="sm", variant="secondary") for text in EXAMPLE_QUESTIONS]
                with gr.Row(equal_height=True, elem_id="pqa-tools"):
                    copy_button = gr.Button("复制最新回答（含出处）", size="sm", scale=0, min_width=180,
                                            elem_id="pqa-copy")
                    gr.HTML('<div id="pqa-feedback-hint">回答有用或有误？点每条回答下方的「赞 / 踩」评价，'
                            '还可补充说明。</div>')
                with gr.Row(visible=False, elem_id="pqa-comment-row") as comment_row:
                    comment = gr.Textbox(show_label=False, scale=8, elem_id="pqa-comment",
                                         placeholder="补充说明（可选）：哪里不对？应引用哪一条？")
                    comment_button = gr.Button("提交说明", scale=1, min_width=90)
                plain_text = gr.Textbox(visible="hidden", elem_id="pqa-plain")
            with gr.Column(scale=3, min_width=260, elem_id="pqa-side"):
                gr.HTML('<div class="pqa-side-title">限定范围</div>')
                region = gr.Dropdown(_region_choices(documents), value="", label="地区", elem_id="pqa-region")
                year = gr.Dropdown(_year_choices(documents), value="", label="年份", elem_id="pqa-year")
                doc = gr.Dropdown(_doc_choices(documents), value="", label="文件", elem_id="pqa-doc")
                hotline = gr.Checkbox(False, label="热线模式（简短口语，便于电话中朗读）", elem_id="pqa-hotline")
                gr.HTML('<div class="pqa-side-title">已载入的政策文件</div>')
                gr.HTML(web_cards.documents_list_html(documents, date.today()))
        with gr.Accordion(f"文件详情（{len(documents)} 份：文号、日期、状态、有效期）", open=False):
            gr.HTML(web_cards.documents_html(documents, date.today()))

        filters: list[gr.Dropdown | gr.Checkbox] = [region, year, doc, hotline]
        turn_outputs = [chatbot, session, plain_text, question]
        ask_args = ([question, session, *filters], turn_outputs)
        ask_button.click(handlers.ask, *ask_args, api_visibility=PRIVATE)
        question.submit(handlers.ask, *ask_args, api_visibility=PRIVATE)
        for button, text in zip(example_buttons, EXAMPLE_QUESTIONS, strict=True):
            button.click(_asker(handlers, text), [session, *filters], turn_outputs, api_visibility=PRIVATE)
        for control in filters:
            control.input(handlers.reask, [session, *filters], turn_outputs, api_visibility=PRIVATE)
        chatbot.like(handlers.like, [session], [session, comment_row], api_visibility=PRIVATE)
        comment_button.click(handlers.comment, [comment, session], [session, comment_row, comment], api_visibility=PRIVATE)
        comment.submit(handlers.comment, [comment, session], [session, comment_row, comment], api_visibility=PRIVATE)
        chatbot.clear(handlers.clear, None, [chatbot, session, plain_text, comment_row], api_visibility=PRIVATE)
        copy_button.click(_copied, [plain_text], None, js=COPY_JS, api_visibility=PRIVATE)
        demo.load(lambda: _shown(handlers.notices(extra_notices)), None, notice, api_visibility=PRIVATE)
    return demo


def _asker(handlers: ChatHandlers, text: str) -> Callable[..., Iterator[tuple[Any, ...]]]:
    """A generator callback asking one fixed example question."""
    def ask_example(session: ChatSession, region: str, year: str, doc_id: str,
                    hotline: bool) -> Iterator[tuple[Any, ...]]:
        yield from handlers.ask(text, session, region, year, doc_id, hotline)
    return ask_example


def _shown(html: str) -> Any:
    """An HTML update that hides the component while it has nothing to say."""
    return gr.update(value=html, visible=bool(html))


def _copied(text: str) -> None:
    if text:
        gr.Info("已复制回答及出处。", duration=3)
    else:
        gr.Warning("还没有可复制的回答。", duration=3)


def _add_api(service: AnsweringService, documents: list) -> None:
    """The `/ask` endpoint for programs: the DESIGN.md answer object; follow-ups use the session."""
    with gr.Column(visible=False):
        api_question = gr.Textbox(label="question")
        api_region = gr.Textbox(label="region", value="")
        api_year = gr.Number(label="year", value=0, precision=0)  # 0: any year
        api_style = gr.Textbox(label="style", value="default")
        api_state = gr.State(None)
        api_result = gr.JSON(label="answer")
        api_trigger = gr.Button(visible=False)

    def ask(question: str, region: str, year: float | None, style: str,
            previous_question: str | None) -> tuple[dict, str | None]:
        """Answer `question` (a follow-up refers to this session's previous question)."""
        from app.render import answer_to_json  # the answering side's JSON contract

        try:
            answer, resolved = api_answer(service, documents, question, previous_question,
                                          region or None, int(year) if year else None, style or "default")
        except UserError as error:
            raise gr.Error(str(error), print_exception=False) from error  # a user error, not a bug: no traceback in the log
        return answer_to_json(answer), resolved

    api_trigger.click(ask, [api_question, api_region, api_year, api_style, api_state],
                      [api_result, api_state], api_name="ask")


def _region_choices(documents: list) -> list[tuple[str, str]]:
    regions = sorted({doc.region for doc in documents if doc.region})
    return [("全部地区", "")] + [(name, name) for name in regions]


def _year_choices(documents: list) -> list[tuple[str, str]]:
    years = sorted({doc.year for doc in documents if doc.year}, reverse=True)
    return [("全部年份", "")] + [(f"{year}年", str(year)) for year in years]


def _doc_choices(documents: list) -> list[tuple[str, str]]:
    return [("全部文件", "")] + [(doc.title, doc.doc_id) for doc in documents]


def parse_auth(spec: str) -> list[tuple[str, str]] | None:
    """POLICYQA_AUTH “user:pass,user2:pass2” as Gradio's list of pairs; None when empty."""
    pairs = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        user, sep, password = item.partition(":")
        if not sep or not user.strip() or not password:
            raise UserError("POLICYQA_AUTH 格式应为 用户名:密码,用户名2:密码2")
        pairs.append((user.strip(), password))
    return pairs or None


def launch_options(settings: Settings, service: AnsweringService) -> dict[str, Any]:
    """How the chat is served: only its own files, no uploads, no telemetry; besides the page and its
    `/ask`, one plain JSON route for programs (app/web/json_api.py)."""
    from starlette.middleware import Middleware

    from app.web.guard import RefuseUploads
    from app.web.json_api import answer_route

    users = parse_auth(settings.auth)
    return {
        "auth": users,
        "auth_message": "政策问答：请登录",
        "allowed_paths": [],
        # No /file= route to anything on disk: the page needs no file, and GRADIO_ALLOWED_PATHS
        # in the environment must not open one.
        "blocked_paths": ["/", str(PROJECT_ROOT), str(Path(settings.index_dir).resolve())],
        "max_file_size": "1kb",  # the upload routes are closed (app.web.guard); a cap besides
        "app_kwargs": {"middleware": [Middleware(RefuseUploads)],
                       "routes": [answer_route(service, users, settings.chat_concurrency)]},
        "state_session_capacity": SESSION_CAPACITY,
        "footer_links": ["api"],
        "enable_monitoring": False,
        "run_history": False,
        "mcp_server": False,
        "ssr_mode": False,
        "share": False,
        "show_error": False,
    }


def _one_blas_thread() -> None:
    """Answers run in several threads at once, each a few small matrix products: BLAS's helper
    threads only spin against them (on 2 cores they doubled the server's CPU per answer under load,
    eval/benchmark_load.py)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Build the index if needed (with progress in the terminal), then serve the chat."""
    from app.service import AnswerService
    from index.backend import open_index
    from index.ensure import ensure_index

    notices = []
    try:
        index = open_index(settings)
    except (IndexMissingError, IndexUnreadableError) as error:
        # a missing index is built from the bundled corpus, one of an older format rebuilt from its own
        # files; a damaged one (or an old one whose files are gone) raises again: only ingest replaces it
        started = time.perf_counter()
        index = ensure_index(settings, progress=True)  # prints its progress to the terminal
        done = ("首次启动：已用内置政策文件建立索引" if isinstance(error, IndexMissingError)
                else "索引是旧版本的格式：已用它原来的文件重新建立")
        notices.append(f"{done}（用时 {time.perf_counter() - started:.0f} 秒）。")
    service = AnswerService(settings, index=index)
    _one_blas_thread()
    demo = build_demo(service, feedback_file=feedback_path(settings), startup_notices=notices)
    demo.queue(default_concurrency_limit=settings.chat_concurrency)  # AnswerService is safe to share
    log.info("政策问答已启动：http://%s:%s  （反馈写入 %s）", host, port, feedback_path(settings))
    demo.launch(server_name=host, server_port=port, **launch_options(settings, service))
