"""The animation module: engagement metrics and alert rules computed from the event log.

Pure functions over plain records (``records``), read from the database by ``load``:

- ``responses``: time to first response (A), unanswered posts (A), newcomer reply rate (P, A),
  questions answered and answers per question (K);
- ``participation``: weekly/monthly active members (I), engaged per day (I), participation
  pyramid against 90-9-1 (I), Gini and bus factor with and without the animator (I, A),
  cohort retention by join month (P, I), weekday × hour heat map (A);
- ``practice``: practices tried (E), experiments started/finished (E), animator activity (A);
- ``members``: per-member profile, level with hysteresis, trend, usual rhythm, and members
  silent against their own habit (I);
- ``alerts``: the alert rules, their per-collective ``Thresholds`` and suggested actions;
- ``onboarding``: the first steps members took (P); ``health``: the health panel, indicators
  grouped by failure cause with thresholds, weekly series and suggested actions.

``records.METRIC_CAUSES`` maps each metric to its failure causes. Visits (``records.Visit``,
recorded debounced by ``animation.visits``) widen "active" to members who only read.
"""
