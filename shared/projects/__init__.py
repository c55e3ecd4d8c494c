"""Drafts ("projects"): the editor's saved work, one Firestore document per draft."""
