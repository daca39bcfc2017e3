"""The collective's practice guide: its capitalised practices and decisions, as PDF, ODT and
an open-data bundle."""
