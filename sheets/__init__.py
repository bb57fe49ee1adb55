"""Spreadsheet files: reading and writing CSV/XLSX, the activity and screening ledgers, the roster import."""
