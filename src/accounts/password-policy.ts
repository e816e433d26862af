import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as fr from '@zxcvbn-ts/language-fr';
import { AppError } from '../errors.ts';

export const MIN_PASSWORD_LENGTH = 12;
/** zxcvbn score (0–4) a password must reach: 3 is "safely unguessable" for an online attack. */
const MIN_PASSWORD_SCORE = 3;

// Built on first use: the dictionaries take a moment to index and most processes never need them.
let estimator: ZxcvbnFactory | undefined;
const zxcvbn = () =>
  (estimator ??= new ZxcvbnFactory({
    translations: fr.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...fr.dictionary },
  }));

/**
 * Refuses short or guessable passwords (common and French dictionaries, keyboard walks, repeats, the
 * user's own e-mail or name) with the estimator's French advice.
 */
export function assertStrongPassword(password: string, userInputs: string[] = []): void {
  if ([...password].length < MIN_PASSWORD_LENGTH || !password.trim()) {
    throw new AppError(
      'MOT_DE_PASSE_FAIBLE',
      'too short',
      `Mot de passe trop court : ${MIN_PASSWORD_LENGTH} caractères au moins (une phrase de plusieurs mots est plus facile à retenir).`,
    );
  }
  const inputs = userInputs.flatMap((s) => [s, ...s.split(/[@.\s_-]+/)]).filter((s) => s.length >= 3);
  const r = zxcvbn().check(password.slice(0, 200), inputs);
  if (r.score < MIN_PASSWORD_SCORE) {
    const advice = [r.feedback.warning, ...r.feedback.suggestions].filter(Boolean).join(' ');
    throw new AppError(
      'MOT_DE_PASSE_FAIBLE',
      `score ${r.score}`,
      `Mot de passe trop facile à deviner. ${advice}`.trim(),
    );
  }
}
