"""In and out: ACLED exports in (acled), TimelineJS and spreadsheet-safe CSV out (export)."""
