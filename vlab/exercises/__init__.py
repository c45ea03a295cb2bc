"""Checker exercises of the labs: each module holds one lab's check functions (pure) and the widget factory."""
