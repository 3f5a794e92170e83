"""What we hold about a candidate as a person: access to it (export) and its erasure."""
