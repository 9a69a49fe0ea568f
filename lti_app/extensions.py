"""Flask extensions, created unbound; ``create_app`` binds them."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from lti_app.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
#: Rate limits on the unauthenticated endpoints (login, launch, registration);
#: per client address (``PROXY_FIX_HOPS`` makes that the real one behind a proxy),
#: counted in Redis when configured so every worker shares the counts.
limiter = Limiter(key_func=get_remote_address)
