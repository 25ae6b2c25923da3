// Reads a dataset.parquet with DuckDB and checks it against the documented
// schema and the run's manifest: column names and types, row and label
// counts, and the engineered features recomputed in SQL.
//
// Usage: node check.mjs RUNDIR SCHEMA_FILE
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [runDir, schemaFile] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
const want = readFileSync(schemaFile, 'utf8').split('\n')
  .filter(l => l.trim() && !l.startsWith('#'))
  .map(l => l.trim().split(/\s+/));

const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const rows = async (sql) => (await c.runAndReadAll(sql)).getRowObjects();
let failures = 0;
const check = (ok, msg) => { if (!ok) { failures++; console.error('FAIL: ' + msg); } };

for (const trial of manifest.trials) {
  const file = join(runDir, 'trials', trial.id, 'dataset.parquet').replaceAll("'", "''");
  const src = `read_parquet('${file}', hive_partitioning = false)`;
  const cols = await rows(`DESCRIBE SELECT * FROM ${src}`);
  const got = cols.map(r => [r.column_name, r.column_type]);
  check(got.length === want.length, `${trial.id}: ${got.length} columns, want ${want.length}`);
  want.forEach(([name, type], i) => {
    check(got[i] && got[i][0] === name && got[i][1] === type,
      `${trial.id}: column ${i} is ${got[i]}, want ${name} ${type}`);
  });
  const [counts] = await rows(`SELECT count(*)::INT n, count(*) FILTER (is_anomaly)::INT anomalies,
      count(*) FILTER (split = 'train')::INT train, count(*) FILTER (split = 'test')::INT test,
      count(DISTINCT flow_id)::INT ids, min(flow_id)::INT lo, max(flow_id)::INT hi FROM ${src}`);
  const d = trial.data;
  check(counts.n === d.flows, `${trial.id}: ${counts.n} rows, manifest says ${d.flows}`);
  check(counts.anomalies === d.anomalies, `${trial.id}: ${counts.anomalies} anomalies, manifest says ${d.anomalies}`);
  check(counts.train === d.train && counts.test === d.test, `${trial.id}: split ${counts.train}/${counts.test}, manifest says ${d.train}/${d.test}`);
  check(counts.ids === d.flows && counts.lo === 0 && counts.hi === d.flows - 1, `${trial.id}: flow_id is not 0..n-1`);
  for (const t of await rows(`SELECT anomaly_type, count(*)::INT n FROM ${src} WHERE is_anomaly GROUP BY 1`)) {
    check(d.by_type[t.anomaly_type] === t.n, `${trial.id}: ${t.n} ${t.anomaly_type}, manifest says ${d.by_type[t.anomaly_type]}`);
  }
  // The notebook's engineered features, recomputed by DuckDB.
  const [bad] = await rows(`SELECT
      count(*) FILTER (abs(bytes_per_second - bytes_sent / (duration + 1)) > 1e-9 * (1 + abs(bytes_per_second)))::INT bps,
      count(*) FILTER (abs(packets_per_second - packets_sent / (duration + 1)) > 1e-9 * (1 + abs(packets_per_second)))::INT pps,
      count(*) FILTER (high_cpu != (cpu_usage > 70)::INT)::INT high_cpu,
      count(*) FILTER (long_duration != (duration > 3600)::INT)::INT long_duration,
      count(*) FILTER (many_ports != (ports_contacted > 5)::INT)::INT many_ports,
      count(*) FILTER (off_hours != (NOT is_business_hours)::INT)::INT off_hours,
      count(*) FILTER (abs(risk_score - (high_cpu * 0.3 + long_duration * 0.2 + many_ports * 0.25 + off_hours * 0.1 + cross_dept::INT * 0.15)) > 1e-12)::INT risk,
      count(*) FILTER (abs(log_bytes - log10(bytes_sent + 1)) > 1e-12)::INT log_bytes,
      count(*) FILTER (abs(log_duration - log10(duration + 1)) > 1e-12)::INT log_duration
    FROM ${src}`);
  for (const [k, v] of Object.entries(bad)) check(v === 0, `${trial.id}: ${v} rows where ${k} disagrees with its formula`);
  console.log(`${trial.id}: ${counts.n} rows, ${got.length} columns, counts and engineered features agree`);

  // The model stage: every figure of metrics.parquet that predictions.parquet
  // determines, recomputed by DuckDB from the per-flow predictions.
  if (!trial.artifacts['predictions.parquet']) continue;
  const dir = join(runDir, 'trials', trial.id).replaceAll("'", "''");
  const preds = `read_parquet('${dir}/predictions.parquet', hive_partitioning = false)`;
  const metrics = `read_parquet('${dir}/metrics.parquet', hive_partitioning = false)`;
  const recomputed = await rows(`
    SELECT model, 'detection_rate' metric, avg((predicted = 'anomaly')::DOUBLE) FILTER (actual = 'anomaly') v
      FROM ${preds} WHERE actual IN ('anomaly', 'normal') GROUP BY model
    UNION ALL SELECT model, 'recall', avg((predicted = 'anomaly')::DOUBLE) FILTER (actual = 'anomaly')
      FROM ${preds} WHERE actual IN ('anomaly', 'normal') GROUP BY model
    UNION ALL SELECT model, 'precision', avg((actual = 'anomaly')::DOUBLE) FILTER (predicted = 'anomaly')
      FROM ${preds} WHERE actual IN ('anomaly', 'normal') GROUP BY model
    UNION ALL SELECT model, 'false_positive_rate', avg((predicted = 'anomaly')::DOUBLE) FILTER (actual = 'normal')
      FROM ${preds} WHERE actual IN ('anomaly', 'normal') GROUP BY model
    UNION ALL SELECT model, 'detection_rate_' || anomaly_type, avg((predicted = 'anomaly')::DOUBLE)
      FROM ${preds} WHERE actual = 'anomaly' GROUP BY model, anomaly_type
    UNION ALL SELECT model, 'accuracy', avg((predicted = actual)::DOUBLE) FROM ${preds} WHERE actual IS NOT NULL GROUP BY model
    UNION ALL SELECT model, 'noise_fraction', avg((predicted = '-1')::DOUBLE) FROM ${preds} WHERE actual IS NULL GROUP BY model
    UNION ALL SELECT model, 'n_clusters', count(DISTINCT predicted) FILTER (predicted != '-1') FROM ${preds} WHERE actual IS NULL GROUP BY model`);
  const stored = new Map((await rows(`SELECT model, metric, value FROM ${metrics}`)).map(r => [r.model + '/' + r.metric, r.value]));
  let compared = 0;
  for (const r of recomputed) {
    const v = stored.get(r.model + '/' + r.metric);
    if (v === undefined || r.v === null) continue;
    compared++;
    check(Math.abs(Number(r.v) - v) <= 1e-12, `${trial.id}: ${r.model} ${r.metric} is ${v} in metrics.parquet, ${r.v} from predictions.parquet`);
  }
  // roc_auc: the trapezoidal area under the trial's ROC points.
  const curves = `read_parquet('${dir}/curves.parquet', hive_partitioning = false)`;
  for (const r of await rows(`SELECT model, sum((x - px) * (y + py) / 2) auc FROM (
      SELECT model, x, y, lag(x) OVER w px, lag(y) OVER w py FROM ${curves} WHERE curve = 'roc'
      WINDOW w AS (PARTITION BY model ORDER BY x, y)) WHERE px IS NOT NULL GROUP BY model`)) {
    const v = stored.get(r.model + '/roc_auc');
    compared++;
    check(v !== undefined && Math.abs(Number(r.auc) - v) <= 1e-12, `${trial.id}: ${r.model} roc_auc is ${v} in metrics.parquet, ${r.auc} from curves.parquet`);
  }
  // pr_auc: average precision, -sum((R[i+1] - R[i]) * P[i]) in scikit-learn's
  // order (thresholds ascending, the threshold-less point last).
  for (const r of await rows(`SELECT model, -sum((nx - x) * y) ap FROM (
      SELECT model, x, y, lead(x) OVER w nx FROM ${curves} WHERE curve = 'pr'
      WINDOW w AS (PARTITION BY model ORDER BY threshold)) WHERE nx IS NOT NULL GROUP BY model`)) {
    const v = stored.get(r.model + '/pr_auc');
    compared++;
    check(v !== undefined && Math.abs(Number(r.ap) - v) <= 1e-12, `${trial.id}: ${r.model} pr_auc is ${v} in metrics.parquet, ${r.ap} from curves.parquet`);
  }
  const [sizes] = await rows(`SELECT count(*) FILTER (split = 'test' AND actual IS NOT NULL)::INT scored,
      count(DISTINCT model) FILTER (actual IS NOT NULL)::INT supervised FROM ${preds}`);
  check(sizes.scored === sizes.supervised * d.test, `${trial.id}: ${sizes.scored} test predictions for ${sizes.supervised} models and ${d.test} test flows`);
  const [{ n: predictions }] = await rows(`SELECT count(*)::INT n FROM ${preds}`);
  check(compared > 0 || predictions === 0, `${trial.id}: no metric could be recomputed from predictions.parquet`);
  console.log(`${trial.id}: ${compared} metrics recomputed from predictions.parquet and curves.parquet agree`);
}
// The run's metrics.parquet is the trials' rows, in trial order.
if (manifest.artifacts['metrics.parquet']) {
  const all = join(runDir, 'metrics.parquet').replaceAll("'", "''");
  const [{ n }] = await rows(`SELECT count(*)::INT n FROM read_parquet('${all}', hive_partitioning = false)`);
  let sum = 0;
  for (const trial of manifest.trials) {
    if (!trial.artifacts['metrics.parquet']) continue;
    const f = join(runDir, 'trials', trial.id, 'metrics.parquet').replaceAll("'", "''");
    sum += (await rows(`SELECT count(*)::INT n FROM read_parquet('${f}', hive_partitioning = false)`))[0].n;
  }
  check(n === sum, `metrics.parquet has ${n} rows, the trials ${sum}`);
}
if (failures > 0) { console.error(`${failures} failures`); process.exit(1); }
