"""`policyqa ask` through click: text, --json, --batch, and errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from policyqa.config import Settings


def _run(settings: Settings, *args: str):
    return CliRunner().invoke(main, ["ask", *args, "--index", str(settings.index_dir)])


def test_ask_text_prints_answer_and_sources(corpus_settings: Settings) -> None:
    result = _run(corpus_settings, "外贸企业出口信用保险补助比例是多少")
    assert result.exit_code == 0, result.output
    assert "60%" in result.output and "来源：" in result.output and "瑞政发[2023]9号" in result.output


def test_ask_json_is_the_contract_object(corpus_settings: Settings) -> None:
    result = _run(corpus_settings, "温州工业用地容积率一般不低于多少", "--json", "--top-k", "12")
    data = json.loads(result.output)
    assert data["found"] and data["citations"][0]["doc_number"] == "温政办〔2024〕11号"
    assert len(data["retrieved"]) == 12 and data["mode"] == "extractive"


def test_ask_hotline_style(corpus_settings: Settings) -> None:
    result = _run(corpus_settings, "外贸企业出口信用保险补助比例是多少", "--style", "hotline", "--json")
    assert "依据：" in json.loads(result.output)["answer"]


def test_batch_answers_in_order_with_ids_and_bad_lines(corpus_settings: Settings, tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "question": "外贸企业出口信用保险补助比例是多少"}, ensure_ascii=False),
        "{not json",
        "",
        json.dumps({"id": 7, "question": "   "}),
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "question": "大学生租房补贴每月多少钱"}, ensure_ascii=False),
    ]
    batch = tmp_path / "questions.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run(corpus_settings, "--batch", str(batch), "--json")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out] == ["a", 2, 7, "b", "c"]
    assert out[0]["found"] and out[0]["citations"] and not out[4]["found"]
    assert all("error" in o for o in out[1:4])


def test_missing_question_is_a_clear_error(corpus_settings: Settings) -> None:
    result = _run(corpus_settings)
    assert result.exit_code == 2 and "错误" in result.output


def test_ask_builds_the_index_when_there_is_none(tmp_path: Path, monkeypatch) -> None:
    built = []

    class _Index:
        documents = []
        clauses = []
        notices = ()
        generation = 0
        semantic_model = None

        def document_frequencies(self):
            return {}

        def phrases(self):
            from index.searching import PhraseCounts

            return PhraseCounts("")

        def clauses_of(self, doc_id):
            return []

        def search(self, query, top_k=10, filters=None, mode="hybrid", rewrite="", scope=None):
            return []

    def fake_ensure(settings, progress=False):
        built.append(settings.index_dir)
        return _Index()

    monkeypatch.setattr("index.ensure.ensure_index", fake_ensure)
    result = CliRunner().invoke(main, ["ask", "出口信用保险", "--index", str(tmp_path / "new")])
    assert result.exit_code == 0 and built == [tmp_path / "new"] and "未找到" in result.output


def test_batch_survives_surrogates_nan_ids_raw_line_separators_and_other_encodings(
        corpus_settings: Settings, tmp_path: Path) -> None:
    lines = [
        '{"id": 1, "question": "\\ud800外贸企业出口信用保险补助比例是多少"}',  # a lone surrogate, escaped
        '{"id": NaN, "question": "温州工业用地容积率一般不低于多少"}',  # not standard JSON
        '{"id": 3, "question": "出口\u2028信用保险补助比例是多少"}',  # a raw U+2028 inside the string
        '{"id": 4, "question": "温州工业用地容积率一般不低于多少"}',
    ]
    batch = tmp_path / "q.jsonl"
    batch.write_bytes("\n".join(lines).encode("utf-8"))
    result = CliRunner().invoke(main, ["ask", "--batch", str(batch), "--json", "--index", str(corpus_settings.index_dir)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.split("\n") if line]  # U+2028 may stand raw inside
    assert [r["id"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["found"] and "\ufffd" in rows[0]["question"]
    assert "NaN" in rows[1]["error"] and rows[2]["found"] and rows[3]["found"]
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(lines[3].encode("gbk"))
    result = CliRunner().invoke(main, ["ask", "--batch", str(gbk), "--json", "--index", str(corpus_settings.index_dir)])
    assert json.loads(result.output)["found"]


def test_a_region_filter_no_document_matches_says_which_regions_exist(corpus_settings: Settings) -> None:
    result = _run(corpus_settings, "外贸企业出口信用保险补助比例是多少", "--region", "火星市")
    assert result.exit_code == 0
    first = result.output.splitlines()[0]
    assert "没有火星市的政策文件" in first and "瑞安市" in first and "已检索" not in first


def test_ingest_with_a_bad_path_among_good_ones_reports_it_in_chinese_and_ingests_the_rest(tmp_path: Path) -> None:
    from policyqa.config import BUNDLED_CORPUS

    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "nowhere.txt"), str(BUNDLED_CORPUS / "yueqing-2023-policies.txt"),
                                       "--index", str(tmp_path / "index"), "--embed-model", "offline"])
    assert result.exit_code == 1  # something was not ingested, and the exit status says so
    assert "nowhere.txt：文件不存在" in result.output and "新增 1" in result.output and "Usage" not in result.output


def test_messages_reach_stderr_as_plain_lines_and_verbose_adds_their_source(tmp_path) -> None:
    import logging

    from cli.main import OUR_PACKAGES, configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {name: logging.getLogger(name).level for name in OUR_PACKAGES})
    configure_logging(False)
    handler = logging.getLogger().handlers[0]
    record = logging.LogRecord("index.backend", logging.INFO, "", 0, "尚无索引", None, None)
    assert handler.format(record) == "尚无索引" and logging.getLogger("index").isEnabledFor(logging.INFO)
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)  # other libraries' chatter stays out
    configure_logging(True)
    assert logging.getLogger().handlers[0].format(record) == "INFO index.backend: 尚无索引"
    assert logging.getLogger("app").isEnabledFor(logging.DEBUG)
    root.handlers[:], root.level = saved[0], saved[1]  # pytest's own capture handlers back
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def _batch(settings: Settings, path: Path):
    return CliRunner().invoke(main, ["ask", "--batch", str(path), "--json", "--index", str(settings.index_dir)])


def test_one_bad_line_never_costs_the_batch(corpus_settings: Settings, tmp_path: Path) -> None:
    good = json.dumps({"id": "ok", "question": "温州工业用地容积率一般不低于多少"}, ensure_ascii=False).encode()
    lines = [
        b'{"id": 1e400, "question": "x"}',  # a number JSON cannot write back (inf)
        b"[" * 1000 + b"]" * 1000,  # nested 1,000 deep
        b'{"id": 3, "question": "\x00"}',  # a raw NUL byte
        b'{"id": 4, "question": "\xff\xfe\xfa"}',  # bytes that are no UTF-8
        '{"id": 5, "question": "出口\u0085信用保险补助比例是多少"}'.encode(),  # a raw U+0085
        good,
    ]
    path = tmp_path / "q.jsonl"
    path.write_bytes(b"\n".join(lines))
    result = _batch(corpus_settings, path)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.split("\n") if line.strip()]  # U+0085 stands raw inside
    assert [r["id"] for r in rows] == [1, 2, 3, 4, 5, "ok"]
    assert all("error" in r for r in rows[:4]) and "嵌套过深" in rows[1]["error"] and "UTF-8" in rows[3]["error"]
    assert rows[5]["found"]


def test_a_device_or_an_oversized_file_is_refused_as_a_batch(corpus_settings: Settings, tmp_path: Path) -> None:
    link = tmp_path / "zero.jsonl"
    link.symlink_to("/dev/zero")
    for path in (Path("/dev/zero"), link, tmp_path):
        result = _batch(corpus_settings, path)
        assert result.exit_code != 0 and "不是普通文件" in result.output, path
    assert "不存在" in _batch(corpus_settings, tmp_path / "missing.jsonl").output
    big = tmp_path / "big.jsonl"
    big.write_bytes(b" " * (1024 * 1024 + 1))
    result = CliRunner().invoke(main, ["ask", "--batch", str(big), "--json", "--index", str(corpus_settings.index_dir)],
                                env={"POLICYQA_MAX_FILE_MB": "1"})
    assert result.exit_code != 0 and "超过 1 MB" in result.output


def test_a_year_outside_any_policy_s_is_a_clear_error(corpus_settings: Settings) -> None:
    from app.service import AnswerService
    from policyqa.errors import UserError

    for year in ("-5", "99999", "1" + "0" * 300):
        result = _run(corpus_settings, "外贸企业出口信用保险补助比例是多少", "--year", year)
        assert result.exit_code != 0 and "年份" in result.output and "Traceback" not in result.output, year
        assert len(result.output) < 200
    with pytest.raises(UserError, match="年份"):
        AnswerService(corpus_settings).ask("外贸企业出口信用保险补助比例是多少", year=-5)
