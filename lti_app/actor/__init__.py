"""Who is making this request: the signed session token a launch issues (``session``),
the :class:`~lti_app.actor.session.Actor` it loads on every request, and the role
checks views declare with ``require_actor``. Request-time code shared by every
blueprint; it builds on ``courses`` (people, enrolments) and ``lms`` (platforms)."""
