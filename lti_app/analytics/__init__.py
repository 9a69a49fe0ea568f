"""Learning gain and L&D analytics: objectives and pre/post checks on any activity,
mastery and gain scores for the gradebook, the feedback survey, the programme
dashboard, exports, the sponsor report and xAPI statements.

This package sits above the activities (it reads what they record) and below
launch; activities never import it. Its pieces reach the activity page through
template hooks (``analytics_*`` context processors), not imports.
"""
