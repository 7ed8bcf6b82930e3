"""Review at scale: `profilegen check` reads the profiles on disk and finds what an HR reviewer would reject."""
