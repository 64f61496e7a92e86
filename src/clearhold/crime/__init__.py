"""Police recorded crime: ingest of data.police.uk files, the analytical store, summaries."""
