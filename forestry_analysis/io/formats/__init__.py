"""One reader per file format, each turning a file's bytes into report text.

Every reader renders a table as pipe rows (see ``pipes``) and checks the limits
in ``limits`` before parsing, so a hostile file is refused instead of expanded.
"""
