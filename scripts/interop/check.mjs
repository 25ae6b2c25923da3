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
}
if (failures > 0) { console.error(`${failures} failures`); process.exit(1); }
