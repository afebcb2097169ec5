"""Running the growth engine on other engines (DuckDB, Spark)."""
