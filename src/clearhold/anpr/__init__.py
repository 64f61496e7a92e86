"""ANPR back office: reads, hotlists, misread-tolerant matching, hits, audit, retention."""
