"""Reading and writing tables of text: encodings, delimiters, workbooks, header and column detection.

:func:`bertdesk.core.tables.reading.read_table` is the one way in; :mod:`~bertdesk.core.tables.writing`
the one way out (CSV, Excel, Parquet written safely). Nothing here knows about projects or models.
"""
