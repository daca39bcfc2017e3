"""Votes: opening a vote, ballots, results, closing it into a decision card."""
