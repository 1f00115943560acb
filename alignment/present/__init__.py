"""Presenters: exports (CSV, Excel, CASE), reports and charts, the command line and the
Voila server."""
