"""The stages that turn a report's text into tables: meta, outline, tasks, quantities, statistics tables, relations, completion, quality."""
