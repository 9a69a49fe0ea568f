"""Documents people upload, shared by every activity that takes files (peer-review
submissions, case-discussion attachments).

* ``uploads``: reading, checking (size, type, content), storing under a random
  key and finding or deleting a stored file; an activity describes its uploads
  once as an ``UploadKind``;
* ``metadata``: ``strip_metadata``, removing the author's identity from a file's
  metadata (or refusing it with ``DocumentError``), with one module per family
  of formats (``office``, ``pdf``, ``images``) and what they share (``common``).

Import from the package: ``from lti_app.peer_activities.documents import X``.
"""

from __future__ import annotations

from lti_app.peer_activities.documents.common import DocumentError
from lti_app.peer_activities.documents.metadata import SUPPORTED, strip_metadata
from lti_app.peer_activities.documents.uploads import UploadError, UploadKind, extension

__all__ = ["SUPPORTED", "DocumentError", "UploadError", "UploadKind", "extension", "strip_metadata"]
