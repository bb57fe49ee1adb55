"""Legal knowledge for mingbai, pure Python (no web, database or Redis imports).

Public API, imported from the submodules so that light users stay light:
- knowledge.retrieval: KnowledgeBase, SearchResult, Hit, get_knowledge_base
- knowledge.replies: format_answer, format_choices, format_fallback, format_statute
- knowledge.statutes: lookup, looks_like_statute_query, verify_citation
- knowledge.faq: Entry, load_entries, FaqError
- knowledge.evaluation: main (the `mingbai kb eval` command), run_eval, format_report
"""
