"""The reporting information system: digitised report forms, filled in, rolled up, approved.

The modules, each with one job:

- :mod:`~hub.reports.template` — a form: rows, columns, cells and their kinds, period, deadlines;
- :mod:`~hub.reports.checks` — what a form must satisfy (formulas, references, cycles, deadlines);
- :mod:`~hub.reports.engine` — Excel formulas through the ``formulas`` engine, with PREV,
  LASTYEAR and YTD; :mod:`~hub.reports.excel_math` — numbers rounded, compared and written
  as Excel does (15 significant digits); :mod:`~hub.reports.graph` — their dependencies and
  order;
  :mod:`~hub.reports.sheet` — computing every cell of a form;
- :mod:`~hub.reports.schedule` — periods around a report, opening days, working-day deadlines;
  :mod:`~hub.reports.holidays` — Vietnam's public holidays of any year (python-holidays);
- :mod:`~hub.reports.rollup`, :mod:`~hub.reports.metric_cells` — values from lower units'
  reports and from metrics; :mod:`~hub.reports.predecessors` — other periods' values across
  the 2025 reform, from the units a new one was made of; :mod:`~hub.reports.assemble` — a
  report put together;
- :mod:`~hub.reports.workflow` — save, submit, approve, return, reopen, and the history;
  :mod:`~hub.reports.principal` — who may do what;
- :mod:`~hub.reports.timeliness`, :mod:`~hub.reports.compliance` — on time, late, missing;
  the on-time rate as a metric (:mod:`~hub.reports.definitions`), kept current by the
  scheduler's daily job (:mod:`~hub.reports.publishing`);
- :mod:`~hub.reports.excel_import`, :mod:`~hub.reports.excel_export` — workbooks in and out;
  :mod:`~hub.reports.versions` — a form's versions and what an import would change;
  :mod:`~hub.reports.filled_workbook` — a report filled in Excel, uploaded;
  :mod:`~hub.reports.http` — their HTTP endpoints;
- :mod:`~hub.reports.cells` — addresses and values; :mod:`~hub.reports.errors` — what goes
  wrong; :mod:`~hub.reports.clock` — the time;
- :mod:`~hub.reports.store` — forms and reports in the database, and the shipped forms
  (``forms/*.json``); :mod:`~hub.reports.demo` — demo reports for ``iochub demo``.

docs/reports.md explains the whole for users and integrators.
"""
