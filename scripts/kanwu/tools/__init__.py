"""Around the pipeline: the synthetic archive (benchmarks), search recall measurement, the
README's generated tables."""
