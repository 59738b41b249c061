// Preloaded into every node process of a benchmark run (NODE_OPTIONS=--require): records the
// process's peak resident set size, in kilobytes, one line per process.
const fs = require('fs');

process.on('exit', () => {
  if (process.env.WEAVE_MESH_BENCH_RSS) fs.appendFileSync(process.env.WEAVE_MESH_BENCH_RSS, `${process.resourceUsage().maxRSS}\n`);
});
