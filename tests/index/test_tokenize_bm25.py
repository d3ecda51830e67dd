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


def test_a_word_is_one_string_however_often_it_is_cut():
    # an ingest holds the tokens of every clause and sentence at once: a word must not be a new
    # string at each occurrence (at 100k clauses that was ~0.9 GB of a 2.3 GB peak)
    first, again = tokenize(DOCS[0]), tokenize(DOCS[0] + DOCS[1])
    assert first == again[:len(first)]
    assert all(a is b for a, b in zip(first, again, strict=False))


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


def test_the_parsed_dictionary_is_kept_in_the_project_cache_folder(tmp_path) -> None:
    import os
    import subprocess
    import sys

    cache = tmp_path / "cache"
    code = "from index.tokenize import tokenize; print(tokenize('出口信用保险'))"
    env = {**os.environ, "POLICYQA_CACHE_DIR": str(cache), "TMPDIR": str(tmp_path / "no-such-tmp")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "出口" in done.stdout, done.stderr
    assert len(list(cache.glob("dictionary-*.pickle"))) == 1
    assert "Traceback" not in done.stderr and "Dump cache file failed" not in done.stderr
    # an unwritable cache folder: the dictionary is built elsewhere, the user sees no traceback
    locked = tmp_path / "locked"
    locked.write_text("a file where the folder should be")
    env["POLICYQA_CACHE_DIR"] = str(locked / "sub")
    env["TMPDIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_the_cached_dictionary_is_jiebas_own_with_the_policy_terms(tmp_path) -> None:
    import jieba

    from index.dictionary import load
    from index.tokenize import USER_DICT

    cached = load(USER_DICT, tmp_path)  # built and written
    again = load(USER_DICT, tmp_path)  # read back
    reference = jieba.Tokenizer()
    reference.tmp_dir = str(tmp_path)
    reference.initialize()
    reference.load_userdict(str(USER_DICT))
    assert again.frequencies == reference.FREQ == cached.frequencies
    assert again.total == reference.total
    assert "北京" in again.places and "政策" in again.nouns and "公里" in again.quantities
    assert "消费券" in again.nouns  # a policy term jieba does not know, tagged a noun by our dictionary


def test_a_changed_user_dictionary_or_a_broken_cache_file_rebuilds_it(tmp_path) -> None:
    from index.dictionary import load

    terms = tmp_path / "terms.txt"
    terms.write_text("甲乙丙丁戊 10 n\n", encoding="utf-8")
    assert load(terms, tmp_path).frequencies["甲乙丙丁戊"] == 10
    terms.write_text("甲乙丙丁戊 20 n\n", encoding="utf-8")
    assert load(terms, tmp_path).frequencies["甲乙丙丁戊"] == 20
    assert len(list(tmp_path.glob("dictionary-*.pickle"))) == 1  # the stale one removed
    next(tmp_path.glob("dictionary-*.pickle")).write_bytes(b"not a pickle")
    assert load(terms, tmp_path).frequencies["甲乙丙丁戊"] == 20


def test_tokenising_loads_neither_pkg_resources_nor_jiebas_marshal_cache(tmp_path) -> None:
    import os
    import subprocess
    import sys

    code = ("import sys, warnings; warnings.simplefilter('error')\n"
            "from index.tokenize import tokenize; tokenize('出口信用保险')\n"
            "print('pkg_resources' in sys.modules)")
    env = {**os.environ, "POLICYQA_CACHE_DIR": str(tmp_path)}
    for _ in range(2):  # building the cache, then reading it
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and done.stdout.strip() == "False", done.stderr
    assert not (tmp_path / "jieba.cache").exists()


def test_a_loaded_index_reads_its_score_matrix_from_disk(tmp_path) -> None:
    index = Bm25Index.build([tokenize("出口信用保险补助"), tokenize("专精特新企业奖励")])
    index.save(tmp_path)
    loaded = Bm25Index.load(tmp_path)
    assert isinstance(loaded._retriever.scores["data"], np.memmap)  # noqa: SLF001 - what mmap means
    assert loaded.search(tokenize_query("专精特新"), 2)[0].tolist() == [1]
