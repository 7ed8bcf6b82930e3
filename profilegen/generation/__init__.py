"""Profile generation: schema, position context, prompt, providers and the engine that runs them."""
