// V8 settings a Cairn process applies to itself from the environment, before it loads anything
// (imported first by bin/cairn.js; the daemon-automation benchmark imports it the same way).
// CAIRN_OPTIMIZE_FOR_SIZE=1: V8's --optimize-for-size, so V8 collects sooner: a daemon holding
// ~1,000,000 partitions peaks ~280 MB resident instead of ~310-410 MB, at a cost in throughput
// (see docs/daemon/automation.md). Node refuses the flag in NODE_OPTIONS, hence this switch.
import { setFlagsFromString } from 'node:v8';

if (process.env.CAIRN_OPTIMIZE_FOR_SIZE === '1') setFlagsFromString('--optimize-for-size');
