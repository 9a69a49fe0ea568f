"""Peer review's services, one module per job. Each only reads and flushes; the
request commits.

* ``allocation``: "start next review" (``next_review``), read top-down in one
  place;
* ``pool``: the pool of submissions as the allocator sees it, and claiming one;
* ``batch``: batch allocation at a deadline (``allocate_all``);
* ``reviewing``: reviews once allocated: found, submitted, rated;
* ``submitting``: hand in and revise work (alone or as a group), running settings;
* ``rubric``: the rubric, its default and edits;
* ``roster``: learners and whose submission is whose (read only);
* ``quota``: k, leases and the reviews a learner owes, from the settings;
* ``reporting_lines``: manager/report pairs who must not review each other,
  cached per app;
* ``progress``: each learner's standing and completion;
* ``grading``: grades, overrides, publishing and the CSV export;
* ``calibrating``: example submissions, calibration tries and the gate before a
  learner's first review; ``self_assessing``: authors' self-assessments and the
  self-versus-peer gap (issue 20);
* ``errors``: ``PeerReviewError``.

Dependencies run one way: allocation, batch and reviewing use pool, roster, rubric,
quota and reporting_lines, never the reverse; progress and grading read the rest.
The older modules ``peer_review.reviews``, ``.submissions`` and ``.grading``
re-export these names for their importers.
"""
