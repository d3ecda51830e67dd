"""A real browser (Debian's Chromium via Playwright) drives the launched chat on the bundled corpus."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from app.service import AnswerService
from app.web.page import build_demo, launch_options
from policyqa.config import PROJECT_ROOT, Settings
from policyqa.net import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
QUESTION = "外贸企业出口信用保险补助比例是多少"
ATTACK = "<img src=x onerror=alert(1)> 和 <script>alert(2)</script> 补助 ${alert(3)}"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("/usr/bin/chromium is missing in CI: install Debian's chromium (make browser)")
    pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium); CI must have it")


@pytest.fixture(scope="module")
def running_app(corpus_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    _require_chromium()
    feedback_file = tmp_path_factory.mktemp("browser-feedback") / "feedback.jsonl"
    settings = corpus_settings.with_overrides(feedback_file=feedback_file)
    service = AnswerService(settings)
    demo = build_demo(service, feedback_file=feedback_file)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, service))
    yield f"http://127.0.0.1:{port}/", feedback_file
    demo.close()


@pytest.fixture(scope="module")
def page(running_app: tuple[str, Path]):
    from playwright.sync_api import sync_playwright

    url, _ = running_app
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.dialogs = []  # every alert/confirm the page tries to open
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.hosts = set()  # every host the page talks to
        page.on("request", lambda request: page.hosts.add(urlparse(request.url).hostname))
        page.goto(url)
        page.wait_for_selector("#pqa-question textarea", timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "00-first-visit.png"), full_page=True)
        yield page
        browser.close()


def _ask(page, question: str) -> str:
    """Type a question, press 提问, wait for the finished answer; its HTML."""
    before = page.locator(".pqa-answer:not(.pqa-streaming)").count()
    page.fill("#pqa-question textarea", question)
    page.click("#pqa-ask")
    return _last_answer(page, before)


def _last_answer(page, before: int) -> str:
    answers = page.locator("#pqa-chat .pqa-answer:not(.pqa-streaming)")
    page.wait_for_function(
        "n => document.querySelectorAll('#pqa-chat .pqa-answer:not(.pqa-streaming)').length > n",
        arg=before, timeout=30_000)
    return answers.last.inner_text()


def test_ask_shows_the_answer_and_a_citation_card(page) -> None:
    text = _ask(page, QUESTION)
    assert "60%" in text
    card = page.locator("#pqa-chat details.pqa-card").first
    assert "瑞政发" in card.inner_text() and "已过期" in card.inner_text()
    card.locator("summary").click()  # opens the full clause with the quote highlighted
    assert card.locator("mark").count() >= 1 and "责任单位" in card.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "01-answer-with-citation.png"), full_page=True)
    page.click("#pqa-copy")
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.includes('出处'))", timeout=10_000)
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "60%" in copied and "瑞政发" in copied and "<div" not in copied and "<mark" not in copied


def test_region_filter_gives_the_wenzhou_answer(page) -> None:
    before = page.locator("#pqa-chat .pqa-answer:not(.pqa-streaming)").count()
    page.click("#pqa-region input")
    page.get_by_role("option", name="温州市").click()
    text = _last_answer(page, before)
    assert "70%" in text and "温政办" in text and "瑞政发" not in text
    page.screenshot(path=str(SCREENSHOTS / "02-region-wenzhou.png"), full_page=True)


def test_thumbs_down_appends_a_feedback_line(page, running_app: tuple[str, Path]) -> None:
    _, feedback_file = running_app
    lines_before = len(feedback_file.read_text(encoding="utf-8").splitlines()) if feedback_file.exists() else 0
    page.locator("#pqa-chat button[aria-label='踩']").last.click()  # 👎 (zh-CN label of Dislike)
    page.wait_for_selector("#pqa-comment textarea", timeout=10_000)  # the optional comment box appears
    for _ in range(50):
        if feedback_file.exists() and len(feedback_file.read_text(encoding="utf-8").splitlines()) > lines_before:
            break
        page.wait_for_timeout(100)
    lines = feedback_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == lines_before + 1 and '"verdict": "down"' in lines[-1]
    page.screenshot(path=str(SCREENSHOTS / "03-feedback.png"), full_page=True)


def test_example_button_and_hotline_switch_ask_at_once(page) -> None:
    before = page.locator("#pqa-chat .pqa-answer:not(.pqa-streaming)").count()
    page.get_by_role("button", name="小微企业贷款有什么支持政策").click()
    assert "贷款" in _last_answer(page, before)
    before += 1
    page.locator("#pqa-hotline input").check()  # re-asks the same question in the read-aloud style
    _last_answer(page, before)
    assert "热线口径" in page.locator("#pqa-chat .message-row").nth(-2).inner_text()


def test_markup_in_a_question_shows_as_text_and_never_runs(page) -> None:
    page.locator("#pqa-chat button[aria-label='清空对话']").click()
    page.wait_for_function("() => !document.querySelector('#pqa-chat .pqa-answer')")
    _ask(page, ATTACK)
    user_turn = page.locator("#pqa-chat .message-row").filter(has_text="onerror").first
    assert "<img src=x onerror=alert(1)>" in user_turn.inner_text()
    assert "<script>alert(2)</script>" in user_turn.inner_text()
    assert page.locator("#pqa-chat img[src='x']").count() == 0
    assert page.locator("#pqa-chat script").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []
    page.screenshot(path=str(SCREENSHOTS / "04-markup-as-text.png"), full_page=True)


def test_the_page_talks_only_to_its_own_server(page) -> None:
    assert page.hosts <= {"127.0.0.1"}
