"""The demo organisation: a deterministic Korean company for trying tierdesk and for
benchmarks. Not a bounded context of its own; it only calls the other apps."""
