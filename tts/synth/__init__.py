"""The synthesis stage: concurrent, polite, cached calls to an engine, and word timings."""
