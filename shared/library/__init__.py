"""The user's media library: signed uploads, server-side validation, listing, deletion."""
