"""Prints LINES numbered lines, as a chatty program's log would, then its elapsed time on stderr."""
import sys
import time

started = time.perf_counter()
for index in range(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000):
    print("line %d: the quick brown fox jumps over the lazy dog" % index)
sys.stdout.flush()
sys.stderr.write("ELAPSED %.3f\n" % (time.perf_counter() - started))
