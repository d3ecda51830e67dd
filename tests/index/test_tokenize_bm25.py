import numpy as np

from index.bm25 import Bm25Index, top_k_indices
from index.tokenize import expand_query, tokenize, tokenize_query

DOCS = [
    "对企业短期出口信用保险保费给予不低于70%的补助经费。",
    "支持企业出境参展，给予展位费补助。",
    "推进腾笼换鸟，整治低效工业用地。",
    "新认定的专精特新小巨人企业给予奖励。",
]


def test_policy_terms_stay_whole_and_single_characters_are_kept():
    tokens = tokenize("推进腾笼换鸟和首台套，我们厂要补助")
    assert "腾笼换鸟" in tokens and "首台套" in tokens
    assert "厂" in tokens  # a single character that matters
    assert "的" not in tokenize("我们的厂") and "，" not in tokens


def test_aliases_expand_colloquial_queries():
    assert "出口信用保险" in expand_query("出口信保有补贴吗")
    expanded = tokenize_query("我们去国外参展政府给报销多少")
    assert "出境参展" in expanded and "补助" in expanded
    assert "规模以上" in expand_query("规上企业")


def test_chinese_query_scores_and_ranks_the_right_clause_first():
    index = Bm25Index.build([tokenize(d) for d in DOCS])
    scores = index.scores(tokenize_query("出口信用保险补助比例"))
    assert scores[0] > 0 and int(np.argmax(scores)) == 0
    rows, values = index.search(tokenize_query("腾笼换鸟"), 3)
    assert rows.tolist() == [2] and values[0] > 0
    rows, _ = index.search(tokenize_query("去国外参展能报销吗"), 2)
    assert rows[0] == 1


def test_mask_excludes_rows_and_unknown_words_score_nothing(tmp_path):
    index = Bm25Index.build([tokenize(d) for d in DOCS])
    mask = np.array([0, 1, 1, 1], dtype=np.float32)
    rows, _ = index.search(tokenize_query("出口信用保险补助"), 4, mask)
    assert 0 not in rows.tolist()
    assert index.search(["不存在的词"], 4)[0].size == 0
    index.save(tmp_path)
    reloaded = Bm25Index.load(tmp_path)
    assert np.allclose(reloaded.scores(tokenize_query("专精特新")), index.scores(tokenize_query("专精特新")))


def test_top_k_indices_breaks_ties_by_row():
    assert top_k_indices(np.array([0.0, 2.0, 1.0, 2.0]), 2).tolist() == [1, 3]
    assert top_k_indices(np.array([0.0, 0.0]), 2).tolist() == []


def test_jieba_keeps_its_dictionary_cache_in_the_project_cache_folder(tmp_path) -> None:
    import os
    import subprocess
    import sys

    cache = tmp_path / "cache"
    code = "from index.tokenize import tokenize; print(tokenize('出口信用保险'))"
    env = {**os.environ, "POLICYQA_CACHE_DIR": str(cache), "TMPDIR": str(tmp_path / "no-such-tmp")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "出口" in done.stdout, done.stderr
    assert (cache / "jieba.cache").is_file()
    assert "Traceback" not in done.stderr and "Dump cache file failed" not in done.stderr
    # an unwritable cache folder: jieba falls back quietly, the user sees no traceback
    locked = tmp_path / "locked"
    locked.write_text("a file where the folder should be")
    env["POLICYQA_CACHE_DIR"] = str(locked / "sub")
    env["TMPDIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
