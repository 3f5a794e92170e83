"""Benchmarks: real gunicorn servers on loopback, figures printed as ratios to a hello-world app."""
