"""What the fault tests and the fault benchmarks both drive: a real ``soulmark serve`` under join
load, SIGKILLs, seal races and the checks after them.  It lives with the tests; ``bench/`` imports
it and nothing here imports ``bench/``."""
