"""Infrastructure every area shares; nothing domain-specific lives here."""
