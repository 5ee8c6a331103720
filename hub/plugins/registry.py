"""The definitions in force: metrics, indicators and event kinds from plugins and the config."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.aggregation.expressions import indicator_problems
from hub.config.settings import Settings
from hub.model import EventKind, Indicator, Metric
from hub.plugins.definitions import (
    AlertRule,
    EventKindDefinition,
    IndicatorDefinition,
    MetricDefinition,
)
from hub.plugins.manager import Plugins

CONFIG_ORIGIN = "config"


@dataclass
class Definitions:
    """Every definition by code, with the plugin (or ``config``) that made it."""

    metrics: dict[str, tuple[str, MetricDefinition]] = field(default_factory=dict)
    indicators: dict[str, tuple[str, IndicatorDefinition]] = field(default_factory=dict)
    event_kinds: dict[str, tuple[str, EventKindDefinition]] = field(default_factory=dict)
    alert_rules: dict[str, tuple[str, AlertRule]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def gather(cls, plugins: Plugins, settings: Settings) -> Definitions:
        found = cls()
        for origin, metric in [*plugins.metrics(), *_config_metrics(settings)]:
            found._add(found.metrics, "metric", origin, metric)
        for origin, indicator in [*plugins.indicators(), *_config_indicators(settings)]:
            found._add(found.indicators, "indicator", origin, indicator)
        for origin, kind in plugins.event_kinds():
            found._add(found.event_kinds, "event kind", origin, kind)
        for code in found.indicators.keys() & found.metrics.keys():
            found.problems.append(f"{code!r} is both a metric and an indicator")
        found._check_event_metrics()
        found._check_indicators()
        for origin, rule in plugins.alert_rules():
            found._add(found.alert_rules, "alert rule", origin, rule)
        found._apply_config_alerts(settings)
        found._check_alert_rules()
        return found

    def _apply_config_alerts(self, settings: Settings) -> None:
        """``[alerts.<code>]`` tables: drop a default, or define a deployment's own rule."""
        for code, table in settings.alerts.items():
            if not table.enabled:
                self.alert_rules.pop(code, None)
                continue
            fields = table.model_dump(exclude={"enabled"})
            fields["name"] = fields["name"] or code
            self.alert_rules[code] = (CONFIG_ORIGIN, AlertRule(code=code, **fields))

    def _check_alert_rules(self) -> None:
        for code, (_, rule) in self.alert_rules.items():
            self.problems.extend(rule.problems())
            if rule.event_kind and rule.event_kind not in self.event_kinds:
                self.problems.append(f"alert rule {code!r}: no event kind {rule.event_kind!r}")
            if rule.metric and rule.metric not in self.metrics:
                self.problems.append(f"alert rule {code!r}: no metric {rule.metric!r}")

    def alert_rule_list(self) -> list[AlertRule]:
        return [rule for _, rule in self.alert_rules.values()]

    def event_kind_definitions(self) -> dict[str, EventKindDefinition]:
        return {code: definition for code, (_, definition) in self.event_kinds.items()}

    def _check_indicators(self) -> None:
        """Every indicator's numerator and denominator must be arithmetic over metrics."""
        self.problems.extend(
            indicator_problems(
                {
                    code: (definition.numerator, definition.denominator)
                    for code, (_, definition) in self.indicators.items()
                },
                {
                    code: definition.aggregation.value
                    for code, (_, definition) in self.metrics.items()
                },
            )
        )

    def _check_event_metrics(self) -> None:
        """Every metric an event kind counts must exist, aggregate, and carry its dims."""
        for code, (_, kind) in self.event_kinds.items():
            for counted in kind.metrics:
                metric = self.metrics.get(counted.metric)
                where = f"event kind {code!r} counts metric {counted.metric!r}"
                if metric is None:
                    self.problems.append(f"{where}, which no plugin or config defines")
                    continue
                missing = set(counted.dims) - set(metric[1].disaggregations)
                if missing:
                    self.problems.append(
                        f"{where} by {', '.join(sorted(missing))}, which the metric does not "
                        "declare as disaggregations"
                    )

    def _add(self, table: dict, what: str, origin: str, definition) -> None:  # type: ignore[type-arg]
        if definition.code in table and table[definition.code][0] != origin:
            other = table[definition.code][0]
            self.problems.append(f"{what} {definition.code!r} is defined by {other} and {origin}")
            return
        table[definition.code] = (origin, definition)

    def store(self, session: Session) -> None:
        """Mirror the definitions into their tables (insert new ones, update changed ones)."""
        metrics = {m.code: m for m in session.scalars(select(Metric))}
        for code, (origin, d) in self.metrics.items():
            row = metrics.get(code) or Metric(code=code)
            row.name, row.unit, row.sector = d.name, d.unit, d.sector
            row.aggregation, row.disaggregations = str(d.aggregation), list(d.disaggregations)
            row.carry_forward_months, row.description, row.origin = (
                d.carry_forward_months,
                d.description,
                origin,
            )
            row.levels_add_up = d.levels_add_up
            session.add(row)
        indicators = {i.code: i for i in session.scalars(select(Indicator))}
        for code, (origin, d) in self.indicators.items():
            row = indicators.get(code) or Indicator(code=code)
            row.name, row.numerator, row.denominator, row.factor = (
                d.name,
                d.numerator,
                d.denominator,
                d.factor,
            )
            row.sector, row.unit, row.description = d.sector, d.unit, d.description
            row.origin = origin
            session.add(row)
        kinds = {k.code: k for k in session.scalars(select(EventKind))}
        for code, (origin, d) in self.event_kinds.items():
            row = kinds.get(code) or EventKind(code=code)
            row.name, row.sector, row.origin = d.name, d.sector, origin
            session.add(row)


def _config_metrics(settings: Settings) -> list[tuple[str, MetricDefinition]]:
    return [
        (
            CONFIG_ORIGIN,
            MetricDefinition(
                code=code,
                name=m.name,
                sector=m.sector,
                aggregation=m.aggregation,
                unit=m.unit,
                disaggregations=tuple(m.disaggregations),
                carry_forward_months=m.carry_forward_months,
                description=m.description,
                levels_add_up=m.levels_add_up,
                name_vi=m.name_vi,
            ),
        )
        for code, m in settings.metrics.items()
    ]


def _config_indicators(settings: Settings) -> list[tuple[str, IndicatorDefinition]]:
    return [
        (
            CONFIG_ORIGIN,
            IndicatorDefinition(
                code=code,
                name=i.name,
                numerator=i.numerator,
                denominator=i.denominator,
                factor=i.factor,
                sector=i.sector,
                unit=i.unit,
                description=i.description,
                name_vi=i.name_vi,
            ),
        )
        for code, i in settings.indicators.items()
    ]
