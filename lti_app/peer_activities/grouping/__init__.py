"""People and groups for the group activities (role-play, case discussion): the
intake survey, the group agreement, and rounds of groups formed by the matching
engine (lti_app.domain.matching). Shared by those activities; it imports none of them.

Layout: ``models``; services ``intake``, ``agreement``, ``reporting_lines``,
``cohort`` (the engine's input), ``rounds``; ``panel`` (what the activity page
shows); ``views`` (blueprint ``grouping``); ``cli``.
"""
