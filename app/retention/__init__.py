"""Candidate data retention: each organization's policy and the nightly job that applies it."""
