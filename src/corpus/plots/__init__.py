"""Plotly figures shared by notebooks and reports: functions that take fitted results.

One module per area (``corpus``, ``extraction``, ``actors``, ``topics``); labels in French.
"""
