"""Russian word forms (the OpenCorpora dictionary), below every package that compares names and titles."""
