"""Koordinat: the core, which knows no chat platform."""
