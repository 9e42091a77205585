#!/usr/bin/env node
// Builds what is out of date: the server (tsc, incremental) and the web UI (vite),
// the latter only when a file under web/ is newer than web/dist/index.html.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return latest;
}

if (!fs.existsSync(bin("tsc")) && fs.existsSync(path.join(root, "dist", "src", "main.js"))) {
  // A release install (production dependencies only) ships the build already.
  process.exit(0);
}
if (!fs.existsSync(bin("tsc"))) {
  console.error('缺少开发依赖，请先运行 npm install。/ Dev dependencies missing; run npm install first.');
  process.exit(1);
}
run(bin('tsc'), ['-p', 'tsconfig.build.json']);
// Helper scripts that run beside the server (src/platform/pdf/pdf_inspector.py) go where the compiled modules look for them.
(function copyHelpers(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) copyHelpers(p);
    else if (entry.name.endsWith('.py')) {
      const target = path.join(root, 'dist', path.relative(root, p));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(p, target);
    }
  }
})(path.join(root, 'src'));
const webIndex = path.join(root, 'web', 'dist', 'index.html');
const webSource = path.join(root, 'web');
if (fs.existsSync(path.join(webSource, 'index.html'))) {
  const built = fs.existsSync(webIndex) ? fs.statSync(webIndex).mtimeMs : 0;
  const changed = Math.max(newest(webSource), fs.statSync(path.join(root, 'package-lock.json')).mtimeMs);
  if (changed > built) {
    console.log('构建网页界面 / building the web UI …');
    run(bin('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
  }
}
