"""Gradebook: line items, the score outbox, and delivery to the LMS (AGS)."""
