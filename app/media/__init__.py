"""Processing of recorded media: remux, MP4 rendition, poster and transcript (being written)."""
