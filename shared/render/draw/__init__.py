"""The in-process renderer: frames drawn in numpy (Ken Burns windows, blends, fitted photos)."""
