"""What the journal's actions do (each module flushes, never commits): ``entries``
(prompted entries, tags, sharing), ``plans`` (action plan items and their status
history), ``schedule`` (check-ins anchored on completion, reminders and the
periodic sweep), ``checkins`` (answers), ``observations`` (a mentor or named
manager confirms an observed application), ``privacy`` (export and deletion of a
learner's own data)."""
