# SPDX-License-Identifier: AGPL-3.0-or-later
"""Benchmarks: real gunicorn servers on loopback, figures printed as ratios to a hello-world app."""
