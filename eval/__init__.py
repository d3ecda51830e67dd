"""eval: the evaluation set, the scorer, benchmarks and reports."""
