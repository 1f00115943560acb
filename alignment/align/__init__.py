"""Course-to-standard alignment: the ``Aligner`` (fit on standards, suggest for courses),
confidence bands, and the engines that run it over big catalogs (chunked, Dask)."""
