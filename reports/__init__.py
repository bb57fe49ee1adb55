"""Reports: from a request to figures to a file (text, docx, xlsx, charts), case papers, submitted reports."""
