"""The animation module: engagement metrics, alerts and the animator's tools, computed from
the event log (DESIGN.md, "Animation module").

Two halves, one folder (flat, like the rest of the tree: a module per concept).

The metrics are pure functions over plain records, with no database and no I/O, so they are
tested directly and run in a worker thread (``tests/animation/test_pure.py`` keeps them so):

- ``records``: the inputs (activities, members, boards, visits, periods) and
  ``METRIC_CAUSES``, which maps each metric to the failure causes it diagnoses;
- ``levels``: the contribution floors of the member levels and the participation pyramid;
- ``responses``: time to first response (A), unanswered posts (A), newcomer reply rate (P, A),
  questions answered and answers per question (K);
- ``participation``: weekly/monthly active members (I), engaged per day (I), participation
  pyramid against 90-9-1 (I), Gini and bus factor with and without the animator (I, A),
  cohort retention by join month (P, I), weekday × hour heat map (A);
- ``practice``: practices tried (E), experiments started/finished (E), animator activity (A);
- ``members``: per-member profile, trend, usual rhythm, and members silent against their own
  habit (I);
- ``onboarding``: the first steps members took (P);
- ``alerts``: the alert rules, their per-collective ``Thresholds`` and suggested actions;
- ``health``: the health panel, indicators grouped by failure cause with thresholds, weekly
  series and suggested actions.

The server-facing half reads and writes through ``server.core`` and ``server.domain`` (never
the HTTP layer) and serves the ``/collectives/{id}/…`` animation endpoints:

- ``load``: reads a collective's records from the database;
- ``periods``: the ``from``/``to`` query period; ``engagement``: the figures and member rows;
- ``alert_feed``: the alerts evaluated now, in French; ``thresholds``: what an animator tunes
  (thresholds, nudge template); ``nudges``: the one-click actions (nudge, welcome, prompt);
- ``visits``: visits recorded, debounced; ``digest``: the weekly email to idle members;
- ``report/``: the report for funders (``data``, rendered by ``csv`` and ``html``).
"""
