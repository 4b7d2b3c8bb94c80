// Copies the browser files the app serves from npm packages (installed from package-lock.json by `npm ci`, which checks
// each package's integrity) into src/EhrShare.Web/wwwroot/lib/, where they are committed.
//   node tools/web-assets/copy.mjs          copy (after changing a version in package.json and `npm install`)
//   node tools/web-assets/copy.mjs --check  exit 1 if a committed file differs from its package's file (a test runs this)
// docs/decisions/web-assets-from-npm.md
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const lib = join(root, 'src', 'EhrShare.Web', 'wwwroot', 'lib');

// package → [file in the package, file under wwwroot/lib]
const assets = {
  'chart.js': [
    ['dist/chart.umd.min.js', 'chart.js/chart.umd.min.js'],
    ['LICENSE.md', 'chart.js/LICENSE.md'],
  ],
};

const check = process.argv.includes('--check');
const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'));
const problems = [];
for (const [name, files] of Object.entries(assets)) {
  const packageDir = join(here, 'node_modules', name);
  const locked = lock.packages[`node_modules/${name}`]?.version;
  if (!existsSync(join(packageDir, 'package.json'))) {
    problems.push(`${name} is not installed: run 'npm ci --ignore-scripts' in tools/web-assets (./ehr test does)`);
    continue;
  }

  const installed = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  if (installed !== locked) {
    problems.push(`${name} ${installed} is installed but package-lock.json pins ${locked}: run 'npm ci --ignore-scripts' in tools/web-assets`);
    continue;
  }

  for (const [from, to] of files) {
    const source = readFileSync(join(packageDir, from));
    const target = join(lib, to);
    if (check) {
      if (!existsSync(target) || !source.equals(readFileSync(target))) {
        problems.push(`${relative(root, target)} is not ${name} ${installed}'s ${from}: run 'node tools/web-assets/copy.mjs' and commit`);
      }
    } else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, source);
      console.log(`${name} ${installed}: ${from} -> ${relative(root, target)}`);
    }
  }

  const version = join(lib, name, 'VERSION');
  const text = `${name} ${installed} (npm package '${name}', copied by tools/web-assets/copy.mjs).\n`;
  if (check) {
    if (!existsSync(version) || readFileSync(version, 'utf8') !== text) {
      problems.push(`${relative(root, version)} does not name ${name} ${installed}: run 'node tools/web-assets/copy.mjs'`);
    }
  } else {
    writeFileSync(version, text);
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
