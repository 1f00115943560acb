"""Files in and out: errors that name file, row and problem; reading with size limits;
the one CSV/Excel writer; atomic writes. Imports nothing else from the package."""
