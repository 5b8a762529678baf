"""Trained scorers that decide which rule candidates become extractions (issue 10)."""
