"""Telegram bot: FAQ answers, blank form and dossier status for applicants; dossiers and alerts for staff."""
