"""How helpers word their work: numerals, counts and dates, and reports in their own words (pure, no database)."""
