"""HTML and plain text for the chat: answers, citation cards, document list, notices.

Pure functions of the shared model. Every string that comes from a question or a document goes
through `escape_text`, which also neutralises Markdown and template syntax, so nothing a user or
a clause writes can become markup, a link or a script.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from policyqa.model import Answer, Citation, Clause, Document, Hit, Reason
from policyqa.status import STANDING_LABELS, standing

# HTML's special characters, and those Markdown, LaTeX or a JS template could act on, as
# numeric entities: the browser shows them as typed and no parser sees syntax.
_ESCAPES = {c: f"&#{ord(c)};" for c in "&<>\"'*_`[]~$#|\\{}!()+-:=/"}
_MARKER = re.compile(r"&#91;(\d{1,3})&#93;")  # an escaped [n] citation marker
NEAREST_SHOWN = 5  # retrieved clauses shown under an answer that found none (the recall@5 the eval reports)
NEAREST_LEAD_CHARS = 60  # a clause without a lead phrase is shown by its opening characters
# answers that found nothing although the search returned clauses (not a bare figure, a validity question)
NEAREST_REASONS: frozenset[Reason] = frozenset({"declined", "scope_says_nothing", "figures_beside_topic"})



def escape_text(text: str) -> str:
    """Text safe to place inside HTML or Markdown: tags, entities and markup shown literally."""
    escaped = "".join(_ESCAPES.get(char, char) for char in text)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def status_badge(doc: Document, today: date) -> tuple[str, str]:
    """The status label shown on a card and its CSS class: draft, expired, in force or unstated.

    "In force" is only claimed for a document that states a validity still running; a document
    stating none (a work report, say) is not vouched for.
    """
    state = standing(doc, today)
    return STANDING_LABELS[state], state.value


def badge_html(doc: Document, today: date) -> str:
    """The status badge as a small coloured label."""
    label, css = status_badge(doc, today)
    return f'<span class="pqa-badge pqa-badge-{css}">{label}</span>'


def doc_facts(doc: Document) -> str:
    """文号 · region · year, as one plain line (empty parts left out)."""
    parts = [doc.doc_number, doc.region, f"{doc.year}年" if doc.year else ""]
    return " · ".join(part for part in parts if part)


def clause_position(clause: Clause) -> str:
    """Heading path and number as plain text, e.g. “六、… › (二)承接举措 › 第3条”."""
    path = list(clause.path)
    if clause.number and not any(clause.number in heading for heading in path[-1:]):
        path.append(f"第{clause.number}条")
    return " › ".join(path)


def highlight_quote(text: str, quote: str) -> str:
    """The clause text escaped, with each sentence of the quote found in it wrapped in <mark>."""
    pieces = [quote.strip()] if quote.strip() in text else re.findall(r"[^。；;！？]+[。；;！？]?", quote)
    spans: list[tuple[int, int]] = []
    for piece in (p.strip() for p in pieces):
        start = text.find(piece) if piece else -1
        if start >= 0:
            spans.append((start, start + len(piece)))
    out, cursor = [], 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        out.append(escape_text(text[cursor:start]))
        out.append(f"<mark>{escape_text(text[start:end])}</mark>")
        cursor = end
    out.append(escape_text(text[cursor:]))
    return "".join(out)


def citation_card(citation: Citation, today: date) -> str:
    """One collapsible card: where the clause is, who is responsible, its text with the quote marked."""
    return _clause_card(citation.clause, today, str(citation.n), citation.quote, f' data-n="{citation.n}"')


def nearest_card(hit: Hit, today: date) -> str:
    """A clause retrieved for an answer that found none: the same card, its lead in place of a quote
    and nothing marked (nothing in it was found to answer)."""
    clause = hit.clause
    lead = clause.title or clause.text[:NEAREST_LEAD_CHARS] + ("…" if len(clause.text) > NEAREST_LEAD_CHARS else "")
    return _clause_card(clause, today, "参", "", ' data-nearest="1"', lead=lead)


def _clause_card(clause: Clause, today: date, tag: str, quote: str, attributes: str, lead: str = "") -> str:
    doc = clause.doc
    units = "、".join(clause.responsible_units)
    rows = []
    if units:
        rows.append(f'<div class="pqa-row"><b>责任单位</b>{escape_text(units)}</div>')
    if clause.lead_department:
        rows.append(f'<div class="pqa-row"><b>牵头部门</b>{escape_text(clause.lead_department)}</div>')
    if doc.validity:
        rows.append(f'<div class="pqa-row"><b>有效期</b>{escape_text(doc.validity)}</div>')
    shown = f"“{escape_text(quote)}”" if quote else escape_text(lead)
    return (
        f'<details class="pqa-card"{attributes}>'
        f'<summary><span class="pqa-card-head"><span class="pqa-n">{escape_text(tag)}</span>'
        f'<span class="pqa-doc">{escape_text(doc.title)}</span>{badge_html(doc, today)}</span>'
        f'<span class="pqa-facts">{escape_text(doc_facts(doc))}</span>'
        f'<span class="pqa-path">{escape_text(clause_position(clause))}</span>'
        f'<span class="pqa-quote">{shown}</span>'
        f'<span class="pqa-more">展开条款全文</span></summary>'
        f'<div class="pqa-body">{"".join(rows)}'
        f'<div class="pqa-text">{highlight_quote(clause.text, quote) if quote else escape_text(clause.text)}</div>'
        '</div></details>'
    )


def nearest_html(answer: Answer, today: date) -> str:
    """Under an answer that found nothing (the decision declined, or only other places' clauses or
    other figures came up): the closest retrieved clauses, folded and labelled as unconfirmed, so a
    reader can check for themselves what the search came nearest to. The answer itself still states
    nothing; "" for every other answer."""
    if answer.outcome != "not_found" or answer.reason not in NEAREST_REASONS or not answer.retrieved:
        return ""
    cards = "".join(nearest_card(hit, today) for hit in answer.retrieved[:NEAREST_SHOWN])
    return ('<details class="pqa-nearest"><summary>检索到的最接近的条款（未能确认它们回答了这个问题，'
            f'仅供自行查阅）</summary>{cards}</details>')


def answer_text_html(text: str) -> str:
    """The answer's text escaped, its [n] markers shown as small citation tags."""
    return _MARKER.sub(r'<sup class="pqa-ref">\1</sup>', escape_text(text))


