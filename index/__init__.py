"""index: embedding, the FAISS store, the jieba BM25 index, hybrid retrieval and filters."""
