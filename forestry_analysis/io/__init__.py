"""Reading files: file → report text (one reader per format, limits for untrusted files)."""
