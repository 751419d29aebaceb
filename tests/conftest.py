"""Hypothesis profiles for the whole suite, chosen by the HYPOTHESIS_PROFILE environment variable.

    default   ~100 examples, random; for everyday local runs
    ci        derandomized (the same examples every run), 200 examples, no deadline; prints the
              reproduction blob of a failure
    thorough  2000 examples, random; for a long local run before a release

Test files add their own fixtures; keep this file to the profiles.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Examples write and load small YAML files: timing varies with the disk, so no deadline anywhere.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("default", max_examples=100, deadline=None, suppress_health_check=_SLOW_IS_FINE)
settings.register_profile("ci", derandomize=True, max_examples=200, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_IS_FINE)
settings.register_profile("thorough", max_examples=2000, deadline=None, suppress_health_check=_SLOW_IS_FINE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
