"""KPIs: file parsing, unit → file mapping, and per-position filtering."""
