# SPDX-License-Identifier: AGPL-3.0-or-later
"""Infrastructure every area shares; nothing domain-specific lives here."""
