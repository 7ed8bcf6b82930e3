"""Who writes a profile: the provider protocol (`base`), the offline drafter (`offline`), any
OpenAI-compatible server (`openai_compatible`, with `retry`), and the choice among them (`choice`)."""
