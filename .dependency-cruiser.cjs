/**
 * The house rules of ../shared/DESIGN.md, checked by dependency-cruiser in CI (`npm run layers`).
 *
 * Layers, lowest first: a folder may import only folders of a lower rank. That makes the folders a
 * directed graph without cycles by construction, and says in one table who may know whom.
 */
const LAYERS = [
  ['src/probe', 'src/version.ts'], // the core: node:net, node:tls, node:dns and nothing of ours
  ['src/result'], // the result model, rule catalogue and settings: probe types only
  ['src/contract'], // the versioned request/answer of remote vantages
  ['src/vantage', 'src/remote', 'src/report'], // client side, server side, views: side by side, blind to each other
  ['src/plan'], // input: parse and validate into a Plan
  ['src/judge'], // expectations → findings → verdict → recommendations
  ['src/run'], // the one pipeline
  ['src/demo'], // the offline demo (used by the CLI)
  ['src/cli', 'src/action', 'lambda', 'gcp'], // the thin adapters
];

const escapeDots = (path) => path.replace(/[.]/g, '\\.');
const pattern = (path) => (path.endsWith('.ts') ? `^${escapeDots(path)}$` : `^${escapeDots(path)}/`);

/** For each layer, every layer at its own rank or above (other than itself) is out of reach. */
const layerRules = LAYERS.flatMap((layer, rank) =>
  layer.map((from) => {
    const above = LAYERS.slice(rank)
      .flat()
      .filter((other) => other !== from);
    return {
      name: `layer:${from}`,
      comment: `${from} may import only lower layers (DESIGN.md "What flows where")`,
      severity: 'error',
      from: { path: pattern(from) },
      to: { path: above.map(pattern) },
    };
  }),
);

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'no cycles between files either',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'probe-is-pure',
      comment: 'src/probe is the part people copy: Node built-ins only, no cloud SDK, no Actions toolkit',
      severity: 'error',
      from: { path: '^src/probe/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'report-sees-results-only',
      comment: 'views render the result model; they never reach back into plan/ or judge/',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: ['^src/(plan|judge|run|remote|vantage|contract)/', '^src/(cli|action|demo)/'] },
    },
    {
      name: 'remote-never-judges-or-renders',
      comment: 'the remote side answers raw results: no report/, no judge/',
      severity: 'error',
      from: { path: '^src/remote/' },
      to: { path: '^src/(report|judge|run|plan)/' },
    },
    {
      name: 'adapters-import-no-adapter',
      comment: 'the CLI, the Action and the function entries share code only through the layers below them',
      severity: 'error',
      from: { path: '^(src/cli|src/action|lambda|gcp)/' },
      to: { path: '^(src/cli|src/action|lambda|gcp)/', pathNot: '^$1/' },
    },
    {
      name: 'no-dev-deps-in-product',
      comment: 'shipped code must not need a devDependency at run time',
      severity: 'error',
      from: { path: '^(src|lambda|gcp)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-undeclared-deps',
      comment: 'every package imported is declared in package.json',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-orphans',
      comment: 'a source file nobody imports is dead code',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: ['\\.d\\.ts$', '^src/(cli|action)/index\\.ts$', '^lambda/index\\.ts$', '^gcp/index\\.ts$'],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    // Type-only imports count: a type is knowledge of another layer too.
    reporterOptions: { text: { highlightFocused: true } },
  },
};
