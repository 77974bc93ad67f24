// Prints LINES numbered lines, as a chatty program's log would, then its elapsed time on stderr.
const lines = Number(process.argv[2] ?? 200_000);
const started = performance.now();
for (let index = 0; index < lines; index += 1) console.log(`line ${index}: the quick brown fox jumps over the lazy dog`);
process.stderr.write(`ELAPSED ${((performance.now() - started) / 1000).toFixed(3)}\n`);
