"""Pooling: a district's visits as pseudonymous, hive-partitioned Parquet for the province and
the nation (``tumbuh export_parquet``), and the pooled table a provincial instance loads them
into (``tumbuh import_parquet``). Data flow and legal basis: docs/deployment.md, "Pooling"."""
