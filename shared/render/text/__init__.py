"""On-screen text: captions, fonts and their fallbacks, layout in the safe area, drawn sprites."""
