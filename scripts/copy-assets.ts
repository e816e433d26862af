/**
 * `npm run build` compiles TypeScript only: this copies the data files that modules read beside their
 * code (seed strategies, questionnaires, computation parameters) from src/ to dist/, same layout.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
let copied = 0;
for (const f of fs.readdirSync(src, { recursive: true, encoding: 'utf8' })) {
  if (!/\.(ya?ml|json)$/.test(f)) continue;
  fs.mkdirSync(path.dirname(path.join(dist, f)), { recursive: true });
  fs.copyFileSync(path.join(src, f), path.join(dist, f));
  copied++;
}
console.log(`${copied} fichier(s) de données copiés dans dist/`);
