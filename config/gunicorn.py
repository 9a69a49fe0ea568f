"""gunicorn settings for the Procfile's web process."""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("PEERLIFT_THREADS", "1"))
accesslog = "-"
errorlog = "-"
timeout = 30
