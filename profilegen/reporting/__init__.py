"""The review page: `profilegen report` writes one self-contained HTML file to read and approve profiles in."""
