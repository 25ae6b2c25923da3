// Cross-checks a run's leakage report with DuckDB: the run's experiment
// reads a training and a test CSV (data.table with separate test files),
// and the counts the harness wrote into metrics.parquet (model leakage)
// must equal the ones SQL computes from the two files over the mapped
// feature columns: duplicates within each file, test rows equal to a
// training row, and feature vectors carrying more than one label.
//
// Usage: node check_leakage.mjs RUNDIR TRAIN.csv TEST.csv LABEL COLUMN...
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';

const [runDir, train, test, label, ...cols] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const rows = async (sql) => (await c.runAndReadAll(sql)).getRowObjects();
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const id = (s) => `"${s.replaceAll('"', '""')}"`;
const key = cols.map(id).join(', ');

await c.run(`CREATE TABLE tr AS SELECT * FROM read_csv(${q(train)}, header = true)`);
await c.run(`CREATE TABLE te AS SELECT * FROM read_csv(${q(test)}, header = true)`);
const [want] = await rows(`SELECT
  (SELECT count(*) FROM tr) - (SELECT count(*) FROM (SELECT DISTINCT ${key} FROM tr)) AS train_duplicates,
  (SELECT count(*) FROM te) - (SELECT count(*) FROM (SELECT DISTINCT ${key} FROM te)) AS test_duplicates,
  (SELECT count(*) FROM te SEMI JOIN (SELECT DISTINCT ${key} FROM tr) USING (${key})) AS cross_split_duplicates,
  (SELECT count(*) FROM (SELECT ${key} FROM (SELECT * FROM tr UNION ALL SELECT * FROM te)
     GROUP BY ${key} HAVING count(DISTINCT ${id(label)}) > 1)) AS conflicting_vectors`);

const metrics = join(runDir, 'trials', '**', 'metrics.parquet');
const got = await rows(`SELECT trial, metric, value FROM read_parquet(${q(metrics)}, hive_partitioning = false)
  WHERE model = 'leakage' AND metric IN ('train_duplicates', 'test_duplicates', 'cross_split_duplicates', 'conflicting_vectors')`);
let failures = 0;
if (got.length === 0) {
  console.error('FAIL: no leakage rows in ' + metrics);
  failures++;
}
for (const r of got) {
  if (Number(want[r.metric]) !== r.value) {
    console.error(`FAIL: trial ${r.trial}: ${r.metric} ${r.value}, DuckDB counts ${want[r.metric]} from the files`);
    failures++;
  }
}
if (failures > 0) process.exit(1);
console.log(`leakage: ${got.length} figures of ${runDir} equal DuckDB's counts from the files (${JSON.stringify(want, (k, v) => typeof v === 'bigint' ? Number(v) : v)})`);
