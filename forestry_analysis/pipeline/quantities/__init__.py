"""Numbers, units and the metrics table: quantity mentions in the text."""
