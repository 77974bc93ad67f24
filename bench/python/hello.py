"""Start-up cost: a hello-world, timed from outside (bench/probe.ts)."""
print("hello")
