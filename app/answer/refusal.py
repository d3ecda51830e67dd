"""Every way an answer ends without a stated figure, and why: the one home of "no answer".

The pipeline asks these checks in its order (before reading any clause, after the decision, after
the sentence choice, after composing) and the service asks `filter_refusal` for the user's own
filter; each check returns a `Refusal` naming its reason, worded by `refusal_text`, and
`app.answer.pipeline.refuse` is the one exit that turns any of them into the answer (its `outcome`
from `REASON_OUTCOME`, its `reason` recorded).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.answer.analysis import QuestionProfile
from app.answer.compose import not_stated_sentence
from app.answer.config import AnswerConfig
from app.answer.decision import Scored
from app.answer.names import period_note, years_text
from app.answer.not_found import compose_missing_scope, compose_not_found, compose_unknown_place
from app.answer.select import Item
from app.text.spans import normalise
from policyqa.model import REASON_OUTCOME, Clause, Document, Hit, Outcome, Reason


@dataclass(frozen=True)
class Refusal:
    """Why an answer states no figure, with what its wording names."""

    reason: Reason
    regions: tuple[str, ...] = ()  # the region(s) and year(s) said to have nothing
    years: tuple[int, ...] = ()
    elsewhere: str = ""  # where clauses outside the asked scope address the question (`addressed_where`)
    topic: str = ""  # what was asked for, when it is not the question's own words

    @property
    def outcome(self) -> Outcome:
        return REASON_OUTCOME[self.reason]


def scope_words(regions: Sequence[str], years: Sequence[int], this_year: bool = False) -> str:
    """"瑞安市2022年": the named region(s) and year(s), as a not-found answer names them ("瑞安市今年"
    when the question asks of "今年" and names no year)."""
    return "、".join(regions) + "、".join(f"{y}年" for y in years) + ("今年" if this_year and regions and not years else "")


def missing_year(profile: QuestionProfile, documents: Sequence[Document], pool: Sequence[Hit]) -> bool:
    """The question names years, and no document of its region is of any of them, nor does a top
    clause mention them in its text (a date inside a measure: "2024年开工") or its headings (a
    review of that year in the next year's report)."""
    if not profile.years:
        return False
    docs = [d for d in documents if not profile.regions or d.region in profile.regions]
    if any(d.year in profile.years for d in docs):
        return False
    named = [h for h in pool if not profile.regions or h.clause.doc.region in profile.regions]
    return not any(f"{y}年" in normalise(h.clause.text + "".join(h.clause.path)) for h in named for y in profile.years)


def before_reading(profile: QuestionProfile, documents: Sequence[Document], pool: Sequence[Hit]) -> Refusal | None:
    """Before any clause is read: nothing to look the question up by, or a place or year no document covers."""
    if profile.quantities_only:  # "150万元": a figure with no matter to look it up by
        return Refusal("nothing_to_look_up")
    if profile.unknown_places:
        return Refusal("unknown_place")
    if missing_year(profile, documents, pool):
        return Refusal("year_not_covered", profile.regions, profile.years)
    return None


def after_deciding(profile: QuestionProfile, chosen: Sequence[Scored]) -> Refusal | None:
    """After the decision: no clause answers, or only other places' clauses answer a question that
    names its region/year (their figures are not its answer)."""
    if not chosen:
        return Refusal("declined")
    if profile.names_scope and not any(profile.covers(s.candidate.hit.clause) for s in chosen):
        others = "、".join(dict.fromkeys(addressed_where(profile, s.candidate.hit.clause) for s in chosen))
        return Refusal("scope_says_nothing", profile.regions, profile.years, elsewhere=others)
    return None


def addressed_where(profile: QuestionProfile, clause: Clause) -> str:
    """Where a clause outside the asked scope stands, as a not-found answer points to it: another
    region by name ("温州市"); the asked region with the year its clause speaks for ("瑞安市二〇二五年",
    "瑞安市（二〇二二年主要工作回顾）" under a heading of another year than its document's)."""
    region = clause.doc.region
    if region not in profile.regions:
        return region
    return region + (period_note(clause) or years_text([clause.doc.year] if clause.doc.year else []))


def after_selecting(profile: QuestionProfile, items: Sequence[Item]) -> tuple[list[Item], Refusal | None]:
    """After the sentence choice: when a figure (or a date) is asked and no sentence states it, only quotes
    without figures may stand (a clause naming the topic beside other figures, "2023年新建52家老年食堂"
    for a share, would mislead); none left is a refusal."""
    if not profile.asks_datum or any(item.stated for item in items):
        return list(items), None
    quotable = [item for item in items if not any(ch.isdigit() for ch in item.quote)]
    return quotable, None if quotable else Refusal("figures_beside_topic")


def after_composing(profile: QuestionProfile, cited: Sequence[Item]) -> Refusal | None:
    """After composing: the topic is there and cited, the asked figure (or date) is not."""
    if profile.asks_datum and not any(item.stated for item in cited):
        return Refusal("figure_not_stated")
    return None


def filter_refusal(regions: tuple[str, ...], years: tuple[int, ...]) -> Refusal:
    """The user's own region/year filter matches no document."""
    return Refusal("filter_matches_nothing", regions, years)


def refusal_text(refusal: Refusal, profile: QuestionProfile, documents: Sequence[Document],
                 searched: Sequence[Document], config: AnswerConfig,
                 mentioned: Callable[[str], bool] | None = None, related: str = "") -> str:
    """The wording of `refusal`; `related` is the composed quote of the related clauses (not stated)."""
    reason = refusal.reason
    if reason in ("year_not_covered", "filter_matches_nothing"):
        return compose_missing_scope(refusal.regions, refusal.years, list(documents))
    if reason == "unknown_place":
        return compose_unknown_place(profile.unknown_places, list(documents))
    if reason == "figure_not_stated":
        return f"{not_stated_sentence(profile)}\n{related}"
    return compose_not_found(profile, list(searched), config, mentioned=mentioned, topic=refusal.topic,
                             scope=scope_words(refusal.regions, refusal.years, profile.this_year),
                             elsewhere=refusal.elsewhere)

