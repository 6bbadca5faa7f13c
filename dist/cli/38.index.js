export const id = 38;
export const ids = [38];
export const modules = {

/***/ 3038:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  loadConfig: () => (/* binding */ loadConfig),
  parseConfig: () => (/* binding */ parseConfig)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./src/probe/index.ts + 22 modules
var probe = __webpack_require__(3349);
// EXTERNAL MODULE: ./src/result/settings.ts
var settings = __webpack_require__(6744);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./node_modules/fastest-levenshtein/mod.js
var mod = __webpack_require__(1916);
// EXTERNAL MODULE: ./node_modules/zod/v4/core/core.js
var core = __webpack_require__(8532);
// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 15 modules
var schemas = __webpack_require__(9691);
// EXTERNAL MODULE: ./src/probe/options.ts
var options = __webpack_require__(4344);
// EXTERNAL MODULE: ./src/plan/controls.ts
var controls = __webpack_require__(7821);
// EXTERNAL MODULE: ./src/plan/duration.ts
var duration = __webpack_require__(2983);
// EXTERNAL MODULE: ./src/plan/targets.ts
var targets = __webpack_require__(1);
// EXTERNAL MODULE: ./src/plan/types.ts
var types = __webpack_require__(9898);
;// CONCATENATED MODULE: ./src/plan/config-schema.ts











const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const FAIL_ON_VALUES = ['error', 'warning', 'never'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names a value for an error message: short, quoted, never a dump of a whole mapping. */
function describeValue(value) {
    if (typeof value === 'string')
        return (0,settings/* quoteInput */.Zs)(value);
    if (value === undefined)
        return 'nothing';
    if (value === null)
        return 'an empty value';
    if (Array.isArray(value))
        return value.length === 0 ? 'an empty list' : 'a list';
    if (typeof value === 'object')
        return 'a mapping';
    return String(value);
}
/** Drops keys whose value is undefined, so plans compare and serialise without holes. */
function compact(value) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
/** An error map for one schema: `expected <what>, got <value>`, or `missing` when the key is absent. */
function expected(what) {
    return (issue) => issue.input === undefined
        ? `missing, expected ${what}`
        : `expected ${what}, got ${describeValue(issue.input)}`;
}
/**
 * Reads a value with one of the plan's own parsers. The UsageError it throws becomes a problem at this
 * value's node, its message kept and its source (the parser's, not the file's) dropped.
 */
function via(schema, read) {
    return schema.transform((value, ctx) => {
        try {
            return read(value);
        }
        catch (error) {
            if (!(error instanceof types/* UsageError */.eb))
                throw error;
            ctx.addIssue({ code: 'custom', message: error.text, input: value });
            return core/* NEVER */.tm;
        }
    });
}
/** Suggests the nearest known key when the typo is small enough to be one. */
function unknownKeyMessage(key, known) {
    const nearest = (0,mod/* closest */.kp)(key, [...known]);
    // A target URL YAML read as a key (`- smtp://user:pw@host: 587`) may carry a password.
    const shown = (0,settings/* quoteInput */.Zs)((0,targets/* redactCredentials */.UY)(key));
    return nearest && (0,mod/* distance */.Io)(key, nearest) <= Math.max(2, Math.floor(key.length / 3))
        ? `unknown key ${shown} (did you mean ${JSON.stringify(nearest)}?)`
        : `unknown key ${shown} (known keys: ${known.join(', ')})`;
}
/** A mapping that refuses unknown keys, naming the nearest known one (or what `explain` knows better). */
function mapping(shape, explain) {
    const known = Object.keys(shape);
    return schemas/* strictObject */.rej(shape, {
        error: (issue) => {
            if (issue.code !== 'unrecognized_keys')
                return expected(`a mapping with ${known.join(', ')}`)(issue);
            const key = issue.keys[0] ?? '';
            return explain?.(key) ?? unknownKeyMessage(key, known);
        },
    });
}
/** YAML reads `[2001:db8::1]:587` as a list (or fails on it): the fix is quotes. */
const IPV6_HINT = 'YAML reads [...] as a list: quote a bracketed IPv6 address, as in "[2001:db8::1]:587"';
function expectedHost(what) {
    return (issue) => `${expected(what)(issue)}${Array.isArray(issue.input) ? ` (${IPV6_HINT})` : ''}`;
}
/** `- smtp.example.com: 587` is a mapping with a host for its key: a space after the colon. */
function hostAsKey(key) {
    return /^[\w.-]+\.[\w-]+$/.test(key)
        ? `unknown key ${(0,settings/* quoteInput */.Zs)(key)}: to give a target as text, write host:port with no space after the colon`
        : undefined;
}
function wholeNumber(what, min, max = Number.MAX_SAFE_INTEGER) {
    const error = expected(what);
    return schemas/* number */.aig({ error }).refine((n) => Number.isInteger(n) && n >= min && n <= max, { error });
}
function oneOf(values) {
    return schemas/* enum */.k5n(values, { error: expected(`one of ${values.join(', ')}`) });
}
const config_schema_text = (what) => schemas/* string */.YjP({ error: expected(what) }).min(1, { error: expected(what) });
const bool = schemas/* boolean */.zMY({ error: expected('true or false') });
const portNumber = wholeNumber('a port number from 1 to 65535', 1, 65_535);
const mode = oneOf(probe/* MODES */.FN);
const tlsVersion = oneOf(TLS_VERSIONS);
const mailbox = schemas/* string */.YjP({ error: expected('a mail address like app@example.com') })
    .refine(options/* isMailbox */.Lc, { error: expected('a mail address like app@example.com') });
const config_schema_duration = via(schemas/* union */.KCZ([schemas/* number */.aig(), schemas/* string */.YjP()], { error: expected('a duration such as 10s, 500ms, 2m') }), (value) => (0,duration/* parseDuration */.E)(value, 'config'));
const banner = via(schemas/* string */.YjP({ error: expected('a regular expression') }), (value) => {
    try {
        new RegExp(value);
    }
    catch (error) {
        const reason = error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
        throw new types/* UsageError */.eb(`invalid regular expression ${describeValue(value)}: ${reason}`);
    }
    return value;
});
const helo = via(config_schema_text('a domain name'), (value) => {
    try {
        (0,options/* resolveOptions */.$i)({ helo: value });
    }
    catch {
        throw new types/* UsageError */.eb(`invalid helo ${describeValue(value)}: use a domain name such as ci.example.com or a literal such as [192.0.2.1]`);
    }
    return value;
});
const expectSchema = mapping({
    reachable: bool.optional(),
    tls: oneOf(['required', 'optional', 'none']).optional(),
    min_tls: tlsVersion.optional(),
    cert: mapping({
        min_days: wholeNumber('a whole number of days, 0 or more', 0).optional(),
        trusted: bool.optional(),
        hostname: bool.optional(),
    }).optional(),
    auth: schemas/* literal */.euz('ok', { error: expected('ok') }).optional(),
    max_latency: config_schema_duration.optional(),
    banner: banner.optional(),
}).transform((e) => compact({
    reachable: e.reachable,
    tls: e.tls,
    minTls: e.min_tls,
    cert: e.cert && compact({ minDays: e.cert.min_days, trusted: e.cert.trusted, hostname: e.cert.hostname }),
    auth: e.auth,
    maxLatency: e.max_latency,
    banner: e.banner,
}));
const portEntry = schemas/* union */.KCZ([
    portNumber.transform((port) => ({ port, mode: undefined, expect: undefined })),
    mapping({ port: portNumber, mode: mode.optional(), expect: expectSchema.optional() }),
], { error: expected('a port number or a mapping with port, mode, expect') });
/** Checks across keys of one target; each problem points at the key to fix (or its mapping if absent). */
function checkTarget(t, ctx) {
    const problem = (path, message) => ctx.addIssue({ code: 'custom', path, message });
    if (t.host === undefined && t.mx === undefined) {
        problem(['host'], "missing: give host (or mx for a domain's MX hosts)");
    }
    if (t.host !== undefined && t.mx !== undefined)
        problem(['mx'], 'give either host or mx, not both');
    if (t.mx !== undefined && t.ports !== undefined) {
        problem(['ports'], 'an mx target always probes port 25 on each MX host: remove ports');
    }
    if ((t.username_env === undefined) !== (t.password_env === undefined)) {
        const missing = t.username_env === undefined ? 'username_env' : 'password_env';
        problem([missing], 'missing: username_env and password_env go together');
    }
    // The same port twice is probed once; twice with different settings, it could not be told apart.
    const seen = new Map();
    for (const [index, entry] of (t.ports ?? []).entries()) {
        const settings = JSON.stringify(entry);
        const earlier = seen.get(entry.port);
        if (earlier !== undefined && earlier !== settings) {
            problem(['ports', index], `port ${entry.port} is listed twice with different settings`);
        }
        seen.set(entry.port, settings);
    }
}
/** Builds the config schema; `ca_file` and the `*_env` keys are resolved while parsing, at their node. */
function configSchema({ dir, env }) {
    const caFile = via(config_schema_text('a file name'), (name) => {
        const path = (0,external_node_path_.resolve)(dir, name);
        let pem;
        try {
            pem = (0,external_node_fs_.readFileSync)(path, 'utf8');
        }
        catch (error) {
            const code = error.code ?? 'unreadable';
            throw new types/* UsageError */.eb(`cannot read CA file ${describeValue(name)} (${(0,settings/* cutInput */.vL)(path, 120)}): ${code}`);
        }
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
            throw new types/* UsageError */.eb(`CA file ${describeValue(name)} holds no PEM certificate`);
        }
        return { path, pem };
    });
    const envName = via(config_schema_text('the name of an environment variable'), (name) => {
        if (!ENV_NAME.test(name)) {
            // Not echoed: a password pasted here by mistake must not reach a log.
            throw new types/* UsageError */.eb('is not an environment variable name (letters, digits, _); the value is not shown');
        }
        const value = env[name];
        // GitHub Actions turns a secret that is not set into an empty string: treat both the same.
        if (value === undefined || value === '') {
            throw new types/* UsageError */.eb(`environment variable ${(0,settings/* cutInput */.vL)(name)} is not set or is empty`);
        }
        // The value itself is a secret: name the variable, never what it holds.
        if (/[\r\n\0]/.test(value)) {
            throw new types/* UsageError */.eb(`environment variable ${(0,settings/* cutInput */.vL)(name)} contains a line break or NUL`);
        }
        return { name, value };
    });
    const targetMapping = mapping({
        name: config_schema_text('a name').optional(),
        host: via(schemas/* string */.YjP({ error: expectedHost('a host name or IP address') }), (value) => (0,targets/* parseHost */.o6)(value, 'host')).optional(),
        mx: via(config_schema_text('a domain such as example.com'), (value) => (0,targets/* parseTargetSpec */.Sf)(`mx:${value}`, 'mx').host).optional(),
        ports: schemas/* array */.YOg(portEntry, { error: expected('a list of ports') })
            .min(1, { error: expected('at least one port') })
            .optional(),
        mode: mode.optional(),
        require: oneOf(['all', 'any']).optional(),
        username_env: envName.optional(),
        password_env: envName.optional(),
        envelope: mapping({ from: mailbox, to: mailbox.optional() }).optional(),
        expect: expectSchema.optional(),
    }, hostAsKey).superRefine(checkTarget);
    const defaults = mapping({
        timeout: config_schema_duration.optional(),
        connect_timeout: config_schema_duration.optional(),
        greeting_timeout: config_schema_duration.optional(),
        command_timeout: config_schema_duration.optional(),
        overall_timeout: config_schema_duration.optional(),
        helo: helo.optional(),
        concurrency: wholeNumber('a whole number from 1 to 256', 1, 256).optional(),
        retries: wholeNumber('a whole number from 0 to 5', 0, 5).optional(),
        tls: mapping({
            ca_file: schemas/* union */.KCZ([caFile, schemas/* array */.YOg(caFile).min(1)], { error: expected('a file name or a list of file names') })
                .optional(),
            min_version: tlsVersion.optional(),
            allow_unverified_auth: schemas/* boolean */.zMY({ error: expected('true or false') }).optional(),
            allow_plaintext_auth: schemas/* boolean */.zMY({ error: expected('true or false') }).optional(),
        }).optional(),
        expect: expectSchema.optional(),
    });
    const target = schemas/* union */.KCZ([via(schemas/* string */.YjP(), (value) => ({ spec: (0,targets/* parseTargetSpec */.Sf)(value, 'target') })), targetMapping], { error: expectedHost('a target such as smtp.example.com:587, or a mapping with host and ports') });
    // Only what says whether the port answers: no credentials, envelope or expectations.
    const control = schemas/* union */.KCZ([
        via(schemas/* string */.YjP(), (value) => ({ plan: (0,controls/* parseControlSpec */.oe)(value, 'control') })),
        mapping({
            name: config_schema_text('a name').optional(),
            host: via(schemas/* string */.YjP({ error: expectedHost('a host name or IP address') }), (v) => (0,targets/* parseHost */.o6)(v, 'host')),
            ports: schemas/* array */.YOg(schemas/* union */.KCZ([portNumber.transform((port) => ({ port })), mapping({ port: portNumber, mode })]), {
                error: expected('a list of ports'),
            })
                .min(1, { error: expected('at least one port') }),
            mode: mode.optional(),
        }),
    ], { error: expectedHost('a control such as smtp.example.com:587, or a mapping with host and ports') });
    return mapping({
        fail_on: oneOf(FAIL_ON_VALUES).optional(),
        defaults: defaults.optional(),
        targets: schemas/* array */.YOg(target, { error: expected('a list of targets') }).optional(),
        controls: schemas/* array */.YOg(control, { error: expected('a list of controls') }).optional(),
    });
}

;// CONCATENATED MODULE: ./src/plan/config.ts









/** `targets[1].ports[0]`: the path as the user would point at it in the file. */
function formatPath(path) {
    return path
        .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
        .join('');
}
// The parser's own wording for this one names a function of its API, not what the user should do.
const ONE_DOCUMENT = 'a config file holds one document: remove the second "---" and what follows, or merge them';
const where = (location) => `${location.file}:${location.line}:${location.column}`;
/**
 * Finds the node a path points at. A key that is absent (a missing required key) stops the walk at its
 * parent mapping, which is where the user must add it; `unknownKey` points at that key itself.
 */
function findNode(doc, path, unknownKey) {
    let node = doc.contents;
    const step = (key) => {
        if ((0,dist/* isAlias */.Vj)(node))
            node = node.resolve(doc);
        if ((0,dist/* isMap */.jh)(node)) {
            const pair = node.items.find((item) => String((0,dist/* isScalar */.jn)(item.key) ? item.key.value : item.key) === String(key));
            if (!pair)
                return false;
            node = pair.value ?? pair.key;
            // `host:` with nothing after it: a null scalar with an empty range; the key is the better spot.
            if ((0,dist/* isScalar */.jn)(node) && node.value === null && pair.key)
                node = pair.key;
            return true;
        }
        if ((0,dist/* isSeq */.oP)(node) && typeof key === 'number' && node.items[key] !== undefined) {
            node = node.items[key];
            return true;
        }
        return false;
    };
    for (const key of path)
        if (!step(key))
            break;
    if (unknownKey !== undefined) {
        if ((0,dist/* isAlias */.Vj)(node))
            node = node.resolve(doc);
        if ((0,dist/* isMap */.jh)(node)) {
            const pair = node.items.find((item) => (0,dist/* isScalar */.jn)(item.key) && String(item.key.value) === unknownKey);
            if (pair?.key)
                node = pair.key;
        }
    }
    return node;
}
/**
 * Unwraps unions: of the branches that failed, the one whose problem is not "wrong type right here"
 * is the one the user meant (a mapping target with a bad port, not "expected a string").
 */
function problemsOf(issues, prefix = []) {
    return issues.flatMap((issue) => {
        const path = [...prefix, ...issue.path];
        if (issue.code === 'invalid_union') {
            const meant = issue.errors.find((branch) => branch.some((inner) => !(inner.code === 'invalid_type' && inner.path.length === 0)));
            if (meant)
                return problemsOf(meant, path);
        }
        const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
        return [{ path, message: issue.message, ...(unknownKey !== undefined ? { unknownKey } : {}) }];
    });
}
function locate(doc, lines, file, path, unknownKey) {
    const offset = findNode(doc, path, unknownKey)?.range?.[0] ?? 0;
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col };
}
/** Deep for `cert`, shallow for the rest: later layers (target, then port) win. */
function mergeExpectations(...layers) {
    const merged = {};
    for (const layer of layers) {
        if (!layer)
            continue;
        const { cert, ...rest } = layer;
        Object.assign(merged, rest);
        if (cert)
            merged.cert = { ...merged.cert, ...cert };
    }
    return (0,targets/* copyExpectations */.Rp)(merged);
}
function optionsOf(defaults) {
    if (!defaults)
        return {};
    const { tls } = defaults;
    const caFiles = tls?.ca_file === undefined ? undefined : [tls.ca_file].flat();
    return compact({
        timeout: defaults.timeout,
        connectTimeout: defaults.connect_timeout,
        greetingTimeout: defaults.greeting_timeout,
        commandTimeout: defaults.command_timeout,
        overallTimeout: defaults.overall_timeout,
        helo: defaults.helo,
        concurrency: defaults.concurrency,
        retries: defaults.retries,
        tls: tls &&
            compact({
                ca: caFiles?.map((file) => file.pem),
                minVersion: tls.min_version,
                allowUnverifiedAuth: tls.allow_unverified_auth,
                allowPlaintextAuth: tls.allow_plaintext_auth,
            }),
    });
}
function targetPlanOf(entry, defaultExpect, at, path) {
    const location = at(path);
    if ('spec' in entry) {
        return (0,targets/* toTargetPlan */.I6)(entry.spec, { expect: mergeExpectations(defaultExpect), location });
    }
    const host = entry.host ?? entry.mx ?? '';
    const entries = entry.mx
        ? [{ port: 25, mode: undefined, expect: undefined }]
        : (entry.ports ?? types/* DEFAULT_PORTS */.J2.map((port) => ({ port, mode: undefined, expect: undefined })));
    const ports = entries
        .map((p, index) => ({
        port: p.port,
        mode: p.mode ?? entry.mode ?? (0,probe/* defaultMode */.Hf)(p.port),
        modeExplicit: (p.mode ?? entry.mode) !== undefined,
        expect: mergeExpectations(defaultExpect, entry.expect, p.expect),
        location: entry.ports ? at([...path, 'ports', index]) : location,
    }))
        // A port listed twice with the same settings (checkTarget refuses different ones) is probed once.
        .filter((p, i, all) => all.findIndex((q) => q.port === p.port) === i);
    const user = entry.username_env;
    const pass = entry.password_env;
    return {
        name: entry.name ?? (entry.mx ? `mx:${host}` : host),
        host,
        mx: entry.mx !== undefined,
        ports,
        require: entry.require ?? 'all',
        ...(user && pass
            ? {
                auth: { username: user.value, password: pass.value },
                credentialRefs: { usernameEnv: user.name, passwordEnv: pass.name },
            }
            : {}),
        ...(entry.envelope ? { envelope: entry.envelope } : {}),
        location,
    };
}
/** The line at a YAML error, to name what the parser choked on (credentials in URLs hidden). */
function lineAt(text, lines, offset) {
    const { line } = lines.linePos(offset);
    const start = lines.lineStarts[line - 1] ?? 0;
    const end = text.indexOf('\n', start);
    const content = (0,targets/* redactCredentials */.UY)(text.slice(start, end === -1 ? undefined : end).trim());
    return content.length > 60 ? `${content.slice(0, 60)}…` : content;
}
/**
 * Reads a config file's text. Every mistake becomes one UsageError at `file:line:column`: the first
 * YAML syntax error, else the first schema problem in document order.
 */
