"""Engines other than this process for the growth engine's commands (``tumbuh zscore|prevalence --engine ...``)."""
