"""AI stills and clips for the media library: the chains, their requests, and where they run."""
