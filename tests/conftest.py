"""Test-run settings: keep the corpus cache out of the user's home folder."""
import os
import tempfile

os.environ.setdefault("FORESTRY_CACHE_DIR", tempfile.mkdtemp(prefix="forestry-test-cache-"))
