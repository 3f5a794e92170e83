"""Organizations: creation, branding and the rules of their public slug."""
