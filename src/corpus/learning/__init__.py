"""The correction loop: review sheets, corrections, adapted scorers (issue 10)."""
