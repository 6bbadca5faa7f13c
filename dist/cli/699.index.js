export const id = 699;
export const ids = [699];
export const modules = {

/***/ 2699:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runDemo: () => (/* binding */ runDemo)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/plan/build.ts + 2 modules
var build = __webpack_require__(73);
// EXTERNAL MODULE: ./src/run/pipeline.ts + 14 modules
var pipeline = __webpack_require__(1167);
// EXTERNAL MODULE: ./node_modules/reflect-metadata/Reflect.js
var Reflect = __webpack_require__(477);
// EXTERNAL MODULE: ./node_modules/@peculiar/x509/build/x509.cjs.js
var x509_cjs = __webpack_require__(8927);
;// CONCATENATED MODULE: ./src/demo/certificates.ts
/**
 * Certificates made in-process with @peculiar/x509 on WebCrypto (ECDSA P-256), for the demo's local
 * servers and for the tests. Nothing is written to disk.
 */



x509_cjs/* cryptoProvider */.Ve.set(globalThis.crypto);
const DAY = 24 * 60 * 60 * 1000;
const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' };
async function generateKeys() {
    return external_node_crypto_.webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify']);
}
async function privateKeyPem(key) {
    const pkcs8 = await external_node_crypto_.webcrypto.subtle.exportKey('pkcs8', key);
    return x509_cjs/* PemConverter */.v6.encode(pkcs8, 'PRIVATE KEY');
}
function randomSerial() {
    // 16 random bytes with the top bit cleared so the INTEGER stays positive.
    const bytes = external_node_crypto_.webcrypto.getRandomValues(new Uint8Array(16));
    bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
    return Buffer.from(bytes).toString('hex');
}
function escapeRdn(value) {
    return value.replace(/([,+"\\<>;=])/g, '\\$1');
}
function sanExtension(opts) {
    const names = [
        ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns', value })),
        ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip', value })),
    ];
    return new x509_cjs/* SubjectAlternativeNameExtension */.Wx(names, false);
}
async function leafExtensions(opts, publicKey, issuerKey) {
    return [
        new x509_cjs/* BasicConstraintsExtension */.WA(false, undefined, true),
        new x509_cjs/* KeyUsagesExtension */.hy(x509_cjs/* KeyUsageFlags */.Ob.digitalSignature, true),
        new x509_cjs/* ExtendedKeyUsageExtension */.j6([x509_cjs/* ExtendedKeyUsage */.CD.serverAuth], false),
        sanExtension(opts),
        await x509_cjs/* SubjectKeyIdentifierExtension */.QE.create(publicKey),
        await x509_cjs/* AuthorityKeyIdentifierExtension */.Z$.create(issuerKey),
    ];
}
/** Self-signed CA certificate (basicConstraints CA:true, keyCertSign + cRLSign). */
async function createCa(name = 'smtp-probe test CA') {
    const keys = await generateKeys();
    const cert = await x509_cjs/* X509CertificateGenerator */.Jy.createSelfSigned({
        serialNumber: randomSerial(),
        name: `CN=${escapeRdn(name)}`,
        notBefore: new Date(Date.now() - DAY),
        notAfter: new Date(Date.now() + 3650 * DAY),
        signingAlgorithm: SIGN_ALG,
        keys,
        extensions: [
            new x509_cjs/* BasicConstraintsExtension */.WA(true, undefined, true),
            new x509_cjs/* KeyUsagesExtension */.hy(x509_cjs/* KeyUsageFlags */.Ob.keyCertSign | x509_cjs/* KeyUsageFlags */.Ob.cRLSign, true),
            await x509_cjs/* SubjectKeyIdentifierExtension */.QE.create(keys.publicKey),
        ],
    });
    return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey), x509: cert, keys };
}
/** Server certificate signed by `ca`, with SAN (dns + ip) and serverAuth EKU. */
async function createLeaf(ca, opts) {
    const keys = await generateKeys();
    const cert = await x509_cjs/* X509CertificateGenerator */.Jy.create({
        serialNumber: randomSerial(),
        subject: `CN=${escapeRdn(opts.commonName)}`,
        issuer: ca.x509.subject,
        notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
        notAfter: opts.notAfter ?? new Date(Date.now() + 90 * DAY),
        signingAlgorithm: SIGN_ALG,
        publicKey: keys.publicKey,
        signingKey: ca.keys.privateKey,
        extensions: await leafExtensions(opts, keys.publicKey, ca.keys.publicKey),
    });
    return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}
/** Self-signed server certificate (not a CA) with SAN and serverAuth EKU. */
async function createSelfSigned(opts) {
    const keys = await generateKeys();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: randomSerial(),
        name: `CN=${escapeRdn(opts.commonName)}`,
        notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
        notAfter: opts.notAfter ?? new Date(Date.now() + 90 * DAY),
        signingAlgorithm: SIGN_ALG,
        keys,
        extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
            new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
            sanExtension(opts),
            await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
    });
    return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(7030);
var external_node_net_default = /*#__PURE__*/__webpack_require__.n(external_node_net_);
// EXTERNAL MODULE: ./node_modules/smtp-server/dist/esm/smtp-server.js + 13 modules
var smtp_server = __webpack_require__(4725);
;// CONCATENATED MODULE: ./src/demo/servers.ts


/**
 * smtp-server 3.21 starts an implicit-TLS handshake one `setImmediate` after accepting a socket; if the
 * socket is destroyed in between, it wraps the dead socket anyway and Node 20 segfaults in
 * `SSL_get_version` (seen here with gdb). Refuse the upgrade of a socket that is already gone.
 */
function guardImplicitTlsUpgrade(server) {
    const upgrade = server._upgrade.bind(server);
    server._upgrade = (socket, callback) => {
        if (socket.destroyed) {
            callback(Object.assign(new Error('socket closed before the TLS handshake'), { code: 'ECONNRESET' }));
            return;
        }
        upgrade(socket, callback);
    };
}
/** An smtp-server on 127.0.0.1 at a free port that accepts no mail; close() drops every connection. */
async function startLocalSmtp(options) {
    const server = new smtp_server/* SMTPServer */.C({
        logger: false,
        disableReverseLookup: true,
        closeTimeout: 200,
        onData(stream, _session, callback) {
            stream.on('end', () => callback(Object.assign(new Error('this demo server takes no mail'), { responseCode: 554 })));
            stream.resume();
        },
        ...options,
    });
    guardImplicitTlsUpgrade(server);
    server.on('error', () => { });
    const sockets = new Set();
    server.server.on('connection', (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
    });
    const port = await new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server.server.address().port));
    });
    return {
        port,
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            for (const socket of sockets)
                socket.destroy();
        }),
    };
}
/** A port on 127.0.0.1 where nothing listens: bound, then released. */
async function closedPort() {
    const server = external_node_net_default().createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    await new Promise((resolve) => server.close(() => resolve()));
    return port;
}

