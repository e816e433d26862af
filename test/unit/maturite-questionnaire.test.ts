import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AppError } from '../../src/errors.ts';
import { parseQuestionnaire, scoresFor } from '../../src/maturite/service.ts';

const SHIPPED = fs.readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'maturite', 'questionnaire.yaml'),
  'utf8',
);

test('the shipped questionnaire is valid and has the seven SCORAN dimensions', () => {
  const f = parseQuestionnaire(SHIPPED);
  assert.deepEqual(
    f.dimensions.map((d) => d.slug),
    [
      'equipement',
      'presence-en-ligne',
      'e-commerce',
      'securite',
      'competences',
      'donnees',
      'services-publics-en-ligne',
    ],
  );
  assert.deepEqual(Object.keys(f.profil.types), ['entreprise', 'association', 'collectivite']);
  assert.equal(Object.keys(f.profil.sections_naf).length, 21);
});

test('a broken questionnaire file is refused with a French reason naming the problem', () => {
  const cases: [string, RegExp][] = [
    [
      SHIPPED.replace('dimension: equipement\n    libelle: Quelle', 'dimension: inconnue\n    libelle: Quelle'),
      /dimension « inconnue » inconnue/,
    ],
    [
      SHIPPED.replace(
        '  - slug: donnees\n    libelle: Données\n',
        '  - slug: donnees\n    libelle: Données\n  - slug: vide\n    libelle: Vide\n',
      ),
      /dimension « vide » sans question/,
    ],
    [SHIPPED.replace('version: "2026.1"', 'version: "2026.1"\nintrus: 1'), /Questionnaire invalide/],
    [SHIPPED.replace('poids: 2', 'poids: -1'), /poids/],
    [
      `${SHIPPED}\n  - code: connexion\n    dimension: equipement\n    libelle: x\n    poids: 1\n    reponses: [{ code: a, libelle: a, points: 0 }, { code: b, libelle: b, points: 1 }]\n`,
      /question « connexion » en double/,
    ],
    ['titre: [', /Questionnaire illisible/],
  ];
  for (const [text, msg] of cases)
    assert.throws(
      () => parseQuestionnaire(text),
      (e: AppError) => msg.test(e.userMessage),
      String(msg),
    );
});

test('a dimension score is the weighted share of the best answers, to one decimal', () => {
  const qs = [
    {
      code: 'a',
      dimension: 'd',
      libelle: '',
      poids: 2,
      choix: [
        { code: 'x', libelle: '', points: 0 },
        { code: 'y', libelle: '', points: 3 },
      ],
    },
    {
      code: 'b',
      dimension: 'd',
      libelle: '',
      poids: 1,
      choix: [
        { code: 'x', libelle: '', points: 0 },
        { code: 'y', libelle: '', points: 2 },
      ],
    },
  ];
  // (2×3 + 1×0) / (2×3 + 1×2) = 6/8
  assert.deepEqual(scoresFor(qs, { a: 'y', b: 'x' }), { d: 75 });
  // (0 + 2) / 8 = 25 %; (0 + 0) = 0
  assert.deepEqual(scoresFor(qs, { a: 'x', b: 'y' }), { d: 25 });
  assert.throws(() => scoresFor(qs, { a: 'x' }));
});
