export const id = 479;
export const ids = [479];
export const modules = {

/***/ 5479:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runMatrix: () => (/* binding */ runMatrix)
});

// UNUSED EXPORTS: CHUNK

// EXTERNAL MODULE: ./src/plan/run.ts + 7 modules
var run = __webpack_require__(7717);
// EXTERNAL MODULE: ./src/plan/verdict.ts
var verdict = __webpack_require__(7282);
// EXTERNAL MODULE: ./src/report/row-view.ts
var row_view = __webpack_require__(9810);
// EXTERNAL MODULE: ./node_modules/@aws-crypto/sha256-js/build/main/index.js
var main = __webpack_require__(3156);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-lambda/dist-cjs/index.js
var dist_cjs = __webpack_require__(1696);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/credential-provider-node/dist-cjs/index.js
var credential_provider_node_dist_cjs = __webpack_require__(5861);
// EXTERNAL MODULE: ./node_modules/@smithy/signature-v4/dist-cjs/index.js
var signature_v4_dist_cjs = __webpack_require__(5118);
;// CONCATENATED MODULE: ./src/vantage/clients.ts




/** A vantage that could not answer (403, timeout, function error, bad response); hides no other vantage. */
class VantageError extends Error {
    vantage;
    constructor(vantage, message) {
        super(`${vantage}: ${message}`);
        this.name = 'VantageError';
        this.vantage = vantage;
    }
}
/** The handler's answer: a report, or its typed error. */
function reportFrom(vantage, text) {
    let body;
    try {
        body = JSON.parse(text);
    }
    catch {
        throw new VantageError(vantage, 'answered with something that is not JSON');
    }
    const error = body.error;
    if (error)
        throw new VantageError(vantage, `${error.type ?? 'error'}: ${error.message ?? 'no message'}`);
    if (body.schemaVersion !== 1 || !Array.isArray(body.results)) {
        throw new VantageError(vantage, 'answered with something that is not a version 1 report');
    }
    return body;
}
function failure(vantage, error, permission) {
    const e = error;
    const status = e.$metadata?.httpStatusCode;
    if (status === 403 || e.name === 'AccessDeniedException') {
        return new VantageError(vantage, `access denied (403): the credentials need ${permission} on this function`);
    }
    if (e.name === 'AbortError' || e.name === 'TimeoutError')
        return new VantageError(vantage, 'no answer in time');
    return new VantageError(vantage, `${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
}
/**
 * Invokes the function through the Lambda Invoke API with the default credential chain
 * (AWS_ENDPOINT_URL_LAMBDA, when set, points the SDK at another endpoint).
 */
async function invokeLambda(spec, request, signal) {
    const client = new dist_cjs/* LambdaClient */.Nox({ region: spec.region, maxAttempts: 1 });
    try {
        const out = await client.send(new dist_cjs/* InvokeCommand */.mdN({ FunctionName: spec.functionName, Payload: Buffer.from(JSON.stringify(request)) }), signal ? { abortSignal: signal } : {});
        const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
        if (out.FunctionError) {
            const message = JSON.parse(text || '{}').errorMessage ?? out.FunctionError;
            throw new VantageError(spec.label, `the function failed: ${message}`);
        }
        return reportFrom(spec.label, text);
    }
    catch (error) {
        if (error instanceof VantageError)
            throw error;
        throw failure(spec.label, error, 'lambda:InvokeFunction');
    }
    finally {
        client.destroy();
    }
}
/** POSTs to a Function URL with AuthType AWS_IAM, the request signed with SigV4 (service `lambda`). */
async function invokeFunctionUrl(spec, request, signal) {
    const body = JSON.stringify(request);
    const { url } = spec;
    try {
        const signer = new signature_v4_dist_cjs.SignatureV4({
            service: 'lambda',
            region: spec.region,
            credentials: (0,credential_provider_node_dist_cjs.defaultProvider)(),
            sha256: main.Sha256,
        });
        const signed = await signer.sign({
            method: 'POST',
            protocol: url.protocol,
            hostname: url.hostname,
            ...(url.port ? { port: Number(url.port) } : {}),
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers: { host: url.host, 'content-type': 'application/json' },
            body,
        });
        const response = await fetch(url, {
            method: 'POST',
            headers: signed.headers,
            body,
            ...(signal ? { signal } : {}),
        });
        const text = await response.text();
        if (response.status === 403) {
            throw new VantageError(spec.label, 'access denied (403): the credentials need lambda:InvokeFunctionUrl on this function');
        }
        if (response.status !== 200 && response.status !== 400) {
            throw new VantageError(spec.label, `answered HTTP ${response.status}`);
        }
        return reportFrom(spec.label, text);
    }
    catch (error) {
        if (error instanceof VantageError)
            throw error;
        throw failure(spec.label, error, 'lambda:InvokeFunctionUrl');
    }
}

;// CONCATENATED MODULE: ./src/vantage/matrix.ts




/** Target ports per remote invocation: a large plan is split across parallel invocations. */
const CHUNK = 20;
/**
 * A plan probed from several vantages at once: the runner here, and Lambdas elsewhere. Remote vantages
 * return raw sessions; every vantage is judged here with the plan's own expectations, so the matrix is
 * comparable. A vantage that fails is reported as such and hides none of the others.
 */
async function runMatrix(plan, vantages, options = {}) {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const planned = await (0,run/* planJobs */.KR)(plan, options.resolveMx);
    const fetched = await Promise.all(vantages.map(async (v) => {
        if (v.kind === 'runner')
            return { v, results: await (0,run/* probeHere */.tt)(planned, plan, options) };
        return { v, fetched: await fetchRemote(v, planned, plan, options.signal) };
    }));
    const results = [];
    const findings = [];
    const recommendations = [];
    const outcomes = [];
    const statusByVantage = new Map();
    for (const { v, results: local, fetched: remote } of fetched) {
        outcomes.push({ label: v.label, kind: v.kind, ...(v.kind !== 'runner' ? { region: v.region } : {}) });
        if (remote && 'error' in remote) {
            outcomes.at(-1).error = remote.error;
            findings.push(...planned.map((p) => failedFinding(p, v.label, remote.error)));
            continue;
        }
        const jobs = [];
        const statuses = [];
        planned.forEach((p, i) => {
            const rows = remote ? (remote.rows.get(i) ?? []) : undefined;
            if (rows?.some((r) => r.status === 'forbidden')) {
                statuses.push('forbidden');
                results.push(...rows.map((r) => ({ ...r, target: p.target.name, vantage: v.label })));
                findings.push(...rows.map((r) => forbiddenFinding(p, v.label, r)));
                return;
            }
            const result = local?.[i] ?? (rows && rows.length > 0 ? fromRows(rows, p) : undefined);
            statuses.push(result?.status);
            if (result)
                jobs.push({ ...p, result });
            else
                findings.push(failedFinding(p, v.label, 'no result for this port in its answer'));
        });
        statusByVantage.set(v.label, statuses);
        const judged = (0,run/* judge */.S4)(jobs, v.label);
        results.push(...judged.results);
        findings.push(...judged.findings);
        recommendations.push(...judged.recommendations);
    }
    const all = diagnoseEgress(planned, fetched.map((f) => f.v), statusByVantage, findings);
    return {
        ...(0,run/* reportFrame */.M3)(plan, started, startedAt),
        vantages: outcomes,
        results,
        findings: all,
        recommendations,
        verdict: (0,verdict/* verdictOf */.V)(all, plan.failOn),
    };
}
/** The plan's ports as requests: grouped by what the request options can only say once, then chunked. */
function requestsFor(planned, plan) {
    const groups = new Map();
    planned.forEach(({ target, port }, i) => {
        const key = JSON.stringify([port.mode, target.auth, target.envelope]);
        groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    const o = plan.options;
    return [...groups.values()].flatMap((indexes) => {
        const first = planned[indexes[0]];
        const chunks = [];
        for (let i = 0; i < indexes.length; i += CHUNK)
            chunks.push(indexes.slice(i, i + CHUNK));
        return chunks.map((chunk) => ({
            indexes: chunk,
            request: {
                targets: [...new Set(chunk.map((i) => spec(planned[i])))],
                options: {
                    mode: first.port.mode,
                    timeout: o.timeout,
                    connectTimeout: o.connectTimeout,
                    greetingTimeout: o.greetingTimeout,
                    commandTimeout: o.commandTimeout,
                    ...(o.helo ? { helo: o.helo } : {}),
                    ...(first.target.auth ? { auth: first.target.auth } : {}),
                    ...(first.target.envelope ? { envelope: first.target.envelope } : {}),
                },
            },
        }));
    });
}
const spec = ({ target, port }) => (0,row_view/* hostPort */.QL)(target.host, port.port);
async function fetchRemote(v, planned, plan, signal) {
    try {
        const answers = await Promise.all(requestsFor(planned, plan).map(async ({ request, indexes }) => ({
            indexes,
            report: v.kind === 'aws-lambda'
                ? await invokeLambda(v, request, signal)
                : await invokeFunctionUrl(v, request, signal),
        })));
        const rows = new Map();
        for (const { indexes, report } of answers) {
            for (const i of indexes) {
                const { target, port } = planned[i];
                rows.set(i, report.results.filter((r) => r.host === target.host && r.port === port.port));
            }
        }
        return { rows };
    }
    catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
    }
}
/** A remote answer's rows for one port, as the probe result the plan's rules judge. */
function fromRows(rows, p) {
    const sessions = rows
        .filter((r) => r.address !== null)
        .map((r) => ({
        address: r.address,
        family: (r.family ?? 4),
        status: r.status,
        stage: r.stage,
        ...(r.reply ? { reply: r.reply } : {}),
        ...(r.errorCode ? { errorCode: r.errorCode } : {}),
        explanation: r.explanation,
        ...(r.hint ? { hint: r.hint } : {}),
        timings: r.timings,
        durationMs: r.durationMs,
        smtp: r.smtp ?? { heloFallback: false },
        ...(r.tls ? { tls: r.tls } : {}),
        ...(r.auth ? { auth: r.auth } : {}),
        ...(r.envelope ? { envelope: r.envelope } : {}),
        transcript: r.transcript,
        transcriptTruncated: r.transcriptTruncated,
        retries: r.retries,
    }));
    const deciding = rows.find((r) => r.status !== 'ok') ?? rows[0];
    return {
        target: { host: p.target.host, port: p.port.port, mode: p.port.mode },
        status: deciding.status,
        stage: deciding.stage,
        ...(deciding.reply ? { reply: deciding.reply } : {}),
        ...(deciding.errorCode ? { errorCode: deciding.errorCode } : {}),
        explanation: deciding.explanation,
        ...(deciding.hint ? { hint: deciding.hint } : {}),
        startedAt: '',
        durationMs: Math.max(...rows.map((r) => r.durationMs)),
        dns: {
            addresses: sessions.map((s) => ({ address: s.address, family: s.family })),
            durationMs: rows[0]?.timings.dns ?? 0,
            ...(sessions.length === 0 && deciding.errorCode ? { errorCode: deciding.errorCode } : {}),
        },
        sessions,
    };
}
function failedFinding(p, vantage, error) {
    return {
        rule: 'vantage-failed',
        vantage,
        severity: 'error',
        message: `could not probe from ${vantage}: ${error}`,
        hint: 'Check the vantage: its credentials and permissions (lambda:InvokeFunction or lambda:InvokeFunctionUrl), region and function name.',
        target: p.target.name,
        host: p.target.host,
        port: p.port.port,
        address: null,
        ...(p.port.location ? { location: p.port.location } : {}),
    };
}
function forbiddenFinding(p, vantage, row) {
    return {
        rule: 'forbidden-destination',
        vantage,
        severity: 'error',
        message: row.explanation,
        hint: row.hint ?? 'Probe this destination from a runner that may reach it.',
        target: p.target.name,
        host: p.target.host,
        port: p.port.port,
        address: row.address,
        ...(p.port.location ? { location: p.port.location } : {}),
    };
}
const PLATFORM_HINTS = {
    'aws-lambda': (port) => port === 25
        ? 'AWS blocks outbound port 25 from Lambda outside a VPC (and from EC2 unless AWS lifts it): submit on 587, 465 or 2525, or run in a VPC behind a NAT gateway whose port-25 limit AWS has lifted.'
        : `Check the egress rules of this function's network (VPC security group, NACL, NAT) for port ${port}.`,
    'function-url': (port) => PLATFORM_HINTS['aws-lambda'](port),
    runner: (port) => port === 25
        ? 'GitHub-hosted runners run in Azure, which blocks outbound port 25 for most subscriptions: submit on 587, 465 or 2525.'
        : `The network this runs on drops port ${port} outbound: check its egress firewall.`,
};
/**
 * When a port works from one vantage and its connection times out from another, the second network
 * blocks it: say so with the platform's known policy, in place of the single-vantage guess.
 */
function diagnoseEgress(planned, vantages, statuses, findings) {
    const added = [];
    const replaced = new Set();
    planned.forEach((p, i) => {
        const working = vantages.filter((v) => statuses.get(v.label)?.[i] === 'ok').map((v) => v.label);
        if (working.length === 0)
            return;
        for (const v of vantages) {
            const guess = findings.find((f) => f.vantage === v.label &&
                f.rule === 'egress-blocked-likely' &&
                f.target === p.target.name &&
                f.port === p.port.port);
            if (!guess)
                continue;
            replaced.add(guess);
            added.push({
                ...guess,
                rule: 'egress-blocked',
                message: `port ${p.port.port} works from ${working.join(', ')} but times out from ${v.label}: this network blocks it`,
                hint: PLATFORM_HINTS[v.kind](p.port.port),
            });
        }
    });
    return [...findings.filter((f) => !replaced.has(f)), ...added];
}


/***/ })

};

//# sourceMappingURL=479.index.js.map