# How the answer was made, when a reader should know: shown above the answer text.
MODE_BADGES = {
    "llm": ("大模型回答 · 已核对", "llm"),
    "llm-repaired": ("大模型回答 · 已修正：未核实的内容已删去或换成条款原文", "repaired"),
    "extractive-fallback": ("大模型回答未通过核对，改为条款摘录", "fallback"),
}


def _badge(badges: dict[str, tuple[str, str]], key: str, family: str) -> str:
    """The labelled badge `badges` holds for `key` ("" when none), styled as pqa-{family}-{css}."""
    if key not in badges:
        return ""
    label, css = badges[key]
    return f'<div class="pqa-{family} pqa-{family}-{css}">{label}</div>'


def mode_badge_html(answer: Answer) -> str:
    """A label for answers written by the LLM (checked, repaired) or replaced by the extract; "" otherwise."""
    return _badge(MODE_BADGES, answer.mode, "mode")


# How each outcome is labelled above the answer (answered needs no label: the citations say it)
OUTCOME_BADGES = {
    "not_stated": ("文件未写明所问的数字或时间 · 以下为相关条款", "unstated"),
    "not_found": ("现有文件未找到依据", "notfound"),
    "unknown_place": ("未收录该地区的文件", "notfound"),
    "missing_scope": ("未收录该地区或年份的文件", "notfound"),
}


def outcome_badge_html(answer: Answer) -> str:
    """A label saying the answer is not stated, not found or out of scope; "" for answered ones."""
    return _badge(OUTCOME_BADGES, answer.outcome, "outcome")


def answer_html(answer: Answer, today: date, *, resolved_from: str = "") -> str:
    """The whole assistant message: (follow-up reading), answer, notes, then one card per citation."""
    parts = ['<div class="pqa-answer">']
    if resolved_from:
        parts.append(f'<div class="pqa-resolved">按上文理解为：{escape_text(answer.question)}</div>')
    parts.append(mode_badge_html(answer))
    parts.append(outcome_badge_html(answer))
    css = "pqa-text-found" if answer.found else "pqa-text-notfound"
    parts.append(f'<div class="{css}">{answer_text_html(answer.text)}</div>')
    parts.extend(f'<div class="pqa-note">{escape_text(note)}</div>' for note in answer.notes)
    if answer.citations:
        parts.append(f'<div class="pqa-sources-title">出处（{len(answer.citations)} 条，点开看条款全文）</div>')
        parts.extend(citation_card(citation, today) for citation in answer.citations)
    parts.append(nearest_html(answer, today))
    parts.append("</div>")
    return "".join(parts)


def streaming_html(partial_text: str) -> str:
    """The assistant message while the answer is still arriving."""
    return f'<div class="pqa-answer pqa-streaming">{answer_text_html(partial_text)}</div>'


def answer_plain_text(answer: Answer, today: date) -> str:
    """The answer with its sources as plain text, for the copy button."""
    lines = [f"问：{answer.question}", f"答：{answer.text}"]
    if answer.citations:
        lines.append("出处：")
    for citation in answer.citations:
        clause, doc = citation.clause, citation.clause.doc
        status, _ = status_badge(doc, today)
        facts = "，".join(part for part in (doc_facts(doc), status) if part)
        lines.append(f"[{citation.n}] 《{doc.title}》（{facts}）{clause_position(clause)}")
        lines.append(f"    “{citation.quote}”")
    return "\n".join(lines)


def documents_html(documents: Sequence[Document], today: date) -> str:
    """The loaded documents as a table: title, 文号, region, year, date, status, validity."""
    rows = []
    for doc in documents:
        rows.append(
            "<tr>"
            f"<td>{escape_text(doc.title)}</td><td>{escape_text(doc.doc_number or '—')}</td>"
            f"<td>{escape_text(doc.region or '—')}</td><td>{doc.year or '—'}</td>"
            f"<td>{escape_text(doc.date or '—')}</td><td>{badge_html(doc, today)}</td>"
            f"<td>{escape_text(doc.validity or '—')}</td>"
            "</tr>"
        )
    return (
        '<table class="pqa-docs"><thead><tr><th>文件</th><th>文号</th><th>地区</th><th>年份</th>'
        f'<th>日期</th><th>状态</th><th>有效期</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def documents_list_html(documents: Sequence[Document], today: date) -> str:
    """The loaded documents as a compact list for the sidebar: title, badge, 文号 · region · year."""
    items = "".join(
        f'<li><span class="pqa-doc">{escape_text(doc.title)}</span> {badge_html(doc, today)}'
        f'<br><span class="pqa-facts">{escape_text(doc_facts(doc))}</span></li>'
        for doc in documents
    )
    return f'<ul class="pqa-side-docs">{items}</ul>'


def notices_html(notices: Iterable[str]) -> str:
    """Service notices (offline fallback, first index build) as a quiet banner; "" when none."""
    items = [f"<li>{escape_text(notice)}</li>" for notice in notices if notice.strip()]
    return f'<div class="pqa-notices"><ul>{"".join(items)}</ul></div>' if items else ""
