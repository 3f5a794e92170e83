# SPDX-License-Identifier: AGPL-3.0-or-later
"""What we hold about a candidate as a person: access to it (export) and its erasure."""