function parseConfig(text, file, env, 
/** Where relative paths in the file (ca_file) start; the file's own directory by default. */
dir = (0,external_node_path_.dirname)(file)) {
    const lines = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(text, { lineCounter: lines, prettyErrors: false });
    const at = (path, unknownKey) => locate(doc, lines, file, path, unknownKey);
    const syntax = doc.errors[0];
    if (syntax) {
        const { line, col } = lines.linePos(syntax.pos[0]);
        const near = lineAt(text, lines, syntax.pos[0]);
        const bracketed = /\[[0-9A-Fa-f]*:[0-9A-Fa-f:.]*\]/.test(near) ? ` (${IPV6_HINT})` : '';
        const message = `${syntax.code === 'MULTIPLE_DOCS' ? ONE_DOCUMENT : syntax.message}${bracketed}`;
        throw new types/* UsageError */.eb(`invalid YAML: ${message}${near ? ` (at ${JSON.stringify(near)})` : ''}`, `${file}:${line}:${col}`);
    }
    if (doc.contents === null) {
        throw new types/* UsageError */.eb('the config file is empty: expected a mapping with targets and defaults', `${file}:1:1`);
    }
    let data;
    try {
        // maxAliasCount keeps a "billion laughs" file from expanding without bound.
        data = doc.toJS({ maxAliasCount: 100 });
    }
    catch (error) {
        throw new types/* UsageError */.eb(`cannot read the YAML: ${(0,settings/* cutInput */.vL)(error.message, 200)}`, `${file}:1:1`);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        throw new types/* UsageError */.eb(`expected a mapping with targets and defaults at the top, got ${describeValue(data)}`, where(at([])));
    }
    const parsed = configSchema({ dir, env }).safeParse(data, { reportInput: true });
    if (!parsed.success) {
        const located = problemsOf(parsed.error.issues).map((problem) => ({
            problem,
            location: at(problem.path, problem.unknownKey),
        }));
        located.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
        const first = located[0];
        if (!first)
            throw new types/* UsageError */.eb('invalid config', `${file}:1:1`);
        const path = formatPath(first.problem.path);
        throw new types/* UsageError */.eb(path ? `${path}: ${first.problem.message}` : first.problem.message, where(first.location));
    }
    const config = parsed.data;
    const defaultExpect = config.defaults?.expect;
    return {
        targets: (config.targets ?? []).map((entry, index) => targetPlanOf(entry, defaultExpect, at, ['targets', index])),
        controls: (config.controls ?? []).map((entry, index) => {
            const location = at(['controls', index]);
            return 'plan' in entry ? { ...entry.plan, location } : (0,controls/* controlFromEntry */["in"])(entry, location);
        }),
        options: optionsOf(config.defaults),
        ...(defaultExpect ? { defaultExpect } : {}),
        ...(config.fail_on ? { failOn: config.fail_on } : {}),
        file,
    };
}
/** Reads and parses a config file; a file that cannot be read is a UsageError naming the path. */
async function loadConfig(path, env = process.env, 
/** `path` is read relative to this, and keeps the name it was given in every message and location. */
cwd = process.cwd()) {
    let text;
    try {
        text = await (0,promises_.readFile)((0,external_node_path_.resolve)(cwd, path), 'utf8');
    }
    catch (error) {
        const code = error.code;
        const reason = code === 'ENOENT'
            ? 'no such file'
            : code === 'EISDIR'
                ? 'is a directory, not a file'
                : (code ?? 'unreadable');
        throw new types/* UsageError */.eb(`cannot read config file ${(0,settings/* quoteInput */.Zs)(path)}: ${reason}`, (0,settings/* cutInput */.vL)(path));
    }
    return parseConfig(text, path, env, (0,external_node_path_.resolve)(cwd, (0,external_node_path_.dirname)(path)));
}


/***/ })

};

//# sourceMappingURL=38.index.js.map