// Builds the dashboard into OUT_DIR (default ../build/web): our own files from
// src/ plus ECharts from node_modules. Nothing third-party is committed; nothing
// is fetched at run time.
import { cpSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, '..');
const out = resolve(process.argv[2] ?? join(web, '..', 'build', 'web'));
const echarts = join(web, 'node_modules', 'echarts', 'dist', 'echarts.min.js');

if (!existsSync(echarts)) {
  console.error(`build: ${echarts} is missing: run scripts/setup.sh (it runs npm ci in web/)`);
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'vendor'), { recursive: true });
cpSync(join(web, 'src'), out, { recursive: true });
cpSync(echarts, join(out, 'vendor', 'echarts.min.js'));
console.error(`build: dashboard written to ${out}`);
