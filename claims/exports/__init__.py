"""What other software reads: CSV columns, citation formats, and releases."""
