"""People, courses and enrolments shared by every activity."""
