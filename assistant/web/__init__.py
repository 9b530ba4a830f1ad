"""The staff dashboard (``assistant web``): dossiers, reminders, quarantined mail, FAQ growth, jury export."""
