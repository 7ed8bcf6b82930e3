"""The command line: parses options, calls the pipeline, renders results. Nothing else."""
