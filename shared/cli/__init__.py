"""The ``createstudio`` command line."""
