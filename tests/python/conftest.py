"""Shared pytest set-up: Hypothesis profiles sized for `make test` on two cores."""
from hypothesis import HealthCheck, settings

settings.register_profile(
    "minitorch", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=50
)
settings.load_profile("minitorch")
