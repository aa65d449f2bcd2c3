"""On-disk formats, one reader per released version behind a dispatching function and one
writer (the current version). See docs/storage-format.md."""
