# SPDX-License-Identifier: AGPL-3.0-or-later
"""Processing of recorded media: remux, MP4 rendition, poster, transcript and captions."""