;// CONCATENATED MODULE: ./src/demo/run.ts








const run_DAY = 86_400_000;
const LOCAL = { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
/**
 * Starts local SMTP servers (STARTTLS with AUTH, implicit TLS, one whose certificate expires in 9 days,
 * and a closed port), writes a config for them, and probes them through the same path as a real run:
 * config file, plan, probes, findings. Needs no network beyond loopback.
 */
async function runDemo(options) {
    const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), 'smtp-probe-demo-'));
    const servers = [];
    try {
        const ca = await createCa('smtp-probe demo CA');
        const [valid, expiring] = await Promise.all([
            createLeaf(ca, LOCAL),
            createLeaf(ca, { ...LOCAL, notAfter: new Date(Date.now() + 9 * run_DAY + 3_600_000) }),
        ]);
        const password = (0,external_node_crypto_.randomBytes)(12).toString('hex');
        const credentials = { username: 'demo', password };
        const start = async (extra) => {
            const server = await startLocalSmtp(extra);
            servers.push(server);
            return server.port;
        };
        const relay = await start({
            key: valid.key,
            cert: valid.cert,
            authMethods: ['PLAIN', 'LOGIN'],
            onAuth: (auth, _session, callback) => auth.username === credentials.username && auth.password === credentials.password
                ? callback(null, { user: auth.username })
                : callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 })),
        });
        const smtps = await start({
            secure: true,
            key: valid.key,
            cert: valid.cert,
            authOptional: true,
            disabledCommands: ['AUTH'],
        });
        const aging = await start({
            key: expiring.key,
            cert: expiring.cert,
            authOptional: true,
            disabledCommands: ['AUTH'],
        });
        const closed = await closedPort();
        await (0,promises_.writeFile)((0,external_node_path_.join)(dir, 'ca.pem'), ca.cert);
        const config = demoConfig({ relay, smtps, aging, closed });
        await (0,promises_.writeFile)((0,external_node_path_.join)(dir, 'smtp-probe.yml'), config);
        options.say(`demo: local SMTP servers on 127.0.0.1 ports ${relay}, ${smtps}, ${aging}; nothing on ${closed}`);
        options.say(`demo: probing them with this config:\n\n${config.replace(/^/gm, '    ')}`);
        const { plan } = await (0,build/* buildPlan */.G)({
            targets: [],
            configPath: 'smtp-probe.yml',
            ...(options.failOn ? { failOn: options.failOn } : {}),
            env: { DEMO_SMTP_USER: credentials.username, DEMO_SMTP_PASSWORD: credentials.password },
            cwd: dir,
        });
        return await (0,pipeline/* runPlan */.F)(plan);
    }
    finally {
        await Promise.all(servers.map((s) => s.close()));
        await (0,promises_.rm)(dir, { recursive: true, force: true });
    }
}
function demoConfig(ports) {
    return `# The demo's config: the same format as .github/smtp-probe.yml
fail_on: error
defaults:
  timeout: 5s
  tls:
    ca_file: ca.pem              # the demo's private CA, as a company relay would have
targets:
  - name: relay
    host: 127.0.0.1
    ports: [${ports.closed}, ${ports.relay}]       # alternatives: the closed one stands for a blocked 587
    require: any
    username_env: DEMO_SMTP_USER
    password_env: DEMO_SMTP_PASSWORD
    envelope: { from: app@demo.test, to: ops@demo.test }
  - name: smtps
    host: 127.0.0.1
    ports:
      - { port: ${ports.smtps}, mode: tls }
  - name: aging-certificate
    host: 127.0.0.1
    ports: [${ports.aging}]
    expect:
      cert: { min_days: 30 }
`;
}


/***/ })

};

//# sourceMappingURL=699.index.js.map