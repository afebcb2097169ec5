"""The growth engine: WHO z-scores, survey prevalence and data quality.

A pure package: it never imports Django, so the same kernels serve a form, a bulk import,
DuckDB and Spark.
"""
