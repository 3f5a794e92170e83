# SPDX-License-Identifier: AGPL-3.0-or-later
"""Candidate data retention: each organization's policy and the nightly job that applies it."""
