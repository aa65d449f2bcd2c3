"""Packet layer: printed forms, letters, cover sheets (reportlab) and merging. No Qt."""
