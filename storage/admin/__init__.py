"""Administration: announcements and the mail that carries them, the first-run checklist, backups and restores,
moving a store between engines, and the demo department."""
