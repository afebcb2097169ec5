"""Running the growth engine on other engines (DuckDB, Spark): ``tumbuh zscore|prevalence --engine ...``."""
