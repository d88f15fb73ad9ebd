"""One report: the ``Report`` object, its normalised text with offsets, the table schema."""
