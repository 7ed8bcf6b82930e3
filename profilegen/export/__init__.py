"""Writing profiles: safe output paths, atomic files, and one renderer per format."""
