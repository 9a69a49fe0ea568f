"""Give the benchmark's resource links configured activities, as deep linking would have.

Run by ``bench/launch`` after ``flask db upgrade`` and ``flask platforms add``, with the
tool's environment: ``python -m bench.seed --issuer … --links 20``. Without it every
link would be an unconfigured activity (created by its first launch), which is not
what a course's learners usually open.
"""

from __future__ import annotations

import argparse
import sys

from bench.platform_server import CLIENT_ID, DEPLOYMENT_ID, link_id, link_title


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--links", type=int, default=20)
    args = parser.parse_args(argv)

    from lti_app import create_app
    from lti_app.extensions import db
    from lti_app.lms import registry
    from lti_app.peer_activities import registry as types
    from lti_app.peer_activities import services

    app = create_app()
    with app.app_context():
        reg = registry.find_registration(args.issuer, CLIENT_ID)
        dep = registry.find_deployment(reg, DEPLOYMENT_ID) if reg else None
        if reg is None or dep is None:
            print(
                f"seed: no registration {args.issuer} / {CLIENT_ID} / {DEPLOYMENT_ID}",
                file=sys.stderr,
            )
            return 1
        kinds = types.all_types()
        for j in range(args.links):
            kind = kinds[j % len(kinds)]
            activity = services.create_activity(
                reg,
                dep,
                None,
                activity_type=kind.key,
                title=link_title(j),
                description="Seeded by the launch benchmark.",
                settings={},
            )
            activity.resource_link_id = link_id(j)
        db.session.commit()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
