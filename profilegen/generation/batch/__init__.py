"""Generation through a provider's Batch API: its request shapes (`api`), the journaled submit and
collect cycle (`batcher`), what a batch cost (`cost`), and the run around them (`run`)."""
