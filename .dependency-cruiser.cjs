/**
 * Module boundaries, checked by `npm run lint`. A domain folder of src/ reads and writes only its own tables:
 * other modules call its exported service functions, never its SQL files.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-foreign-queries',
      comment: "Another module's SQL: call its service.ts instead.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/(queries|store)\\.ts$', pathNot: '^src/$1/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-bench-in-src',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^bench/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
