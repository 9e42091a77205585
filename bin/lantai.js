#!/usr/bin/env node
// The `lantai` command. Runs the compiled build (npm install builds it; npm run build rebuilds).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('兰台尚未构建，请先运行 npm run build。\nLantai has not been built yet; run npm run build first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
