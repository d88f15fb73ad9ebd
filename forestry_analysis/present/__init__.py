"""What analysts see: charts, the briefing pack, highlighted text, exploration helpers."""
