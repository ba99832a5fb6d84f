"""Progress reports."""
