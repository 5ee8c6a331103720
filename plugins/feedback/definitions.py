"""What the feedback plugin brings to the hub's model: the case event kind, its metrics and the
indicators over them (:mod:`.case_metrics`), and the default alert rules (:mod:`.alert_rules`).
"""

from __future__ import annotations

from .alert_rules import ALERT_RULES
from .case_metrics import CASE_KIND, INDICATORS, METRICS

__all__ = ["ALERT_RULES", "CASE_KIND", "INDICATORS", "METRICS"]
