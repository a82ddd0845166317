"""Shipped content: demo data (and, later, the indicator library and plan-cycle templates)."""
