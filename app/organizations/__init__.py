# SPDX-License-Identifier: AGPL-3.0-or-later
"""Organizations: creation, branding and the rules of their public slug."""
