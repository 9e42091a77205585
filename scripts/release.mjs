#!/usr/bin/env node
// Builds release/lantai-<version>-linux-x64.tar.gz for an air-gapped install: the
// compiled server, the built web UI and production node_modules (native modules
// compiled for this machine's Node.js ABI on linux-x64). The target machine needs
// only Node.js 20 and, for the tests' extras, nothing at all.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const name = `lantai-${pkg.version}-linux-x64`;
const out = path.join(root, 'release');
const stage = path.join(out, name);
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });

run(process.execPath, [path.join(root, 'scripts', 'build.mjs')]);
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
for (const item of ['dist', 'web/dist', 'bin', 'scripts', 'package.json', 'package-lock.json', 'README.md']) {
  fs.cpSync(path.join(root, item), path.join(stage, item), { recursive: true });
}
fs.rmSync(path.join(stage, 'dist', '.tsbuildinfo'), { force: true });
// Production dependencies only; lifecycle scripts off (the build is already done), then
// compile the native SQLite binding for this Node.js.
run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], stage);
run('npm', ['rebuild', 'better-sqlite3'], stage);
const tarball = path.join(out, `${name}.tar.gz`);
run('tar', ['-czf', tarball, '-C', out, name]);
fs.rmSync(stage, { recursive: true, force: true });
console.log(`发布包 / release: ${tarball}`);
