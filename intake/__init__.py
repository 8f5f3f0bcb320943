"""Files people bring in, read and checked before anything is written: the unit list (CSV or Excel) and the
offline Excel form. Parsing lives here; the writing is the store's (``storage``), which this package calls."""
