"""Spreadsheet imports that lose nothing.

A kind of import is an :class:`~tumbuh.imports.framework.Importer` subclass (columns,
per-row validation, chunked writes) registered under a slug. ``run_import`` streams the
file, keeps every rejected row with its reason in ``ImportRow``, and writes the batch in one
transaction. Apps declare their importers in an ``importers`` module, found at start-up.
"""
