/**
 * Node flags of worker processes (the launcher's, the benchmarks'). V8 sizes its young generation
 * from the machine's memory: on 24 GB it lets 3 × 64 MB of short-lived garbage pile up before a
 * scavenge, so a worker importing drizzle alone sits at 240 MB resident with 6 MB live. Capping
 * the semi-space at 16 MB keeps a sync's resident memory close to what it holds, at no measured
 * cost in speed (bench `sync-bulk`, 10,000 products: peak RSS 321 MB → 206 MB, writing 8.2 s → 7.7 s).
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=16'];
