"""Trained scorers: the rules propose candidates, these models decide (issue 10)."""
