"""The read side: statistics, case lists, coverage, screening, mediation-table and points figures."""
