"""Processing of recorded media: remux, MP4 rendition, poster, transcript and captions."""
