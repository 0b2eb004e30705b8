"""`make bench`: national-scale performance measurements (see bench/README.md)."""
