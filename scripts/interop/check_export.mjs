// Reads harness export's hive-partitioned tables with DuckDB and checks
// them against the runs they came from: every metric row and prediction is
// there, experiment and trial come back from the paths (escaped trial IDs
// unescaped), and a filter on trial reads one file (partition pruning).
//
// Usage: node check_export.mjs EXPORT_DIR RUNDIR...
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [exportDir, ...runDirs] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const rows = async (sql) => (await c.runAndReadAll(sql)).getRowObjects();
const q = (s) => s.replaceAll("'", "''");
let failures = 0;
const check = (ok, msg) => { if (!ok) { failures++; console.error('FAIL: ' + msg); } };

const metrics = `read_parquet('${q(exportDir)}/metrics/*/*/*.parquet', hive_partitioning = true, union_by_name = true)`;
const preds = `read_parquet('${q(exportDir)}/predictions/*/*/*.parquet', hive_partitioning = true)`;
let files = 0;
for (const runDir of runDirs) {
  const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
  const e = q(manifest.experiment);
  const tidy = `read_parquet('${q(join(runDir, 'metrics.parquet'))}', hive_partitioning = false)`;
  // Every row of the run's metrics.parquet, by (trial, model, metric), once.
  const [m] = await rows(`SELECT
      (SELECT count(*) FROM ${tidy})::INT tidy,
      (SELECT count(*) FROM ${metrics} WHERE experiment = '${e}')::INT exported,
      (SELECT count(*) FROM ${tidy} t JOIN ${metrics} x ON x.experiment = t.experiment AND x.trial = t.trial
         AND x.model = t.model AND x.metric = t.metric AND x.seed = t.seed
         AND (x.value = t.value OR (isnan(x.value) AND isnan(t.value))))::INT joined`);
  check(m.tidy > 0 && m.tidy === m.exported && m.tidy === m.joined,
    `${manifest.experiment}: metrics.parquet ${m.tidy} rows, exported ${m.exported}, matching ${m.joined}`);
  for (const trial of manifest.trials) {
    const id = q(trial.id);
    if (trial.artifacts['predictions.parquet']) {
      const [p] = await rows(`SELECT
          (SELECT count(*) FROM read_parquet('${q(join(runDir, 'trials', trial.id, 'predictions.parquet'))}', hive_partitioning = false))::INT in_trial,
          (SELECT count(*) FROM ${preds} WHERE experiment = '${e}' AND trial = '${id}')::INT exported`);
      check(p.in_trial === p.exported, `${trial.id}: ${p.in_trial} predictions, ${p.exported} exported`);
    }
    // A filter on the partition columns reads one file of the many.
    const [plan] = await rows(`EXPLAIN ANALYZE SELECT model, metric, value FROM ${metrics} WHERE experiment = '${e}' AND trial = '${id}'`);
    const scanned = /Scanning Files: (\d+)\/(\d+)/.exec(plan.explain_value);
    check(scanned && scanned[1] === '1' && Number(scanned[2]) > 1, `${trial.id}: the filter scanned ${scanned ? scanned[0] : 'no file count'}, want 1 of the files`);
    files++;
  }
}
if (failures > 0) { console.error(`${failures} failures`); process.exit(1); }
console.log(`export: ${files} trials' partitions match their runs; a filter on trial reads one file`);
