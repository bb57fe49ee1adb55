"""Domain services: the rules every door (chat, API, console, import) writes through."""
