"""The criteria interview: a QWizard whose question pages are built from the interview data."""
