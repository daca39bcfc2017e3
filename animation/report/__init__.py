"""The report for funders: ``data`` computes it (also the ``format=json`` answer), ``csv`` and
``html`` render it (``charts`` draws the page's SVG, ``french`` words its dates and figures),
``templates/`` holds the page."""

from __future__ import annotations

from animation.report.csv import csv_filename, report_csv
from animation.report.data import FORMATS, report_data
from animation.report.html import report_html

__all__ = ["FORMATS", "csv_filename", "report_csv", "report_data", "report_html"]
