"""clearhold: operations ledger, results reviews, crime analysis and ANPR back office."""

__version__ = "0.1.0"
