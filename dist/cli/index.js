#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 1916:
/***/ ((__unused_webpack_module, exports) => {

var __webpack_unused_export__;

__webpack_unused_export__ = true;
exports.Io = exports.kp = void 0;
var peq = new Uint32Array(0x10000);
var myers_32 = function (a, b) {
    var n = a.length;
    var m = b.length;
    var lst = 1 << (n - 1);
    var pv = -1;
    var mv = 0;
    var sc = n;
    var i = n;
    while (i--) {
        peq[a.charCodeAt(i)] |= 1 << i;
    }
    for (i = 0; i < m; i++) {
        var eq = peq[b.charCodeAt(i)];
        var xv = eq | mv;
        eq |= ((eq & pv) + pv) ^ pv;
        mv |= ~(eq | pv);
        pv &= eq;
        if (mv & lst) {
            sc++;
        }
        if (pv & lst) {
            sc--;
        }
        mv = (mv << 1) | 1;
        pv = (pv << 1) | ~(xv | mv);
        mv &= xv;
    }
    i = n;
    while (i--) {
        peq[a.charCodeAt(i)] = 0;
    }
    return sc;
};
var myers_x = function (b, a) {
    var n = a.length;
    var m = b.length;
    var mhc = [];
    var phc = [];
    var hsize = Math.ceil(n / 32);
    var vsize = Math.ceil(m / 32);
    for (var i = 0; i < hsize; i++) {
        phc[i] = -1;
        mhc[i] = 0;
    }
    var j = 0;
    for (; j < vsize - 1; j++) {
        var mv_1 = 0;
        var pv_1 = -1;
        var start_1 = j * 32;
        var vlen_1 = Math.min(32, m) + start_1;
        for (var k = start_1; k < vlen_1; k++) {
            peq[b.charCodeAt(k)] |= 1 << k;
        }
        for (var i = 0; i < n; i++) {
            var eq = peq[a.charCodeAt(i)];
            var pb = (phc[(i / 32) | 0] >>> i) & 1;
            var mb = (mhc[(i / 32) | 0] >>> i) & 1;
            var xv = eq | mv_1;
            var xh = ((((eq | mb) & pv_1) + pv_1) ^ pv_1) | eq | mb;
            var ph = mv_1 | ~(xh | pv_1);
            var mh = pv_1 & xh;
            if ((ph >>> 31) ^ pb) {
                phc[(i / 32) | 0] ^= 1 << i;
            }
            if ((mh >>> 31) ^ mb) {
                mhc[(i / 32) | 0] ^= 1 << i;
            }
            ph = (ph << 1) | pb;
            mh = (mh << 1) | mb;
            pv_1 = mh | ~(xv | ph);
            mv_1 = ph & xv;
        }
        for (var k = start_1; k < vlen_1; k++) {
            peq[b.charCodeAt(k)] = 0;
        }
    }
    var mv = 0;
    var pv = -1;
    var start = j * 32;
    var vlen = Math.min(32, m - start) + start;
    for (var k = start; k < vlen; k++) {
        peq[b.charCodeAt(k)] |= 1 << k;
    }
    var score = m;
    for (var i = 0; i < n; i++) {
        var eq = peq[a.charCodeAt(i)];
        var pb = (phc[(i / 32) | 0] >>> i) & 1;
        var mb = (mhc[(i / 32) | 0] >>> i) & 1;
        var xv = eq | mv;
        var xh = ((((eq | mb) & pv) + pv) ^ pv) | eq | mb;
        var ph = mv | ~(xh | pv);
        var mh = pv & xh;
        score += (ph >>> (m - 1)) & 1;
        score -= (mh >>> (m - 1)) & 1;
        if ((ph >>> 31) ^ pb) {
            phc[(i / 32) | 0] ^= 1 << i;
        }
        if ((mh >>> 31) ^ mb) {
            mhc[(i / 32) | 0] ^= 1 << i;
        }
        ph = (ph << 1) | pb;
        mh = (mh << 1) | mb;
        pv = mh | ~(xv | ph);
        mv = ph & xv;
    }
    for (var k = start; k < vlen; k++) {
        peq[b.charCodeAt(k)] = 0;
    }
    return score;
};
var distance = function (a, b) {
    if (a.length < b.length) {
        var tmp = b;
        b = a;
        a = tmp;
    }
    if (b.length === 0) {
        return a.length;
    }
    if (a.length <= 32) {
        return myers_32(a, b);
    }
    return myers_x(a, b);
};
exports.Io = distance;
var closest = function (str, arr) {
    var min_distance = Infinity;
    var min_index = 0;
    for (var i = 0; i < arr.length; i++) {
        var dist = distance(str, arr[i]);
        if (dist < min_distance) {
            min_distance = dist;
            min_index = i;
        }
    }
    return arr[min_index];
};
exports.kp = closest;


/***/ }),

/***/ 744:
/***/ ((module) => {

/**
 * Helpers.
 */

var s = 1000;
var m = s * 60;
var h = m * 60;
var d = h * 24;
var w = d * 7;
var y = d * 365.25;

/**
 * Parse or format the given `val`.
 *
 * Options:
 *
 *  - `long` verbose formatting [false]
 *
 * @param {String|Number} val
 * @param {Object} [options]
 * @throws {Error} throw an error if val is not a non-empty string or a number
 * @return {String|Number}
 * @api public
 */

module.exports = function (val, options) {
  options = options || {};
  var type = typeof val;
  if (type === 'string' && val.length > 0) {
    return parse(val);
  } else if (type === 'number' && isFinite(val)) {
    return options.long ? fmtLong(val) : fmtShort(val);
  }
  throw new Error(
    'val is not a non-empty string or a valid number. val=' +
      JSON.stringify(val)
  );
};

/**
 * Parse the given `str` and return milliseconds.
 *
 * @param {String} str
 * @return {Number}
 * @api private
 */

function parse(str) {
  str = String(str);
  if (str.length > 100) {
    return;
  }
  var match = /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i.exec(
    str
  );
  if (!match) {
    return;
  }
  var n = parseFloat(match[1]);
  var type = (match[2] || 'ms').toLowerCase();
  switch (type) {
    case 'years':
    case 'year':
    case 'yrs':
    case 'yr':
    case 'y':
      return n * y;
    case 'weeks':
    case 'week':
    case 'w':
      return n * w;
    case 'days':
    case 'day':
    case 'd':
      return n * d;
    case 'hours':
    case 'hour':
    case 'hrs':
    case 'hr':
    case 'h':
      return n * h;
    case 'minutes':
    case 'minute':
    case 'mins':
    case 'min':
    case 'm':
      return n * m;
    case 'seconds':
    case 'second':
    case 'secs':
    case 'sec':
    case 's':
      return n * s;
    case 'milliseconds':
    case 'millisecond':
    case 'msecs':
    case 'msec':
    case 'ms':
      return n;
    default:
      return undefined;
  }
}

/**
 * Short format for `ms`.
 *
 * @param {Number} ms
 * @return {String}
 * @api private
 */

function fmtShort(ms) {
  var msAbs = Math.abs(ms);
  if (msAbs >= d) {
    return Math.round(ms / d) + 'd';
  }
  if (msAbs >= h) {
    return Math.round(ms / h) + 'h';
  }
  if (msAbs >= m) {
    return Math.round(ms / m) + 'm';
  }
  if (msAbs >= s) {
    return Math.round(ms / s) + 's';
  }
  return ms + 'ms';
}

/**
 * Long format for `ms`.
 *
 * @param {Number} ms
 * @return {String}
 * @api private
 */

function fmtLong(ms) {
  var msAbs = Math.abs(ms);
  if (msAbs >= d) {
    return plural(ms, msAbs, d, 'day');
  }
  if (msAbs >= h) {
    return plural(ms, msAbs, h, 'hour');
  }
  if (msAbs >= m) {
    return plural(ms, msAbs, m, 'minute');
  }
  if (msAbs >= s) {
    return plural(ms, msAbs, s, 'second');
  }
  return ms + ' ms';
}

/**
 * Pluralization helper.
 */

function plural(ms, msAbs, n, name) {
  var isPlural = msAbs >= n * 1.5;
  return Math.round(ms / n) + ' ' + name + (isPlural ? 's' : '');
}


/***/ }),

/***/ 7336:
/***/ ((module) => {

let p = process || {}, argv = p.argv || [], env = p.env || {}
let isColorSupported =
	!(!!env.NO_COLOR || argv.includes("--no-color")) &&
	(!!env.FORCE_COLOR || argv.includes("--color") || p.platform === "win32" || ((p.stdout || {}).isTTY && env.TERM !== "dumb") || !!env.CI)

let formatter = (open, close, replace = open) =>
	input => {
		let string = "" + input, index = string.indexOf(close, open.length)
		return ~index ? open + replaceClose(string, close, replace, index) + close : open + string + close
	}

let replaceClose = (string, close, replace, index) => {
	let result = "", cursor = 0
	do {
		result += string.substring(cursor, index) + replace
		cursor = index + close.length
		index = string.indexOf(close, cursor)
	} while (~index)
	return result + string.substring(cursor)
}

let createColors = (enabled = isColorSupported) => {
	let f = enabled ? formatter : () => String
	return {
		isColorSupported: enabled,
		reset: f("\x1b[0m", "\x1b[0m"),
		bold: f("\x1b[1m", "\x1b[22m", "\x1b[22m\x1b[1m"),
		dim: f("\x1b[2m", "\x1b[22m", "\x1b[22m\x1b[2m"),
		italic: f("\x1b[3m", "\x1b[23m"),
		underline: f("\x1b[4m", "\x1b[24m"),
		inverse: f("\x1b[7m", "\x1b[27m"),
		hidden: f("\x1b[8m", "\x1b[28m"),
		strikethrough: f("\x1b[9m", "\x1b[29m"),

		black: f("\x1b[30m", "\x1b[39m"),
		red: f("\x1b[31m", "\x1b[39m"),
		green: f("\x1b[32m", "\x1b[39m"),
		yellow: f("\x1b[33m", "\x1b[39m"),
		blue: f("\x1b[34m", "\x1b[39m"),
		magenta: f("\x1b[35m", "\x1b[39m"),
		cyan: f("\x1b[36m", "\x1b[39m"),
		white: f("\x1b[37m", "\x1b[39m"),
		gray: f("\x1b[90m", "\x1b[39m"),

		bgBlack: f("\x1b[40m", "\x1b[49m"),
		bgRed: f("\x1b[41m", "\x1b[49m"),
		bgGreen: f("\x1b[42m", "\x1b[49m"),
		bgYellow: f("\x1b[43m", "\x1b[49m"),
		bgBlue: f("\x1b[44m", "\x1b[49m"),
		bgMagenta: f("\x1b[45m", "\x1b[49m"),
		bgCyan: f("\x1b[46m", "\x1b[49m"),
		bgWhite: f("\x1b[47m", "\x1b[49m"),

		blackBright: f("\x1b[90m", "\x1b[39m"),
		redBright: f("\x1b[91m", "\x1b[39m"),
		greenBright: f("\x1b[92m", "\x1b[39m"),
		yellowBright: f("\x1b[93m", "\x1b[39m"),
		blueBright: f("\x1b[94m", "\x1b[39m"),
		magentaBright: f("\x1b[95m", "\x1b[39m"),
		cyanBright: f("\x1b[96m", "\x1b[39m"),
		whiteBright: f("\x1b[97m", "\x1b[39m"),

		bgBlackBright: f("\x1b[100m", "\x1b[49m"),
		bgRedBright: f("\x1b[101m", "\x1b[49m"),
		bgGreenBright: f("\x1b[102m", "\x1b[49m"),
		bgYellowBright: f("\x1b[103m", "\x1b[49m"),
		bgBlueBright: f("\x1b[104m", "\x1b[49m"),
		bgMagentaBright: f("\x1b[105m", "\x1b[49m"),
		bgCyanBright: f("\x1b[106m", "\x1b[49m"),
		bgWhiteBright: f("\x1b[107m", "\x1b[49m"),
	}
}

module.exports = createColors()
module.exports.createColors = createColors


/***/ }),

/***/ 486:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6709);

// Ctrl-C ends the probes still running as `aborted` and still prints the report.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted (SIGINT)')));
process.exitCode = await (0,_main_js__WEBPACK_IMPORTED_MODULE_0__/* .main */ .iW)(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
});

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 6709:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  iW: () => (/* binding */ main)
});

// UNUSED EXPORTS: DEFAULT_CONFIG, EXIT, emit

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/plan/build.ts + 2 modules
var build = __nccwpck_require__(73);
;// CONCATENATED MODULE: ./src/plan/config-spelling.ts
/** How the config file names each setting, for hints about what a config line produced. */
const CONFIG_SPELLING = {
    targets: '`targets` in the config file',
    config: 'the config file',
    ports: '`ports` of the target in the config file',
    mode: '`mode` in the config file',
    timeout: '`defaults.timeout` in the config file',
    connect_timeout: '`defaults.connect_timeout` in the config file',
    greeting_timeout: '`defaults.greeting_timeout` in the config file',
    command_timeout: '`defaults.command_timeout` in the config file',
    overall_timeout: '`defaults.overall_timeout` in the config file',
    concurrency: '`defaults.concurrency` in the config file',
    retries: '`defaults.retries` in the config file',
    helo: '`defaults.helo` in the config file',
    ca: '`defaults.tls.ca_file` in the config file',
    min_tls: '`expect.min_tls` in the config file',
    'expect.tls': '`expect.tls` in the config file',
    'expect.cert.min_days': '`expect.cert.min_days` in the config file',
    auth: '`username_env` and `password_env` of the target in the config file',
    allow_unverified_auth: '`defaults.tls.allow_unverified_auth: true` in the config file',
    allow_plaintext_auth: '`defaults.tls.allow_plaintext_auth: true` in the config file',
    envelope: '`envelope` of the target in the config file',
    fail_on: '`fail_on` in the config file',
    vantages: 'the vantages',
    controls: '`controls` in the config file',
    gcp_id_token: 'the Google ID token (input `gcp-id-token`, or SMTP_PROBE_GCP_ID_TOKEN for the CLI)',
};

// EXTERNAL MODULE: ./src/plan/types.ts
var types = __nccwpck_require__(9898);
// EXTERNAL MODULE: ./src/probe/index.ts + 22 modules
var probe = __nccwpck_require__(3349);
;// CONCATENATED MODULE: ./src/report/json.ts
/**
 * The machine view: the Report itself, described by `report.schema.json`. Keys are written in one
 * fixed order (the schema's, which is the model's) whatever order the object was built in, so that two
 * runs diff cleanly and two reports read alike whatever built them.
 */

/**
 * The order of every closed object's keys; a test holds it equal to the schema's `properties`. Open
 * maps (`sorted`) have no order of their own, so theirs is alphabetical.
 */
const KEY_ORDER = {
    report: [
        'schemaVersion',
        ['tool', 'tool'],
        'startedAt',
        'durationMs',
        'configFile',
        ['vantages', 'vantageReport'],
        ['results', 'row'],
        ['findings', 'finding'],
        ['recommendations', 'recommendation'],
        ['verdict', 'verdict'],
    ],
    tool: ['name', 'version'],
    vantageReport: ['label', 'kind', 'region', ['facts', 'vantageFacts'], 'error'],
    vantageFacts: [
        'provider',
        'region',
        'functionName',
        'functionVersion',
        'runtime',
        'architecture',
        'requestId',
    ],
    row: [
        'target',
        'vantage',
        'control',
        'host',
        'port',
        'mode',
        'address',
        'family',
        'status',
        'stage',
        ['reply', 'reply'],
        'errorCode',
        'explanation',
        'hint',
        'durationMs',
        ['timings', 'timings'],
        ['smtp', 'smtp'],
        ['tls', 'tls'],
        ['auth', 'auth'],
        ['envelope', 'envelope'],
        'retries',
        ['transcript', 'transcriptLine'],
        'transcriptTruncated',
    ],
    reply: ['code', 'enhanced', 'lines'],
    timings: probe/* STAGES */.an,
    smtp: [
        ['greeting', 'greeting'],
        'heloFallback',
        ['ehlo', 'ehlo'],
        ['ehloAfterTls', 'ehlo'],
        'starttlsInjectedBytes',
        'starttlsInjectedSample',
    ],
    greeting: ['code', 'text'],
    ehlo: [
        'domain',
        ['keywords', 'keywords'],
        'size',
        'pipelining',
        'eightBitMime',
        'smtpUtf8',
        'chunking',
        'starttls',
        'enhancedStatusCodes',
        'dsn',
        'auth',
    ],
    keywords: 'sorted',
    tls: [
        'mode',
        'protocol',
        'cipher',
        'servername',
        'trusted',
        'trustError',
        'hostnameMatch',
        'hostnameError',
        ['certificate', 'certificate'],
        ['chain', 'chainCertificate'],
    ],
    certificate: [
        'subject',
        'issuer',
        'subjectAltNames',
        'validFrom',
        'validTo',
        'daysUntilExpiry',
        'expired',
        'notYetValid',
        'fingerprint256',
        'serialNumber',
        'selfSigned',
    ],
    chainCertificate: ['subject', 'issuer', 'validTo', 'fingerprint256'],
    auth: ['mechanism', 'outcome', 'withheld', ['reply', 'reply']],
    envelope: ['from', 'to', ['mailFrom', 'reply'], ['rcptTo', 'reply']],
    transcriptLine: ['at', 'dir', 'text'],
    finding: [
        'rule',
        'vantage',
        'control',
        'severity',
        'message',
        'hint',
        'target',
        'host',
        'port',
        'address',
        ['location', 'location'],
    ],
    location: ['file', 'line', 'column'],
    recommendation: ['target', 'vantage', 'port', 'mode', 'outcome', 'reason'],
    verdict: ['pass', 'failOn', 'errors', 'warnings', 'notices'],
};
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** A copy of `value` with its keys in the shape's order; keys the shape does not know follow, as found. */
function ordered(value, shape) {
    if (Array.isArray(value))
        return value.map((item) => ordered(item, shape));
    if (shape === undefined || !isRecord(value))
        return value;
    const order = KEY_ORDER[shape];
    const out = {};
    for (const field of order === 'sorted' ? Object.keys(value).sort() : order) {
        const [key, nested] = typeof field === 'string' ? [field, undefined] : field;
        if (Object.hasOwn(value, key))
            out[key] = ordered(value[key], nested);
    }
    // Unknown keys are kept, not dropped: losing data silently is worse than an unexpected key, and the
    // schema (additionalProperties: false) is what tells a consumer about them.
    for (const key of Object.keys(value)) {
        if (!Object.hasOwn(out, key))
            out[key] = value[key];
    }
    return out;
}
/** The report as pretty-printed JSON (2 spaces, trailing newline), keys in the schema's order. */
function renderJson(report) {
    return `${JSON.stringify(ordered(report, 'report'), null, 2)}\n`;
}

// EXTERNAL MODULE: ./src/result/vantage-words.ts
var vantage_words = __nccwpck_require__(4871);
;// CONCATENATED MODULE: ./src/report/row-view.ts
const RANK = { error: 3, warning: 2, notice: 1 };
/** A finding with address null judges every address of its port; otherwise exactly one session. */
function belongsTo(finding, row) {
    return (finding.vantage === row.vantage &&
        finding.target === row.target &&
        finding.port === row.port &&
        (finding.address === null || finding.address === row.address));
}
function findingsFor(report, row) {
    return report.findings.filter((finding) => belongsTo(finding, row));
}
/** Findings that match no row (a plan bug, or a hand-built report): views must still show them. */
function unmatchedFindings(report) {
    return report.findings.filter((finding) => !report.results.some((row) => belongsTo(finding, row)));
}
/** The worst severity among findings, or null when there are none. */
function worstSeverity(findings) {
    let worst = null;
    for (const { severity } of findings) {
        if (worst === null || RANK[severity] > RANK[worst])
            worst = severity;
    }
    return worst;
}
/**
 * Whether findings of this severity make the run fail under the verdict's `failOn`: what CI systems
 * must show as a failure so that they agree with the exit code.
 */
function failsRun(severity, failOn) {
    if (failOn === 'never')
        return false;
    return RANK[severity] >= RANK[failOn];
}
/** `mail.example.com:587`, with an IPv6 literal bracketed so the port stays readable. */
function hostPort(host, port) {
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
/** `mail.example.com:587 (192.0.2.1)`; `(no address)` when DNS gave none. */
function rowLabel(row) {
    return `${hostPort(row.host, row.port)} (${row.address ?? 'no address'})`;
}
/** Whether the run had several vantages: then every view names the vantage of each row and finding. */
function manyVantages(report) {
    return report.vantages.length > 1;
}
/** Whether views open with the matrix: with several vantages, or with controls to tell apart. */
function showsMatrix(report) {
    return manyVantages(report) || report.results.some((row) => row.control);
}
/**
 * What a row or a finding is about, for people: `relay 192.0.2.1:587 (192.0.2.1)`, the target's name
 * first unless it is just the host, the address only when there is one, and the vantage when the run
 * had several.
 */
function where(about, withVantage) {
    const name = about.target === about.host ? '' : `${about.target} `;
    const from = withVantage ? ` from ${about.vantage}` : '';
    return `${name}${hostPort(about.host, about.port)}${about.address === null ? '' : ` (${about.address})`}${from}`;
}
/** The vantages that could not answer, one line each. */
function vantageErrors(report) {
    return report.vantages.filter((v) => v.error).map((v) => `${v.label}: ${v.error}`);
}
/** The rule ids of a row's findings, worst first, each once: what a table shows beside the status. */
function ruleIds(findings) {
    const sorted = [...findings].sort((a, b) => RANK[b.severity] - RANK[a.severity]);
    return [...new Set(sorted.map((f) => f.rule))];
}
function plural(count, word) {
    return `${count} ${word}${count === 1 ? '' : 's'}`;
}
/** `PASS`, `PASS: 1 warning (fail-on: error)` or `FAIL: 2 errors, 1 warning (fail-on: error)`. */
function verdictLine(verdict) {
    const counts = [
        verdict.errors > 0 ? plural(verdict.errors, 'error') : '',
        verdict.warnings > 0 ? plural(verdict.warnings, 'warning') : '',
        verdict.notices > 0 ? plural(verdict.notices, 'notice') : '',
    ].filter(Boolean);
    const word = verdict.pass ? 'PASS' : 'FAIL';
    if (counts.length === 0)
        return verdict.pass ? word : `${word} (fail-on: ${verdict.failOn})`;
    return `${word}: ${counts.join(', ')} (fail-on: ${verdict.failOn})`;
}
/** Rows grouped by target, in the order targets first appear. */
function rowsByTarget(rows) {
    const groups = new Map();
    for (const row of rows) {
        const group = groups.get(row.target);
        if (group)
            group.push(row);
        else
            groups.set(row.target, [row]);
    }
    return groups;
}
// C0 and C1 controls would let a hostile server move the cursor, recolour or clear a terminal, and
// XML 1.0 forbids most of them outright; bidi controls can make text read differently from what it is
// (CVE-2021-42574). Lone surrogates are not characters at all.
const UNSAFE = 
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|\p{Cs}/gu;
/** Text from a server or a remote report, made safe to show on one line anywhere. */
function oneLine(text) {
    return text.replace(/[\t\r\n]+/g, ' ').replace(UNSAFE, '\uFFFD');
}

;// CONCATENATED MODULE: ./src/report/matrix.ts


/** The rules that attribute a failure to a network or a target: the cell's verdict when present. */
const ATTRIBUTION = [
    'egress-blocked',
    'target-filtered',
    'target-down',
    'inconclusive',
    'egress-blocked-likely',
];
const matrix_RANK = { error: 3, warning: 2, notice: 1 };
const rowKey = (target, port) => `${target}\u0000${port}`;
function verdictOf(findings) {
    const attribution = findings.find((f) => ATTRIBUTION.includes(f.rule));
    if (attribution)
        return attribution.rule;
    const worst = [...findings].sort((a, b) => matrix_RANK[b.severity] - matrix_RANK[a.severity])[0];
    return worst?.rule ?? null;
}
function cellOf(report, row, vantage, rows) {
    const findings = report.findings.filter((f) => f.vantage === vantage && f.target === row.target && f.port === row.port);
    const statuses = [...new Set(rows.map((r) => r.status))];
    const failed = report.vantages.find((v) => v.label === vantage)?.error;
    const unanswered = rows.length === 0 && (failed ?? findings.find((f) => f.rule === 'vantage-failed'));
    return {
        vantage,
        rows,
        status: unanswered ? 'no answer' : rows.length === 0 ? '-' : statuses.join('/'),
        latencyMs: rows.length === 0 ? null : Math.max(...rows.map((r) => r.durationMs)),
        findings,
        verdict: verdictOf(findings),
        severity: worstSeverity(findings),
        ...(unanswered ? { error: typeof unanswered === 'string' ? unanswered : unanswered.message } : {}),
    };
}
/** The matrix of a report: rows in the order targets first appear (results, then findings). */
function buildMatrix(report) {
    const rows = new Map();
    const sessions = new Map();
    for (const r of report.results) {
        const key = rowKey(r.target, r.port);
        if (!rows.has(key)) {
            rows.set(key, {
                target: r.target,
                host: r.host,
                port: r.port,
                mode: r.mode,
                control: r.control === true,
                cells: [],
            });
        }
        const cell = `${key}\u0000${r.vantage}`;
        sessions.set(cell, [...(sessions.get(cell) ?? []), r]);
    }
    for (const f of report.findings) {
        const key = rowKey(f.target, f.port);
        if (!rows.has(key)) {
            rows.set(key, {
                target: f.target,
                host: f.host,
                port: f.port,
                mode: null,
                control: f.control === true,
                cells: [],
            });
        }
    }
    const labels = report.vantages.map((v) => v.label);
    // A finding may name a vantage the report does not list (a hand-built report): it gets a column too.
    for (const f of report.findings)
        if (!labels.includes(f.vantage))
            labels.push(f.vantage);
    const matrixRows = [...rows.values()].map((row) => ({
        ...row,
        cells: labels.map((label) => cellOf(report, row, label, sessions.get(`${rowKey(row.target, row.port)}\u0000${label}`) ?? [])),
    }));
    return {
        vantages: labels.map((label) => {
            const v = report.vantages.find((x) => x.label === label);
            return { label, title: v ? (0,vantage_words/* vantageTitle */.f9)(v) : label };
        }),
        rows: matrixRows,
    };
}
/** `12 ms`, `1.2 s`: short enough for a matrix cell. */
function latencyText(ms) {
    if (ms === null)
        return '';
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

;// CONCATENATED MODULE: ./src/report/junit.ts


/**
 * XML 1.0 §2.2 allows tab, LF, CR and U+0020 up; not even a character reference may name the rest, so
 * they are replaced. C1 controls are allowed but not wanted: CI logs print `system-out` to terminals.
 */
const NOT_XML = /[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;
function xmlText(text) {
    return text.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
/** Attribute values also escape quotes, and keep whitespace as references (attribute normalisation). */
function xmlAttr(text) {
    return xmlText(text)
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&apos;')
        .replace(/\t/g, '&#9;')
        .replace(/\n/g, '&#10;')
        .replace(/\r/g, '&#13;');
}
function seconds(ms) {
    return (Math.max(0, ms) / 1000).toFixed(3);
}
function findingText(finding, many) {
    const at = finding.location
        ? `\n  at ${oneLine(finding.location.file)}:${finding.location.line}:${finding.location.column}`
        : '';
    return `${finding.severity} ${finding.rule} ${oneLine(where(finding, many))}: ${oneLine(finding.message)}\n  ${oneLine(finding.hint)}${at}`;
}
function systemOut(c, passing) {
    const lines = [];
    for (const row of c.rows) {
        if (c.rows.length > 1)
            lines.push(`${row.address ?? 'no address'}:`);
        lines.push(`status: ${row.status} at ${row.stage}`, `explanation: ${oneLine(row.explanation)}`);
        if (row.hint)
            lines.push(`hint: ${oneLine(row.hint)}`);
    }
    if (passing.length > 0)
        lines.push('', 'findings that do not fail the run:', ...passing.map((f) => findingText(f, c.many)));
    for (const row of c.rows) {
        if (row.transcript.length === 0)
            continue;
        lines.push('', `transcript${c.rows.length > 1 ? ` (${row.address ?? 'no address'})` : ''}:`);
        for (const line of row.transcript) {
            lines.push(`${String(line.at).padStart(6)} ${line.dir} ${oneLine(line.text)}`);
        }
    }
    return lines.join('\n');
}
/** The findings that fail this case: those reaching `failOn`, except the vantage's own failure when it is the case's error. */
function failingOf(c, failOn) {
    return c.findings.filter((f) => failsRun(f.severity, failOn) && !(c.error !== undefined && f.rule === 'vantage-failed'));
}
function testcase(c, failOn) {
    const failing = failingOf(c, failOn);
    const passing = c.findings.filter((f) => !failsRun(f.severity, failOn));
    const open = `    <testcase classname="${xmlAttr(c.classname)}" name="${xmlAttr(c.name)}" time="${seconds(c.durationMs)}"`;
    const body = [];
    const [first] = failing;
    if (c.error !== undefined) {
        body.push(`      <error message="${xmlAttr(oneLine(c.error))}" type="vantage-failed">${xmlText(oneLine(c.error))}</error>`);
    }
    if (first) {
        const more = failing.length > 1 ? ` (and ${failing.length - 1} more)` : '';
        body.push(`      <failure message="${xmlAttr(oneLine(first.message) + more)}" type="${xmlAttr(first.rule)}">` +
            `${xmlText(failing.map((f) => findingText(f, c.many)).join('\n'))}</failure>`);
    }
    const out = systemOut(c, passing);
    if (out)
        body.push(`      <system-out>${xmlText(out)}</system-out>`);
    return body.length === 0 ? `${open}/>` : [`${open}>`, ...body, '    </testcase>'].join('\n');
}
/** A case per matrix cell that holds anything: sessions, findings, or the vantage's failure. */
function cases(report) {
    const many = manyVantages(report);
    const suites = new Map();
    for (const row of buildMatrix(report).rows) {
        const suite = suites.get(row.target) ?? [];
        suites.set(row.target, suite);
        for (const cell of row.cells) {
            if (cell.rows.length === 0 && cell.findings.length === 0 && cell.error === undefined)
                continue;
            const addresses = cell.rows.map((r) => r.address ?? 'no address');
            const name = hostPort(cell.rows[0]?.host ?? row.host, row.port) +
                (addresses.length > 0 ? ` (${addresses.join(', ')})` : '') +
                (many ? ` from ${cell.vantage}` : '');
            suite.push({
                classname: row.target,
                name,
                durationMs: cell.latencyMs ?? 0,
                findings: cell.findings,
                rows: cell.rows,
                ...(cell.error !== undefined ? { error: cell.error } : {}),
                many,
            });
        }
    }
    return suites;
}
/**
 * The report as JUnit XML. A session fails when it has findings that fail the run under the verdict's
 * `failOn` (errors, by default), so the CI system agrees with the exit code; other findings and the
 * transcript go to `system-out`.
 */
function renderJunit(report) {
    const failOn = report.verdict.failOn;
    const suites = [];
    let tests = 0;
    let failures = 0;
    let errors = 0;
    for (const [target, suiteCases] of cases(report)) {
        const failed = suiteCases.filter((c) => failingOf(c, failOn).length > 0).length;
        const errored = suiteCases.filter((c) => c.error !== undefined).length;
        const time = suiteCases.reduce((sum, c) => sum + c.durationMs, 0);
        tests += suiteCases.length;
        failures += failed;
        errors += errored;
        suites.push([
            `  <testsuite name="${xmlAttr(target)}" tests="${suiteCases.length}" failures="${failed}" errors="${errored}" ` +
                `skipped="0" time="${seconds(time)}" timestamp="${xmlAttr(report.startedAt)}">`,
            ...suiteCases.map((c) => testcase(c, failOn)),
            '  </testsuite>',
        ].join('\n'));
    }
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="smtp-port-probe" tests="${tests}" failures="${failures}" errors="${errors}" ` +
            `time="${seconds(report.durationMs)}">`,
        ...suites,
        '</testsuites>',
        '',
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/report/markdown.ts


const DEFAULT_MAX_LENGTH = 60_000;
const SEVERITY_MARKS = { error: '❌', warning: '⚠️', notice: 'ℹ️' };
/**
 * GitHub turns `@name` into a mention that notifies people: a server must not be able to page anyone.
 * A zero-width space after the `@` keeps the text and breaks the mention.
 */
const MENTION = /(^|\W)@(?=\w)/g;
/**
 * Inline text made inert: HTML entities for what GitHub would read as HTML or a table edge, a backslash
 * for what it would read as emphasis or a link. One line, controls neutralised.
 */
function escapeMarkdown(text) {
    return oneLine(text)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/\|/g, '&#124;')
        .replace(/`/g, '&#96;')
        .replace(/([\\*_[\]~])/g, '\\$1')
        .replace(MENTION, '$1@\u200b');
}
/** Text inside an HTML element (`<summary>`), where only HTML's own characters matter. */
function escapeHtml(text) {
    return oneLine(text)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(MENTION, '$1@\u200b');
}
/** A fence longer than any run of backticks in the block, so nothing inside can close it (CommonMark §4.5). */
function fenceFor(body) {
    let longest = 0;
    for (const run of body.matchAll(/`+/g))
        longest = Math.max(longest, run[0].length);
    return '`'.repeat(Math.max(3, longest + 1));
}
function rowMark(findings) {
    const worst = worstSeverity(findings);
    return worst === 'error' || worst === 'warning' ? SEVERITY_MARKS[worst] : '✅';
}
function certCell(row) {
    const cert = row.tls?.certificate;
    if (!cert)
        return '-';
    return cert.expired || cert.daysUntilExpiry < 0
        ? `${cert.daysUntilExpiry} (expired)`
        : String(cert.daysUntilExpiry);
}
/**
 * One row per session: the icon is the worst of the session's findings (so a certificate that fails
 * the port shows ❌ beside status `ok`), and the findings column says which rules made it so. With
 * several vantages, each has a column of its own.
 */
function table(report) {
    const many = manyVantages(report);
    const lines = [
        `|   | Target |${many ? ' Vantage |' : ''} Port | Mode | Address | Status | Findings | TLS | Cert days | Latency |`,
        `| - | ------ |${many ? ' ------- |' : ''} ---: | ---- | ------- | ------ | -------- | --- | --------: | ------: |`,
    ];
    for (const row of report.results) {
        const findings = findingsFor(report, row);
        const rules = ruleIds(findings);
        const cells = [
            rowMark(findings),
            escapeMarkdown(row.target),
            ...(many ? [escapeMarkdown(row.vantage)] : []),
            String(row.port),
            row.mode,
            escapeMarkdown(row.address ?? '-'),
            `\`${row.status}\``,
            rules.length === 0 ? '-' : rules.map((rule) => `\`${rule}\``).join(' '),
            escapeMarkdown(row.tls?.protocol ?? '-'),
            certCell(row),
            `${Math.round(row.durationMs)} ms`,
        ];
        lines.push(`| ${cells.join(' | ')} |`);
    }
    return lines.join('\n');
}
function matrixCell(cell) {
    const worst = cell.error ? 'error' : cell.severity;
    const mark = cell.status === '-' ? '' : worst === 'error' || worst === 'warning' ? SEVERITY_MARKS[worst] : '✅';
    const parts = [
        mark,
        cell.status === '-' ? '-' : `\`${cell.status}\``,
        cell.verdict ? `\`${cell.verdict}\`` : '',
        latencyText(cell.latencyMs),
    ];
    return parts.filter(Boolean).join(' ');
}
/**
 * The run as a matrix: a row per target (or control) and port, a column per vantage, each cell the
 * status that vantage saw, the verdict judging it, and the latency.
 */
function matrixTable(report) {
    const matrix = buildMatrix(report);
    const lines = [
        `| Target | Port | ${matrix.vantages.map((v) => escapeMarkdown(v.title)).join(' | ')} |`,
        `| ------ | ---: | ${matrix.vantages.map(() => '---').join(' | ')} |`,
    ];
    for (const row of matrix.rows) {
        const name = `${escapeMarkdown(row.target)}${row.control ? ' _(control)_' : ''}`;
        lines.push(`| ${name} | ${row.port} | ${row.cells.map(matrixCell).join(' | ')} |`);
    }
    return `### Reachability by vantage\n\n${lines.join('\n')}`;
}
function findingItem(finding, many) {
    const at = finding.location
        ? ` (${finding.location.file}:${finding.location.line}:${finding.location.column})`
        : '';
    return (`- ${SEVERITY_MARKS[finding.severity]} \`${finding.rule}\` **${escapeMarkdown(where(finding, many))}**: ` +
        // One physical line: a hint on a line of its own could start a heading or a list.
        `${escapeMarkdown(finding.message)}${escapeMarkdown(at)}<br>↳ ${escapeMarkdown(finding.hint)}`);
}
/** The reason already ends in "use N" or starts with "nothing works from here". */
function recommendationItem(rec, many) {
    const mark = rec.port === null ? '❌' : '👉';
    const label = many ? `${rec.target} from ${rec.vantage}` : rec.target;
    return `- ${mark} **${escapeMarkdown(label)}**: ${escapeMarkdown(rec.reason)}`;
}
function transcriptBlock(row, many) {
    const body = row.transcript
        .map((line) => `${String(line.at).padStart(6)} ${line.dir} ${oneLine(line.text)}`)
        .join('\n');
    const fence = fenceFor(body);
    const summary = escapeHtml(`${where(row, many)} — ${row.status}: ${row.explanation}`);
    // The blank line after <summary> lets GitHub read the fenced block as Markdown, not HTML.
    return `<details><summary>${summary}</summary>\n\n${fence}text\n${body || '(no session)'}\n${fence}\n\n</details>`;
}
function parts(report) {
    const pass = report.verdict.pass;
    const many = manyVantages(report);
    const head = [
        `## ${pass ? '✅' : '❌'} smtp-port-probe — ${verdictLine(report.verdict)}`,
        ...(showsMatrix(report) && report.results.length > 0 ? [matrixTable(report), '### Sessions'] : []),
        report.results.length === 0 ? '_No results._' : table(report),
    ].join('\n\n');
    const failing = report.results.filter((row) => {
        const worst = worstSeverity(findingsFor(report, row));
        return worst === 'error' || worst === 'warning';
    });
    return {
        head,
        findings: report.findings.map((f) => findingItem(f, many)),
        recommendations: report.recommendations.length === 0
            ? ''
            : `### Recommendations\n\n${report.recommendations.map((r) => recommendationItem(r, many)).join('\n')}`,
        vantageErrors: vantageErrors(report).length === 0
            ? ''
            : `### Vantages that could not answer\n\n${vantageErrors(report)
                .map((line) => `- ❌ ${escapeMarkdown(line)}`)
                .join('\n')}`,
        transcripts: failing.map((row) => transcriptBlock(row, many)),
    };
}
function assemble(p, findings, transcripts, note) {
    const sections = [p.head];
    if (p.vantageErrors)
        sections.push(p.vantageErrors);
    if (findings > 0)
        sections.push(`### Findings\n\n${p.findings.slice(0, findings).join('\n')}`);
    if (p.recommendations)
        sections.push(p.recommendations);
    if (transcripts > 0)
        sections.push(`### Transcripts\n\n${p.transcripts.slice(0, transcripts).join('\n\n')}`);
    if (note)
        sections.push(note);
    return `${sections.join('\n\n')}\n`;
}
function omissionNote(findings, transcripts, maxLength) {
    const left = [
        transcripts > 0 ? plural(transcripts, 'transcript') : '',
        findings > 0 ? plural(findings, 'finding') : '',
    ].filter(Boolean);
    if (left.length === 0)
        return '';
    return `_${left.join(' and ')} left out to stay under ${maxLength} characters; the JSON report has everything._`;
}
/**
 * The last resort, when even the table does not fit: whole lines only, so no table row, entity or tag
 * is left half-written, and a note that says so.
 */
function hardCut(text, maxLength) {
    const note = '\n\n_Cut here to stay under the length limit; the JSON report has everything._\n';
    const cut = text.slice(0, Math.max(0, maxLength - note.length));
    const lineEnd = cut.lastIndexOf('\n');
    return `${lineEnd > 0 ? cut.slice(0, lineEnd) : ''}${note}`.slice(0, maxLength);
}
/**
 * The report as GitHub-flavoured Markdown. Over `maxLength`, transcripts go first (from the last),
 * then findings from the tail, and a note says what was left out.
 */
function renderMarkdown(report, options = {}) {
    const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    const p = parts(report);
    const render = (findings, transcripts) => assemble(p, findings, transcripts, omissionNote(p.findings.length - findings, p.transcripts.length - transcripts, maxLength));
    const fits = (findings, transcripts) => render(findings, transcripts).length <= maxLength;
    const allFindings = p.findings.length;
    const transcripts = mostThatFit(p.transcripts.length, (t) => fits(allFindings, t));
    const findings = transcripts > 0 ? allFindings : mostThatFit(allFindings, (f) => fits(f, 0));
    const out = render(findings, transcripts);
    return out.length > maxLength ? hardCut(out, maxLength) : out;
}
/**
 * The largest k in 0..n with fits(k), by bisection, since the length grows with k (a few render calls
 * instead of one per dropped part); 0 when none fits.
 */
function mostThatFit(n, fits) {
    let low = 0;
    let high = n;
    while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        if (fits(mid))
            low = mid;
        else
            high = mid - 1;
    }
    return low;
}

// EXTERNAL MODULE: ./node_modules/picocolors/picocolors.js
var picocolors = __nccwpck_require__(7336);
var picocolors_default = /*#__PURE__*/__nccwpck_require__.n(picocolors);
;// CONCATENATED MODULE: ./src/report/text-table.ts
const GAP = '  ';
/** Length in code points: what a terminal shows for the text this renderer emits. */
function width(text) {
    let n = 0;
    for (const _ of text)
        n++;
    return n;
}
function truncate(text, max) {
    if (max === undefined || width(text) <= max)
        return text;
    return `${Array.from(text)
        .slice(0, Math.max(0, max - 1))
        .join('')}…`;
}
/** Word-wraps to `max` columns: the first line starts with `first`, the others with `rest`. */
function wrap(text, max, first, rest) {
    if (max === undefined)
        return [first + text];
    const lines = [];
    let line = '';
    const prefix = () => (lines.length === 0 ? first : rest);
    for (const word of text.split(' ').filter(Boolean)) {
        if (line !== '' && width(`${prefix()}${line} ${word}`) > max) {
            lines.push(prefix() + line);
            line = word;
        }
        else {
            line = line === '' ? word : `${line} ${word}`;
        }
    }
    if (line !== '')
        lines.push(prefix() + line);
    // A word longer than a line (a URL) is left to overflow: cut, it would be useless.
    return lines;
}
/** Natural widths, then, on a terminal, the squeezable columns narrowed (target first) until the table fits. */
function columnWidths(columns, table, max) {
    const widths = columns.map((col, i) => Math.max(width(col.title), ...table.map((r) => width(r[i]?.text ?? ''))));
    if (max === undefined)
        return widths;
    const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
    for (const [i, col] of columns.entries()) {
        const current = widths[i] ?? 0;
        if (col.min === undefined || total() <= max)
            continue;
        widths[i] = Math.max(col.min, current - (total() - max));
    }
    return widths;
}
function formatRow(columns, row, widths) {
    return row
        .map((cell, i) => {
        const w = widths[i] ?? 0;
        const text = truncate(cell.text, w);
        const pad = ' '.repeat(Math.max(0, w - width(text)));
        const padded = columns[i]?.align === 'right'
            ? pad + (cell.paint?.(text) ?? text)
            : (cell.paint?.(text) ?? text) + pad;
        return padded;
    })
        .join(GAP)
        .trimEnd();
}

;// CONCATENATED MODULE: ./src/report/text-matrix.ts



function paintOf(c, cell) {
    const severity = cell.error ? 'error' : cell.severity;
    if (severity === 'error')
        return c.red;
    if (severity === 'warning')
        return c.yellow;
    if (cell.status === 'ok')
        return c.green;
    if (cell.status === '-')
        return c.dim;
    return undefined;
}
/** `ok 12 ms`, `timeout egress-blocked 1.0 s`: the verdict before the latency, so a squeeze cuts the latency first. */
function cellText(cell) {
    return [cell.status, cell.verdict ?? '', latencyText(cell.latencyMs)].filter(Boolean).join(' ');
}
/** The matrix as lines, squeezed to `max` columns when given (names first, then the vantage columns). */
function matrixLines(c, report, max) {
    const matrix = buildMatrix(report);
    const columns = [
        { title: 'TARGET:PORT', align: 'left', min: 10 },
        ...matrix.vantages.map((v) => ({ title: oneLine(v.title), align: 'left', min: 9 })),
    ];
    const body = matrix.rows.map((row) => [
        { text: oneLine(`${hostPort(row.target, row.port)}${row.control ? ' (control)' : ''}`) },
        ...row.cells.map((cell) => {
            const paint = paintOf(c, cell);
            return { text: oneLine(cellText(cell)), ...(paint ? { paint } : {}) };
        }),
    ]);
    const widths = columnWidths(columns, body, max);
    const header = formatRow(columns, columns.map((col) => ({ text: col.title, paint: c.bold })), widths);
    return [header, ...body.map((cells) => formatRow(columns, cells, widths))];
}

;// CONCATENATED MODULE: ./src/report/text.ts
/**
 * The terminal view: an aligned table of sessions, findings by severity, one recommendation per
 * target, and the verdict. Colour is the caller's decision, so this stays a pure function.
 */




const TARGET = { title: 'TARGET', align: 'left', min: 6 };
const VANTAGE = { title: 'VANTAGE', align: 'left', min: 7 };
const REST = [
    { title: 'PORT', align: 'right' },
    { title: 'MODE', align: 'left' },
    { title: 'ADDRESS', align: 'left', min: 7 },
    { title: 'STATUS', align: 'left' },
    { title: 'TLS', align: 'left' },
    { title: 'CERT DAYS', align: 'right' },
    { title: 'LATENCY', align: 'right' },
];
function statusPaint(c, status) {
    if (status === 'ok')
        return c.green;
    if (status === 'temporary')
        return c.yellow;
    return c.red;
}
/** Days left, coloured by the findings the plan's own thresholds produced (`expect.cert.min_days`). */
function text_certCell(c, row, findings) {
    const cert = row.tls?.certificate;
    if (!cert)
        return { text: '-' };
    const text = String(cert.daysUntilExpiry);
    if (findings.some((f) => f.rule === 'cert-expired'))
        return { text, paint: c.red };
    if (findings.some((f) => f.rule === 'cert-expiring'))
        return { text, paint: c.yellow };
    return { text };
}
function cells(c, row, findings, many) {
    return [
        { text: oneLine(row.target) },
        ...(many ? [{ text: oneLine(row.vantage) }] : []),
        { text: String(row.port) },
        { text: row.mode },
        { text: oneLine(row.address ?? '-') },
        { text: row.status, paint: statusPaint(c, row.status) },
        { text: oneLine(row.tls?.protocol ?? '-') },
        text_certCell(c, row, findings),
        { text: `${Math.round(row.durationMs)} ms` },
    ];
}
function text_table(c, report, max) {
    const many = manyVantages(report);
    const columns = [TARGET, ...(many ? [VANTAGE] : []), ...REST];
    const rows = report.results;
    const body = rows.map((row) => cells(c, row, findingsFor(report, row), many));
    const widths = columnWidths(columns, body, max);
    const header = formatRow(columns, columns.map((col) => ({ text: col.title, paint: c.bold })), widths);
    const lines = [header];
    for (const [i, row] of rows.entries()) {
        lines.push(formatRow(columns, body[i] ?? [], widths));
        // The status alone rarely says enough; the core's one-line explanation says why.
        if (row.status !== 'ok') {
            lines.push(...wrap(oneLine(row.explanation), max, '  ↳ ', '    ').map((line) => c.dim(line)));
        }
    }
    return lines;
}
function transcripts(c, rows, many) {
    const lines = [];
    for (const row of rows) {
        lines.push('', c.bold(`Transcript of ${oneLine(where(row, many))}`));
        if (row.transcript.length === 0)
            lines.push(c.dim('  (no session: nothing was sent or received)'));
        for (const line of row.transcript) {
            const paint = line.dir === '*' ? c.dim : line.dir === '>' ? c.cyan : (text) => text;
            // Left whole: a transcript is read when debugging, where a cut line hides the answer.
            lines.push(paint(`${String(line.at).padStart(6)} ${line.dir} ${oneLine(line.text)}`));
        }
    }
    return lines;
}
const SEVERITY_HEADINGS = {
    error: 'Errors',
    warning: 'Warnings',
    notice: 'Notices',
};
function severityPaint(c, severity) {
    if (severity === 'error')
        return c.red;
    if (severity === 'warning')
        return c.yellow;
    return c.blue;
}
const text_SEVERITY_MARKS = { error: '✖', warning: '▲', notice: 'ℹ' };
function findingLines(c, finding, many, max) {
    const mark = text_SEVERITY_MARKS[finding.severity];
    const head = `${finding.rule} · ${oneLine(where(finding, many))}: ${oneLine(finding.message)}`;
    // Wrapped on a terminal, never cut: the message is what went wrong, the hint what to do.
    const [first = '', ...rest] = wrap(head, max, `  ${mark} `, '    ');
    const painted = `  ${severityPaint(c, finding.severity)(mark)}${first.slice(3)}`;
    const lines = [painted, ...rest, ...wrap(oneLine(finding.hint), max, '    ', '    ')];
    const at = finding.location;
    if (at)
        lines.push(c.dim(`    at ${oneLine(at.file)}:${at.line}:${at.column}`));
    return lines;
}
function findings(c, all, many, max) {
    const lines = [];
    for (const severity of ['error', 'warning', 'notice']) {
        const group = all.filter((f) => f.severity === severity);
        if (group.length === 0)
            continue;
        lines.push('', severityPaint(c, severity)(c.bold(`${SEVERITY_HEADINGS[severity]} (${group.length})`)));
        for (const finding of group)
            lines.push(...findingLines(c, finding, many, max));
    }
    return lines;
}
function recommendations(c, report, max) {
    if (report.recommendations.length === 0)
        return [];
    const many = manyVantages(report);
    const lines = ['', c.bold('Recommendations')];
    // The reason already ends in "use N" (or says nothing works): it is the recommendation.
    for (const rec of report.recommendations) {
        const label = many ? `${rec.target} from ${rec.vantage}` : rec.target;
        lines.push(...wrap(`${oneLine(label)}: ${oneLine(rec.reason)}`, max, '  ', '    '));
    }
    return lines;
}
/** The report for a terminal, or for a file when no width is given. */
function renderText(report, options) {
    const c = picocolors_default().createColors(options.color);
    const max = options.width;
    const many = manyVantages(report);
    const lines = report.results.length === 0 ? [c.dim('No results.')] : text_table(c, report, max);
    // With several vantages (or controls), the matrix first: which network reaches what, at a glance.
    if (showsMatrix(report) && report.results.length > 0)
        lines.unshift(c.bold('Reachability by vantage'), ...matrixLines(c, report, max), '');
    if (options.verbose)
        lines.push(...transcripts(c, report.results, many));
    lines.push(...findings(c, report.findings, many, max));
    const failed = vantageErrors(report);
    if (failed.length > 0)
        lines.push('', c.bold(c.red('Vantages that could not answer')), ...failed.map((line) => `  ${oneLine(line)}`));
    lines.push(...recommendations(c, report, max));
    const verdict = verdictLine(report.verdict);
    lines.push('', c.bold(report.verdict.pass ? c.green(verdict) : c.red(verdict)));
    return `${lines.join('\n')}\n`;
}

;// CONCATENATED MODULE: ./src/report/index.ts
/** The report layer: one result model, four views. Every renderer is a pure function of the Report. */








const FORMATS = ['text', 'json', 'markdown', 'junit'];
/** The report in the given format; every output ends with a newline. */
function render(report, format, options = {}) {
    switch (format) {
        case 'text':
            return renderText(report, {
                color: options.color ?? false,
                ...(options.verbose === undefined ? {} : { verbose: options.verbose }),
                ...(options.width === undefined ? {} : { width: options.width }),
            });
        case 'json':
            return renderJson(report);
        case 'markdown':
            return renderMarkdown(report, options.maxLength === undefined ? {} : { maxLength: options.maxLength });
        case 'junit':
            return renderJunit(report);
        default: {
            // A format from untyped input (a flag, an action input) must fail loudly, naming the choices.
            const unknown = format;
            throw new TypeError(`unknown report format ${JSON.stringify(unknown)}: use one of ${FORMATS.join(', ')}`);
        }
    }
}

// EXTERNAL MODULE: ./src/result/settings.ts
var settings = __nccwpck_require__(6744);
// EXTERNAL MODULE: ./src/run/pipeline.ts + 14 modules
var pipeline = __nccwpck_require__(1167);
// EXTERNAL MODULE: ./src/version.ts
var version = __nccwpck_require__(311);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
// EXTERNAL MODULE: ./node_modules/fastest-levenshtein/mod.js
var mod = __nccwpck_require__(1916);
// EXTERNAL MODULE: ./src/plan/duration.ts
var plan_duration = __nccwpck_require__(2983);
;// CONCATENATED MODULE: ./src/cli/args.ts







const OPTIONS = {
    config: { type: 'string', short: 'c' },
    format: { type: 'string', short: 'f' },
    output: { type: 'string', short: 'o' },
    'fail-on': { type: 'string' },
    timeout: { type: 'string', short: 't' },
    'connect-timeout': { type: 'string' },
    'greeting-timeout': { type: 'string' },
    'command-timeout': { type: 'string' },
    'overall-timeout': { type: 'string' },
    concurrency: { type: 'string' },
    retries: { type: 'string' },
    helo: { type: 'string' },
    mode: { type: 'string' },
    ports: { type: 'string', short: 'p' },
    ca: { type: 'string', multiple: true },
    'min-tls': { type: 'string' },
    'expect-tls': { type: 'string' },
    'allow-unverified-auth': { type: 'boolean' },
    'allow-plaintext-auth': { type: 'boolean' },
    vantage: { type: 'string', multiple: true },
    control: { type: 'string', multiple: true },
    'auth-user-env': { type: 'string' },
    'auth-pass-env': { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' },
};
const USAGE = `Usage: smtp-probe [targets...] [options]
       smtp-probe demo            probe embedded local servers (works offline)

Targets: host (ports 25,465,587,2525), host:587, host:25,465,587, [2001:db8::1]:587,
         smtp://host:587, smtps://host (465, implicit TLS), mx:example.com (port 25 on each MX)

Options:
  -c, --config FILE          YAML config (default: .github/smtp-probe.yml when present)
  -f, --format FORMAT        text | json | markdown | junit (default text)
  -o, --output FILE          write the report to FILE instead of stdout
      --fail-on LEVEL        error | warning | never (default error)
  -t, --timeout D            per-target deadline, e.g. 30s (default 30s)
      --connect-timeout D    TCP connect (default 10s)
      --greeting-timeout D   waiting for the 220 greeting (default 10s)
      --command-timeout D    each reply and TLS handshake (default 10s)
      --overall-timeout D    one deadline for the whole run
      --concurrency N        targets probed at once (default 32)
      --retries N            retries after a 4xx reply (default 0)
      --helo NAME            EHLO name (default: this machine's host name)
      --mode MODE            starttls | tls | plain (default: tls on 465, starttls elsewhere)
  -p, --ports LIST           ports for targets given without one, e.g. 587,2525
      --ca FILE              extra trusted CA certificate(s), PEM; repeatable
      --min-tls VERSION      lowest TLS version to accept: TLSv1.2 (default) or TLSv1.3, ...
      --expect-tls LEVEL     required | optional | none (default: required; optional on 25;
                             none with --mode plain)
      --vantage V            where to probe from, repeatable: runner (default),
                             aws-lambda:REGION:FUNCTION[:QUALIFIER] or a Lambda ARN,
                             https://ID.lambda-url.REGION.on.aws/ (AWS credentials from the default chain),
                             gcp:REGION:URL (a Cloud Run function; Google ID token from
                             SMTP_PROBE_GCP_ID_TOKEN, else minted from Application Default Credentials)
      --control HOST:PORT    a server known to answer on PORT from anywhere, probed from every vantage
                             as evidence: tells this network's block from a target's; repeatable
      --auth-user-env VAR    environment variable holding the SMTP username
      --auth-pass-env VAR    environment variable holding the SMTP password
      --allow-unverified-auth  UNSAFE: send the credentials even when the server's certificate
                             does not verify (chain or name); by default they are withheld
      --allow-plaintext-auth UNSAFE: send the credentials without TLS (mode plain)
  -v, --verbose              show every session's transcript
  -h, --help                 this help
  -V, --version              the version

Exit codes: 0 verdict pass, 1 verdict fail, 2 usage or config error.`;
const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const TLS_EXPECTATIONS = ['required', 'optional', 'none'];
function oneOf(flag, value, allowed) {
    if (value === undefined)
        return undefined;
    if (allowed.includes(value))
        return value;
    throw new types/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(value)} is not one of ${allowed.join(', ')}`, flag);
}
function wholeNumber(flag, value, min, max) {
    if (value === undefined)
        return undefined;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
        throw new types/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(value)} must be a whole number from ${min} to ${max}`, flag);
    }
    return n;
}
/** `--ports 587,2525`; a port given twice is probed once. */
function portList(value) {
    if (value === undefined)
        return undefined;
    const ports = value.split(',').map((part) => wholeNumber('--ports', part.trim(), 1, 65_535));
    return [...new Set(ports)];
}
function envName(flag, value) {
    if (value !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(value)) {
        throw new types/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(value)} is not an environment variable name`, flag);
    }
    return value;
}
/** Turns argv into CliArgs; every mistake is a UsageError naming the flag and the value. */
function parseCliArgs(argv) {
    let parsed;
    try {
        parsed = (0,external_node_util_.parseArgs)({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    }
    catch (error) {
        throw cliParseError(error);
    }
    const { values: v, positionals } = parsed;
    const command = v.help ? 'help' : v.version ? 'version' : positionals[0] === 'demo' ? 'demo' : 'probe';
    const user = envName('--auth-user-env', v['auth-user-env']);
    const pass = envName('--auth-pass-env', v['auth-pass-env']);
    if ((user === undefined) !== (pass === undefined)) {
        throw new types/* UsageError */.eb('give both --auth-user-env and --auth-pass-env, or neither', user ? '--auth-pass-env' : '--auth-user-env');
    }
    const duration = (flag) => {
        const value = v[flag];
        return typeof value === 'string' ? (0,plan_duration/* parseDuration */.E)(value, `--${flag}`) : undefined;
    };
    const args = {
        command,
        targets: command === 'demo' ? positionals.slice(1) : positionals,
        format: oneOf('--format', v.format, FORMATS) ?? 'text',
        caFiles: v.ca ?? [],
        allowUnverifiedAuth: v['allow-unverified-auth'] === true,
        allowPlaintextAuth: v['allow-plaintext-auth'] === true,
        vantages: v.vantage ?? [],
        controls: v.control ?? [],
        verbose: v.verbose === true,
    };
    const set = (key, value) => {
        if (value !== undefined)
            args[key] = value;
    };
    set('config', v.config);
    set('output', v.output);
    set('failOn', oneOf('--fail-on', v['fail-on'], types/* FAIL_ON */.d$));
    set('timeout', duration('timeout'));
    set('connectTimeout', duration('connect-timeout'));
    set('greetingTimeout', duration('greeting-timeout'));
    set('commandTimeout', duration('command-timeout'));
    set('overallTimeout', duration('overall-timeout'));
    set('concurrency', wholeNumber('--concurrency', v.concurrency, 1, 256));
    set('retries', wholeNumber('--retries', v.retries, 0, 5));
    if (v.helo !== undefined && !(0,probe/* isHeloName */.U3)(v.helo)) {
        throw new types/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(v.helo)} is not a domain name or address literal`, '--helo');
    }
    set('helo', v.helo);
    set('mode', oneOf('--mode', v.mode, probe/* MODES */.FN));
    set('minTls', oneOf('--min-tls', v['min-tls'], TLS_VERSIONS));
    set('expectTls', oneOf('--expect-tls', v['expect-tls'], TLS_EXPECTATIONS));
    set('ports', portList(v.ports));
    if (user && pass)
        args.credentials = { usernameEnv: user, passwordEnv: pass };
    if (command === 'demo' && args.targets.length > 0) {
        throw new types/* UsageError */.eb(`demo takes no targets, got ${(0,settings/* quoteInput */.Zs)(args.targets[0] ?? '')}`, 'demo');
    }
    return args;
}
/** node:util's parse errors, made into one line that names the option and suggests the nearest. */
function cliParseError(error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown?.[1]) {
        const flag = unknown[1];
        const known = Object.keys(OPTIONS).map((name) => `--${name}`);
        const nearest = flag.startsWith('--') ? (0,mod/* closest */.kp)(flag, known) : undefined;
        return new types/* UsageError */.eb(`unknown option${nearest ? ` (did you mean ${nearest}?)` : ''}`, (0,settings/* cutInput */.vL)(flag));
    }
    const ambiguous = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(message);
    if (ambiguous?.[1]) {
        return new types/* UsageError */.eb(`its value starts with "-"; write ${ambiguous[1]}=VALUE if that is meant`, ambiguous[1]);
    }
    const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
    if (missing?.[1])
        return new types/* UsageError */.eb('needs a value', missing[1]);
    return new types/* UsageError */.eb(message.split('\n')[0] ?? message);
}

;// CONCATENATED MODULE: ./src/cli/progress.ts
/** Shown only on a terminal, and only once a run has lasted a second: quick runs stay quiet. */
const QUIET_MS = 1_000;
/** `[3/12] mailjet:587` on one rewritten stderr line. */
class Progress {
    #out;
    #started = performance.now();
    #shown = false;
    constructor(out) {
        this.#out = out;
    }
    update(done, total, current) {
        if (this.#out.isTTY !== true || performance.now() - this.#started < QUIET_MS)
            return;
        this.#shown = true;
        const line = `[${done}/${total}] ${current}`.slice(0, 79);
        this.#out.write(`\r\u001b[2K${line}`);
    }
    clear() {
        if (this.#shown)
            this.#out.write('\r\u001b[2K');
        this.#shown = false;
    }
}

;// CONCATENATED MODULE: ./src/cli/spelling.ts
/** How the CLI names each setting: its flag, or the config key where no flag exists. */
const CLI_SPELLING = {
    targets: 'the target arguments',
    config: '--config',
    ports: '--ports',
    mode: '--mode',
    timeout: '--timeout',
    connect_timeout: '--connect-timeout',
    greeting_timeout: '--greeting-timeout',
    command_timeout: '--command-timeout',
    overall_timeout: '--overall-timeout',
    concurrency: '--concurrency',
    retries: '--retries',
    helo: '--helo',
    ca: '--ca',
    min_tls: '--min-tls',
    'expect.tls': '--expect-tls',
    'expect.cert.min_days': '`expect.cert.min_days` in the config file',
    auth: '--auth-user-env and --auth-pass-env',
    allow_unverified_auth: '--allow-unverified-auth',
    allow_plaintext_auth: '--allow-plaintext-auth',
    envelope: '`envelope` in the config file',
    fail_on: '--fail-on',
    vantages: '--vantage',
    controls: '--control',
    gcp_id_token: 'the SMTP_PROBE_GCP_ID_TOKEN environment variable',
};

;// CONCATENATED MODULE: ./src/cli/main.ts












const EXIT = { pass: 0, fail: 1, usage: 2 };
/** The default config file, used when present. */
const DEFAULT_CONFIG = '.github/smtp-probe.yml';
/** Runs the CLI; resolves with the exit code. A usage mistake is one line on stderr and exit 2. */
async function main(argv, io) {
    try {
        const args = parseCliArgs(argv);
        if (args.command === 'help') {
            io.stdout.write(`${USAGE}\n`);
            return EXIT.pass;
        }
        if (args.command === 'version') {
            io.stdout.write(`smtp-probe ${version/* VERSION */.x}\n`);
            return EXIT.pass;
        }
        if (args.command === 'demo') {
            // Loaded only here: the demo brings smtp-server and a certificate generator along.
            const { runDemo } = await Promise.all(/* import() */[__nccwpck_require__.e(860), __nccwpck_require__.e(623), __nccwpck_require__.e(699)]).then(__nccwpck_require__.bind(__nccwpck_require__, 2699));
            const say = (line) => io.stderr.write(`${line}\n`);
            return await emit(await runDemo({ ...(args.failOn ? { failOn: args.failOn } : {}), say }), args, io);
        }
        return await probeCommand(args, io);
    }
    catch (error) {
        if (error instanceof types/* UsageError */.eb) {
            io.stderr.write(`smtp-probe: ${error.describe(CLI_SPELLING)}\n`);
            return EXIT.usage;
        }
        throw error;
    }
}
async function probeCommand(args, io) {
    const { plan, warnings } = await (0,build/* buildPlan */.G)({
        targets: args.targets,
        ...(args.config ? { configPath: args.config } : { defaultConfigPath: DEFAULT_CONFIG }),
        ...(args.failOn ? { failOn: args.failOn } : {}),
        ...(args.mode ? { mode: args.mode } : {}),
        ...(args.ports ? { ports: args.ports } : {}),
        caFiles: args.caFiles,
        ...(args.minTls ? { minTls: args.minTls } : {}),
        ...(args.expectTls ? { expectTls: args.expectTls } : {}),
        ...(args.allowUnverifiedAuth ? { allowUnverifiedAuth: true } : {}),
        ...(args.allowPlaintextAuth ? { allowPlaintextAuth: true } : {}),
        vantages: args.vantages,
        vantageSource: () => '--vantage',
        controls: args.controls,
        controlSource: (_, spec) => `--control ${JSON.stringify(spec)}`,
        ...(args.credentials ? { credentials: args.credentials } : {}),
        options: {
            timeout: args.timeout,
            connectTimeout: args.connectTimeout,
            greetingTimeout: args.greetingTimeout,
            commandTimeout: args.commandTimeout,
            overallTimeout: args.overallTimeout,
            concurrency: args.concurrency,
            retries: args.retries,
            helo: args.helo,
        },
        env: io.env,
        cwd: io.cwd,
    });
    for (const warning of warnings)
        io.stderr.write(`smtp-probe: warning: ${(0,settings/* spell */.lO)(warning, CLI_SPELLING)}\n`);
    const progress = new Progress(io.stderr);
    let report;
    try {
        report = await (0,pipeline/* runPlan */.F)(plan, {
            ...(io.signal ? { signal: io.signal } : {}),
            ...(io.env.SMTP_PROBE_GCP_ID_TOKEN ? { gcpIdToken: io.env.SMTP_PROBE_GCP_ID_TOKEN } : {}),
            onProgress: (done, total, current) => progress.update(done, total, current),
        });
    }
    finally {
        progress.clear();
    }
    return emit(report, args, io);
}
/** Renders the report where it was asked for and turns the verdict into the exit code. */
async function emit(report, args, io) {
    const terminal = args.output === undefined && io.stdout.isTTY === true;
    const color = terminal && io.env.NO_COLOR === undefined;
    const width = terminal && io.stdout.columns ? io.stdout.columns : undefined;
    const spelled = (0,settings/* spellReport */.Bx)(report, CLI_SPELLING, CONFIG_SPELLING);
    const text = render(spelled, args.format, { color, verbose: args.verbose, ...(width ? { width } : {}) });
    if (args.output !== undefined) {
        const path = (0,external_node_path_.resolve)(io.cwd, args.output);
        try {
            await (0,promises_.writeFile)(path, text.endsWith('\n') ? text : `${text}\n`);
        }
        catch (error) {
            const code = error.code ?? 'unwritable';
            throw new types/* UsageError */.eb(`cannot write ${(0,settings/* cutInput */.vL)(args.output)} (${code})`, '--output');
        }
    }
    else {
        io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
    return report.verdict.pass ? EXIT.pass : EXIT.fail;
}


/***/ }),

/***/ 2344:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  dV: () => (/* reexport */ AnswerError),
  Kw: () => (/* reexport */ version_CONTRACT_VERSION),
  tB: () => (/* reexport */ version_ContractMismatch),
  h2: () => (/* reexport */ decodeAnswer),
  qG: () => (/* reexport */ profileOptions)
});

// UNUSED EXPORTS: BadRequest, MAX_JOBS, MAX_PROFILES, MAX_REQUEST_BYTES, answerSchema, encodeAnswer, parseRequest, resultsByJob

// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 15 modules
var schemas = __nccwpck_require__(9691);
// EXTERNAL MODULE: ./src/probe/index.ts + 22 modules
var probe = __nccwpck_require__(3349);
;// CONCATENATED MODULE: ./src/contract/probe-result.ts
/**
 * The core's ProbeResult as the contract carries it: every field, strictly, so that a remote answer
 * decodes to exactly what the probe returned where it ran (`decode(encode(r))` deep-equals `r`). The
 * compile-time checks at the end fail the build when probe/types.ts and this schema drift apart.
 */


const probe_result_text = schemas/* string */.YjP().max(1_000_000);
const ms = schemas/* number */.aig().finite().nonnegative();
const stage = schemas/* enum */.k5n(probe/* STAGES */.an);
const reply = schemas/* object */.Ikc({
    code: schemas/* number */.aig().int().min(0).max(999),
    enhanced: probe_result_text.optional(),
    lines: schemas/* array */.YOg(probe_result_text),
})
    .strict();
const ehlo = schemas/* object */.Ikc({
    domain: probe_result_text,
    keywords: schemas/* record */.g1P(probe_result_text, schemas/* array */.YOg(probe_result_text)),
    size: schemas/* number */.aig().int().nonnegative().optional(),
    pipelining: schemas/* boolean */.zMY(),
    eightBitMime: schemas/* boolean */.zMY(),
    smtpUtf8: schemas/* boolean */.zMY(),
    chunking: schemas/* boolean */.zMY(),
    starttls: schemas/* boolean */.zMY(),
    enhancedStatusCodes: schemas/* boolean */.zMY(),
    dsn: schemas/* boolean */.zMY(),
    auth: schemas/* array */.YOg(probe_result_text),
})
    .strict();
const smtp = schemas/* object */.Ikc({
    greeting: schemas/* object */.Ikc({ code: schemas/* number */.aig().int(), text: probe_result_text }).strict().optional(),
    heloFallback: schemas/* boolean */.zMY(),
    ehlo: ehlo.optional(),
    ehloAfterTls: ehlo.optional(),
    starttlsInjectedBytes: schemas/* number */.aig().int().nonnegative().optional(),
    starttlsInjectedSample: probe_result_text.optional(),
})
    .strict();
const certificate = schemas/* object */.Ikc({
    subject: probe_result_text,
    issuer: probe_result_text,
    subjectAltNames: schemas/* array */.YOg(probe_result_text),
    validFrom: probe_result_text,
    validTo: probe_result_text,
    daysUntilExpiry: schemas/* number */.aig().int(),
    expired: schemas/* boolean */.zMY(),
    notYetValid: schemas/* boolean */.zMY(),
    fingerprint256: probe_result_text,
    serialNumber: probe_result_text,
    selfSigned: schemas/* boolean */.zMY(),
})
    .strict();
const tls = schemas/* object */.Ikc({
    mode: schemas/* enum */.k5n(['starttls', 'tls']),
    protocol: probe_result_text.optional(),
    cipher: probe_result_text.optional(),
    servername: probe_result_text.optional(),
    trusted: schemas/* boolean */.zMY(),
    trustError: probe_result_text.optional(),
    hostnameMatch: schemas/* boolean */.zMY(),
    hostnameError: probe_result_text.optional(),
    certificate: certificate.optional(),
    chain: schemas/* array */.YOg(schemas/* object */.Ikc({ subject: probe_result_text, issuer: probe_result_text, validTo: probe_result_text, fingerprint256: probe_result_text }).strict()),
})
    .strict();
const auth = schemas/* object */.Ikc({
    mechanism: probe_result_text.optional(),
    outcome: schemas/* enum */.k5n(['accepted', 'rejected', 'unavailable', 'error', 'withheld']),
    withheld: schemas/* enum */.k5n(['untrusted', 'hostname', 'plaintext']).optional(),
    reply: reply.optional(),
})
    .strict();
const envelope = schemas/* object */.Ikc({
    from: probe_result_text,
    to: probe_result_text.optional(),
    mailFrom: reply.optional(),
    rcptTo: reply.optional(),
})
    .strict();
const transcriptLine = schemas/* object */.Ikc({ at: ms, dir: schemas/* enum */.k5n(['>', '<', '*']), text: probe_result_text }).strict();
const session = schemas/* object */.Ikc({
    address: probe_result_text,
    family: schemas/* union */.KCZ([schemas/* literal */.euz(4), schemas/* literal */.euz(6)]),
    status: schemas/* enum */.k5n(probe/* STATUSES */.f),
    stage,
    reply: reply.optional(),
    errorCode: probe_result_text.optional(),
    explanation: probe_result_text,
    hint: probe_result_text.optional(),
    timings: schemas/* partialRecord */.jgl(stage, ms),
    durationMs: ms,
    smtp,
    tls: tls.optional(),
    auth: auth.optional(),
    envelope: envelope.optional(),
    transcript: schemas/* array */.YOg(transcriptLine),
    transcriptTruncated: schemas/* boolean */.zMY(),
    retries: schemas/* number */.aig().int().nonnegative(),
})
    .strict();
const probeResultSchema = schemas/* object */.Ikc({
    target: schemas/* object */.Ikc({ host: probe_result_text, port: schemas/* number */.aig().int().min(1).max(65_535), mode: schemas/* enum */.k5n(probe/* MODES */.FN) }).strict(),
    status: schemas/* enum */.k5n(probe/* STATUSES */.f),
    stage,
    reply: reply.optional(),
    errorCode: probe_result_text.optional(),
    explanation: probe_result_text,
    hint: probe_result_text.optional(),
    startedAt: probe_result_text,
    durationMs: ms,
    dns: schemas/* object */.Ikc({
        addresses: schemas/* array */.YOg(schemas/* object */.Ikc({ address: probe_result_text, family: schemas/* union */.KCZ([schemas/* literal */.euz(4), schemas/* literal */.euz(6)]) }).strict()),
        durationMs: ms,
        errorCode: probe_result_text.optional(),
    })
        .strict(),
    sessions: schemas/* array */.YOg(session),
})
    .strict();
const schemaMatchesCore = true;
void schemaMatchesCore;

;// CONCATENATED MODULE: ./src/contract/version.ts
/**
 * The version of the contract between the caller and a remote vantage. Bumped on any change a peer of
 * the other version could misread; both sides refuse another version by name instead of guessing.
 */
const version_CONTRACT_VERSION = 2;
/** A peer speaks another contract version: the message names both and says which side to update. */
class version_ContractMismatch extends Error {
    received;
    constructor(received, what) {
        const theirs = typeof received === 'number' && Number.isInteger(received)
            ? `contract version ${received}`
            : received === undefined
                ? 'no contract version (version 1 sent none)'
                : 'a contract version that is not a whole number';
        const update = what === 'request'
            ? typeof received === 'number' && received > version_CONTRACT_VERSION
                ? 'deploy the newer function'
                : 'update the caller (smtp-port-probe)'
            : typeof received === 'number' && received > version_CONTRACT_VERSION
                ? 'update the caller (smtp-port-probe)'
                : 'deploy the function of this release';
        super(`the ${what} carries ${theirs}, this side speaks contract version ${version_CONTRACT_VERSION}: ${update}`);
        this.name = 'ContractMismatch';
        this.received = received;
    }
}

;// CONCATENATED MODULE: ./src/contract/answer.ts
/**
 * What a remote vantage answers, contract version 2: the core's own results, whole; the destinations
 * its policy refused, with the reason; and what the vantage is. No rows, no findings, no verdict: the
 * caller judges every vantage with the same code, once.
 */



const answer_text = schemas/* string */.YjP().max(10_000);
const jobs = schemas/* array */.YOg(schemas/* number */.aig().int().min(0)).min(1);
const vantageFactsSchema = schemas/* object */.Ikc({
    /** `aws-lambda`, `gcp-cloud-run`, `local`. */
    provider: answer_text,
    region: answer_text.optional(),
    functionName: answer_text.optional(),
    functionVersion: answer_text.optional(),
    /** `node v24.11.0`. */
    runtime: answer_text,
    architecture: answer_text.optional(),
    requestId: answer_text.optional(),
})
    .strict();
const answerSchema = schemas/* object */.Ikc({
    contract: schemas/* literal */.euz(version_CONTRACT_VERSION),
    vantage: vantageFactsSchema,
    durationMs: schemas/* number */.aig().finite().nonnegative(),
    /** One entry per probed host; an MX job has one per exchange. `jobs`: the request's jobs it answers. */
    results: schemas/* array */.YOg(schemas/* object */.Ikc({ jobs, result: probeResultSchema }).strict()),
    /** Destinations the vantage's policy would not probe, before any packet was sent to them. */
    refused: schemas/* array */.YOg(schemas/* object */.Ikc({
        jobs,
        host: answer_text,
        /** The address that made the name forbidden, when one did. */
        address: answer_text.optional(),
        reason: answer_text,
    })
        .strict()),
})
    .strict();
/** An answer that says why there is none: a bad request, or a failure of the vantage itself. */
const errorAnswerSchema = schemas/* object */.Ikc({
    contract: schemas/* literal */.euz(version_CONTRACT_VERSION),
    error: schemas/* object */.Ikc({
        type: schemas/* enum */.k5n(['BadRequest', 'ContractMismatch', 'PayloadTooLarge', 'InternalError']),
        field: answer_text.optional(),
        message: answer_text,
        requestId: answer_text.optional(),
    })
        .strict(),
})
    .strict();
/** The answer as sent: plain JSON (every value of a ProbeResult is a JSON value). */
function encodeAnswer(answer) {
    return JSON.stringify(answer);
}
/** A remote answer that cannot be used; the message says why without quoting it. */
class AnswerError extends Error {
    constructor(message) {
        super(message);
        this.name = 'AnswerError';
    }
}
/**
 * The answer from its JSON text, checked field by field. Another contract version is a
 * ContractMismatch; an error answer an AnswerError carrying its type and message.
 */
function decodeAnswer(textIn) {
    let body;
    try {
        body = JSON.parse(textIn);
    }
    catch {
        throw new AnswerError('answered with something that is not JSON');
    }
    const version = body?.contract;
    if (typeof body !== 'object' || body === null)
        throw new AnswerError('answered with something that is not an object');
    if (version !== version_CONTRACT_VERSION)
        throw new version_ContractMismatch(version, 'answer');
    const failed = errorAnswerSchema.safeParse(body);
    if (failed.success) {
        const e = failed.data.error;
        throw new AnswerError(`${e.type}${e.field ? ` (${e.field})` : ''}: ${e.message}`);
    }
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AnswerError(`answered with a malformed contract ${version_CONTRACT_VERSION} answer (at ${issue?.path.join('.') || 'top'}: ${issue?.message})`);
    }
    return parsed.data;
}
/** The results of one answer by request job index (an MX job may have several). */
function resultsByJob(answer) {
    const byJob = new Map();
    for (const { jobs: indexes, result } of answer.results) {
        for (const i of indexes)
            byJob.set(i, [...(byJob.get(i) ?? []), result]);
    }
    return byJob;
}

;// CONCATENATED MODULE: ./src/contract/profile.ts
/**
 * A profile as the core's options. The runner probes through this function too, so a remote vantage
 * and the runner cannot probe one job two ways.
 */
function profileOptions(profile) {
    const { tls } = profile;
    return {
        timeout: profile.timeout,
        connectTimeout: profile.connectTimeout,
        greetingTimeout: profile.greetingTimeout,
        commandTimeout: profile.commandTimeout,
        ...(profile.helo ? { helo: profile.helo } : {}),
        retries: profile.retries,
        tls: {
            ...(tls.ca && tls.ca.length > 0 ? { ca: tls.ca } : {}),
            ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
            ...(tls.servername ? { servername: tls.servername } : {}),
        },
        ...(tls.allowUnverifiedAuth ? { allowUnverifiedAuth: true } : {}),
        ...(tls.allowPlaintextAuth ? { allowPlaintextAuth: true } : {}),
        ...(profile.auth ? { auth: profile.auth } : {}),
        ...(profile.envelope ? { envelope: profile.envelope } : {}),
    };
}

;// CONCATENATED MODULE: ./src/contract/request.ts
/**
 * What a remote vantage is asked to do, contract version 2: concrete jobs (host, port, mode) and the
 * probe options of each, carried whole (timeouts, HELO, TLS trust and minimum version, retries,
 * credentials, envelope), so that a remote vantage probes exactly as the runner does. Options shared by
 * many jobs are sent once, as a profile the jobs point at.
 */



/** Largest request body a vantage reads; checked before parsing. */
const MAX_REQUEST_BYTES = (/* unused pure expression or super */ null && (256 * 1024));
const MAX_JOBS = 1_000;
const MAX_PROFILES = 64;
const noControl = (what) => schemas/* string */.YjP()
    .max(1_024, { error: `${what} is longer than 1024 characters` })
    .refine((value) => !/[\r\n\0]/.test(value), { error: `${what} contains CR, LF or NUL` });
const request_ms = schemas/* number */.aig()
    .int()
    .positive()
    .max(15 * 60_000);
/** RFC 1123 host names, IPv4 and IPv6 literals; the vantage re-checks every name it resolves. */
const host = schemas/* string */.YjP()
    .min(1)
    .max(255, { error: 'is longer than 255 characters' })
    .regex(/^[A-Za-z0-9._:[\]-]+$/, { error: 'is not a host name or IP address' });
const probeProfileSchema = schemas/* object */.Ikc({
    timeout: request_ms,
    connectTimeout: request_ms,
    greetingTimeout: request_ms,
    commandTimeout: request_ms,
    helo: schemas/* string */.YjP()
        .max(253)
        .refine(probe/* isHeloName */.U3, { error: 'is not a domain name or address literal' })
        .optional(),
    retries: schemas/* number */.aig().int().min(0).max(5),
    tls: schemas/* object */.Ikc({
        /** Extra trusted CA certificates, PEM text. */
        ca: schemas/* array */.YOg(schemas/* string */.YjP()
            .max(64 * 1024)
            .includes('-----BEGIN CERTIFICATE-----'))
            .max(16)
            .optional(),
        minVersion: schemas/* enum */.k5n(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']).optional(),
        servername: host.optional(),
        allowUnverifiedAuth: schemas/* boolean */.zMY().optional(),
        allowPlaintextAuth: schemas/* boolean */.zMY().optional(),
    })
        .strict(),
    auth: schemas/* object */.Ikc({
        username: noControl('the username').pipe(schemas/* string */.YjP().min(1)),
        password: noControl('the password'),
    })
        .strict()
        .optional(),
    envelope: schemas/* object */.Ikc({
        from: noControl('the sender').refine(probe/* isMailbox */.Lc, {
            error: 'is not a mail address like app@example.com',
        }),
        to: noControl('the recipient')
            .refine(probe/* isMailbox */.Lc, { error: 'is not a mail address like app@example.com' })
            .optional(),
    })
        .strict()
        .optional(),
})
    .strict();
const jobSchema = schemas/* object */.Ikc({
    host,
    /** The host is a domain whose MX hosts are probed (port 25 by convention). */
    mx: schemas/* boolean */.zMY().optional(),
    port: schemas/* number */.aig().int().min(1).max(65_535),
    mode: schemas/* enum */.k5n(probe/* MODES */.FN),
    /** Index into `profiles`. */
    profile: schemas/* number */.aig().int().min(0),
})
    .strict();
const probeRequestSchema = schemas/* object */.Ikc({
    contract: schemas/* literal */.euz(version_CONTRACT_VERSION),
    /** The caller's own budget for the whole answer, ms: the vantage answers within it. */
    deadlineMs: schemas/* number */.aig()
        .int()
        .positive()
        .max(15 * 60_000)
        .optional(),
    concurrency: schemas/* number */.aig().int().min(1).max(64).optional(),
    profiles: schemas/* array */.YOg(probeProfileSchema).min(1).max(MAX_PROFILES),
    jobs: schemas/* array */.YOg(jobSchema).min(1).max(MAX_JOBS),
})
    .strict()
    .superRefine((request, ctx) => {
    request.jobs.forEach((job, i) => {
        if (job.profile >= request.profiles.length) {
            ctx.addIssue({
                code: 'custom',
                path: ['jobs', i, 'profile'],
                message: `points at profile ${job.profile}, but there are ${request.profiles.length}`,
            });
        }
    });
});
/** A request the vantage refuses; `field` is the path of the bad value (`jobs[2].port`, `body`). */
class BadRequest extends Error {
    field;
    constructor(field, message) {
        super(`${field}: ${message}`);
        this.name = 'BadRequest';
        this.field = field;
    }
}
function fieldOf(path) {
    return (path.reduce((acc, key) => typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key), '') || 'body');
}
/**
 * Validates a decoded request body. Another contract version is a ContractMismatch naming both; any
 * other first problem a BadRequest naming its field. Messages describe what was expected and never
 * echo the value, so neither a password nor a 5 MB host name comes back in an error.
 */
function parseRequest(body) {
    const version = body?.contract;
    if (typeof body === 'object' && body !== null && version !== CONTRACT_VERSION) {
        throw new ContractMismatch(version, 'request');
    }
    const parsed = probeRequestSchema.safeParse(body);
    if (parsed.success)
        return parsed.data;
    const issue = parsed.error.issues[0];
    const unknown = issue?.code === 'unrecognized_keys' ? ` (${issue.keys.map((k) => k.slice(0, 40)).join(', ')})` : '';
    throw new BadRequest(fieldOf(issue?.path ?? []), `${issue?.message ?? 'invalid request'}${unknown}`);
}

;// CONCATENATED MODULE: ./src/contract/index.ts
/** The versioned contract between the caller and a remote vantage: request, answer, version. */






/***/ }),

/***/ 73:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  G: () => (/* binding */ buildPlan)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/result/settings.ts
var settings = __nccwpck_require__(6744);
;// CONCATENATED MODULE: ./src/vantage/spec.ts

const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A version number, `$LATEST`, or an alias (which may not be all digits, and which the pattern admits). */
const QUALIFIER = /^(?:\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const LAMBDA_ARN = /^arn:(aws|aws-cn|aws-us-gov):lambda:([^:]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
/** Google Cloud regions: `europe-west1`, `us-central1`, `northamerica-northeast2`. */
const GCP_REGION = /^[a-z]+-[a-z]+\d{1,2}$/;
const FORMS = 'runner, aws-lambda:REGION:FUNCTION[:QUALIFIER], a Lambda ARN, https://ID.lambda-url.REGION.on.aws/ or gcp:REGION:URL';
/**
 * Vantage texts checked once, `runner` when none is given. The same vantage given twice counts once;
 * two different functions that would share a label (two in one region) are labelled in full.
 */
function parseVantages(texts, source) {
    const specs = (texts.length > 0 ? texts : ['runner']).map((text, i) => parseVantage(text, source(i)));
    const unique = specs.filter((spec, i) => specs.findIndex((s) => identity(s) === identity(spec)) === i);
    return unique.map((spec) => spec.kind !== 'runner' && unique.some((s) => s !== spec && s.label === spec.label)
        ? { ...spec, label: fullLabel(spec) }
        : spec);
}
/** What a vantage calls: equal for two texts that name the same function. */
function identity(spec) {
    switch (spec.kind) {
        case 'runner':
            return 'runner';
        case 'aws-lambda':
            return `aws-lambda:${spec.functionArn ?? `${spec.region}:${spec.functionName}`}:${spec.qualifier ?? ''}`;
        default:
            return `${spec.kind}:${spec.url.href}`;
    }
}
function fullLabel(spec) {
    switch (spec.kind) {
        case 'aws-lambda': {
            const account = spec.functionArn?.split(':')[4];
            return [spec.label, account, spec.functionName, spec.qualifier].filter(Boolean).join(':');
        }
        case 'function-url':
            return `${spec.label}:${spec.url.hostname.split('.')[0]}`;
        case 'gcp':
            return `${spec.label}:${spec.url.host}${spec.url.pathname.replace(/\/$/, '')}`;
    }
}
/**
 * `runner`; `aws-lambda:REGION:FUNCTION` or `aws-lambda:REGION:FUNCTION:QUALIFIER`;
 * `arn:aws:lambda:REGION:ACCOUNT:function:FUNCTION[:QUALIFIER]`; `https://ID.lambda-url.REGION.on.aws/`;
 * `gcp:REGION:URL` (a Cloud Run functions URL; plain http only to this machine, for a local
 * functions-framework).
 */
function parseVantage(text, source) {
    if (text === 'runner')
        return { kind: 'runner', label: 'runner' };
    const lambda = /^aws-lambda:([^:]+):([^:]+)(?::([^:]*))?$/.exec(text);
    if (lambda) {
        const [, region = '', functionName = '', qualifier] = lambda;
        return lambdaSpec(region, functionName, qualifier, undefined, source);
    }
    const arn = LAMBDA_ARN.exec(text);
    if (arn) {
        const [, partition = '', region = '', account = '', functionName = '', qualifier] = arn;
        const functionArn = `arn:${partition}:lambda:${region}:${account}:function:${functionName}`;
        return lambdaSpec(region, functionName, qualifier, functionArn, source);
    }
    if (text.startsWith('arn:')) {
        throw new settings/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(text)} is not a Lambda function ARN: arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`, source);
    }
    const gcp = /^gcp:([^:]*):(.*)$/.exec(text);
    if (gcp)
        return gcpSpec(gcp[1] ?? '', gcp[2] ?? '', source);
    const url = urlOf(text);
    const region = url ? /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1] : undefined;
    if (url?.protocol === 'https:' && region && AWS_REGION.test(region)) {
        return { kind: 'function-url', label: `function-url:${region}`, region, url };
    }
    throw new settings/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(text)} is not a vantage: use ${FORMS}`, source);
}
function lambdaSpec(region, functionName, qualifier, functionArn, source) {
    if (!AWS_REGION.test(region))
        throw new settings/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(region)} is not an AWS region`, source);
    if (!FUNCTION_NAME.test(functionName))
        throw new settings/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(functionName)} is not a function name`, source);
    if (qualifier !== undefined && !QUALIFIER.test(qualifier)) {
        throw new settings/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(qualifier)} is not a function version or alias (a number, $LATEST or an alias name)`, source);
    }
    return {
        kind: 'aws-lambda',
        label: `aws-lambda:${region}`,
        region,
        functionName,
        ...(qualifier === undefined ? {} : { qualifier }),
        ...(functionArn === undefined ? {} : { functionArn }),
    };
}
function urlOf(text) {
    try {
        return new URL(text);
    }
    catch {
        return undefined;
    }
}
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;
function gcpSpec(region, text, source) {
    if (!GCP_REGION.test(region)) {
        throw new settings/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(region)} is not a Google Cloud region (e.g. europe-west1): use gcp:REGION:URL`, source);
    }
    const url = urlOf(text);
    if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname)))) {
        throw new settings/* UsageError */.eb(`${(0,settings/* quoteInput */.Zs)(text)} is not the function's https:// URL (e.g. https://smtp-port-probe-123456789012.${region}.run.app)`, source);
    }
    if (url.username || url.password || url.search || url.hash) {
        throw new settings/* UsageError */.eb(`the URL of gcp:${region} must not carry credentials, a query or a fragment: the ID token authenticates`, source);
    }
    // Both URL forms name their region: `NAME-PROJECTNUMBER.REGION.run.app`, `REGION-PROJECT.cloudfunctions.net`.
    const named = /\.([a-z]+-[a-z]+\d{1,2})\.run\.app$/.exec(url.hostname)?.[1] ??
        /^([a-z]+-[a-z]+\d{1,2})-[a-z0-9-]+\.cloudfunctions\.net$/.exec(url.hostname)?.[1];
    if (named && named !== region) {
        throw new settings/* UsageError */.eb(`${url.hostname} is in ${named}, not ${region}: write gcp:${named}:${url.href}`, source);
    }
    return { kind: 'gcp', label: `gcp:${region}`, region, url };
}

// EXTERNAL MODULE: ./src/plan/controls.ts
var plan_controls = __nccwpck_require__(7821);
;// CONCATENATED MODULE: ./src/plan/runner-environment.ts
/**
 * What the runner is, from the variables its platform sets: GitHub Actions sets GITHUB_ACTIONS=true
 * and, on current runners, RUNNER_ENVIRONMENT=github-hosted or self-hosted; most CI systems set CI.
 * The adapters hand over their environment; nothing here reads process.env.
 */
function runnerEnvironment(env) {
    if (env.GITHUB_ACTIONS === 'true') {
        if (env.RUNNER_ENVIRONMENT === 'github-hosted')
            return 'github-hosted';
        if (env.RUNNER_ENVIRONMENT === 'self-hosted')
            return 'self-hosted';
        return 'github-actions';
    }
    const ci = env.CI?.toLowerCase();
    if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0')
        return 'ci';
    return 'local';
}

// EXTERNAL MODULE: ./src/plan/targets.ts
var plan_targets = __nccwpck_require__(1);
// EXTERNAL MODULE: ./src/plan/types.ts
var types = __nccwpck_require__(9898);
;// CONCATENATED MODULE: ./src/plan/build.ts








/** Config file first, then flags over it; targets from both. Throws UsageError for every mistake. */
async function buildPlan(input) {
    const warnings = [];
    const configPath = input.configPath ?? (await existing(input.defaultConfigPath, input.cwd));
    // Loaded only with a config file: YAML and the schema library are half of the CLI's start-up.
    const config = configPath
        ? await (await Promise.all(/* import() */[__nccwpck_require__.e(815), __nccwpck_require__.e(38)]).then(__nccwpck_require__.bind(__nccwpck_require__, 3038))).loadConfig(configPath, input.env, input.cwd)
        : undefined;
    const vantages = parseVantages(input.vantages ?? [], input.vantageSource ?? ((i) => ({ setting: 'vantages', detail: `(${i + 1})` })));
    const credentials = input.auth ?? (input.credentials ? readCredentials(input.credentials, input.env) : undefined);
    const targets = [];
    for (const t of config?.targets ?? []) {
        addTarget(targets, credentials && !t.auth
            ? { ...t, auth: credentials, ...(input.credentials ? { credentialRefs: input.credentials } : {}) }
            : t);
    }
    input.targets.forEach((spec, i) => {
        const source = input.targetSource?.(i, spec) ?? `target ${(0,settings/* quoteInput */.Zs)((0,plan_targets/* redactCredentials */.UY)(spec))}`;
        const parsed = (0,plan_targets/* parseTargetSpec */.Sf)(spec, source, {
            ...(input.ports ? { ports: input.ports } : {}),
            ...(input.mode ? { mode: input.mode } : {}),
        });
        if (parsed.auth)
            warnings.push(`${parsed.display}: credentials in a target end up in shell history and logs; use \`auth\``);
        const plan = (0,plan_targets/* toTargetPlan */.I6)(parsed, config?.defaultExpect ? { expect: config.defaultExpect } : {});
        const withCredentials = !plan.auth && credentials
            ? { ...plan, auth: credentials, ...(input.credentials ? { credentialRefs: input.credentials } : {}) }
            : plan;
        addTarget(targets, withCredentials);
    });
    applyOverrides(targets, input);
    const controls = (0,plan_controls/* mergeControls */.JG)(targets, config?.controls ?? [], (input.controls ?? []).map((spec, i) => (0,plan_controls/* parseControlSpec */.oe)(spec, input.controlSource?.(i, spec) ?? `control ${JSON.stringify(spec)}`)));
    if (targets.length === 0) {
        throw new types/* UsageError */.eb(configPath
            ? `${(0,settings/* cutInput */.vL)(configPath)} lists no targets`
            : 'no targets: give host[:port] arguments or a config file (--config)');
    }
    const ca = [
        ...(config?.options.tls?.ca ?? []),
        ...(input.caPem ?? []),
        ...(await Promise.all((input.caFiles ?? []).map((file) => readCa(file, input.cwd)))),
    ];
    const minVersion = input.minTls ?? config?.options.tls?.minVersion;
    const allowUnverifiedAuth = input.allowUnverifiedAuth ?? config?.options.tls?.allowUnverifiedAuth;
    const allowPlaintextAuth = input.allowPlaintextAuth ?? config?.options.tls?.allowPlaintextAuth;
    if (allowUnverifiedAuth) {
        warnings.push('`allow_unverified_auth` is on: credentials go to servers whose certificate did not verify, where anyone on the path can take them');
    }
    if (allowPlaintextAuth) {
        warnings.push('`allow_plaintext_auth` is on: credentials may cross the network unencrypted');
    }
    const options = {
        ...types/* DEFAULT_OPTIONS */.lp,
        ...stripUndefined(config?.options ?? {}),
        ...stripUndefined(input.options ?? {}),
        tls: {
            ...(ca.length > 0 ? { ca } : {}),
            ...(minVersion ? { minVersion } : {}),
            ...(allowUnverifiedAuth ? { allowUnverifiedAuth } : {}),
            ...(allowPlaintextAuth ? { allowPlaintextAuth } : {}),
        },
    };
    checkAuthExpectations(targets);
    return {
        plan: {
            targets,
            options,
            failOn: input.failOn ?? config?.failOn ?? 'error',
            vantages,
            ...(controls.length > 0 ? { controls } : {}),
            runner: runnerEnvironment(input.env),
            ...(configPath ? { configFile: configPath } : {}),
        },
        warnings,
    };
}
/**
 * What the adapter sets for every port goes over what the file says: the judged TLS minimum and the
 * TLS expectation.
 */
function applyOverrides(targets, input) {
    if (!input.minTls && !input.expectTls)
        return;
    for (const target of targets) {
        for (const port of target.ports) {
            port.expect = (0,plan_targets/* copyExpectations */.Rp)({
                ...port.expect,
                ...(input.minTls ? { minTls: input.minTls } : {}),
                ...(input.expectTls ? { tls: input.expectTls } : {}),
            });
        }
    }
}
/** `expect.auth: ok` can only hold with credentials: without them it is a mistake, said before any probe. */
function checkAuthExpectations(targets) {
    for (const target of targets) {
        const port = target.ports.find((p) => p.expect.auth === 'ok');
        if (port && !target.auth) {
            throw new types/* UsageError */.eb(`target ${(0,settings/* quoteInput */.Zs)(target.name)} expects AUTH to succeed (expect.auth: ok) but has no credentials: give them with \`auth\``, port.location ? `${port.location.file}:${port.location.line}:${port.location.column}` : undefined);
        }
    }
}
async function existing(path, cwd) {
    if (!path)
        return undefined;
    try {
        await (0,promises_.readFile)((0,external_node_path_.resolve)(cwd, path));
        return path;
    }
    catch {
        return undefined;
    }
}
function readCredentials(refs, env) {
    const username = env[refs.usernameEnv];
    const password = env[refs.passwordEnv];
    // Name the variable, never its value.
    for (const [name, value] of [
        [refs.usernameEnv, username],
        [refs.passwordEnv, password],
    ]) {
        if (value === undefined || value === '') {
            throw new types/* UsageError */.eb(`environment variable ${name} is not set`, { setting: 'auth' });
        }
        // The value would become part of an AUTH command: a line break would end it (RFC 4954 §4).
        if (/[\r\n\0]/.test(value)) {
            throw new types/* UsageError */.eb(`environment variable ${name} contains a line break or NUL; the value is not shown`, {
                setting: 'auth',
            });
        }
    }
    return { username: username, password: password };
}
async function readCa(file, cwd) {
    const path = (0,external_node_path_.isAbsolute)(file) ? file : (0,external_node_path_.resolve)(cwd, file);
    let text;
    try {
        text = await (0,promises_.readFile)(path, 'utf8');
    }
    catch (error) {
        const code = error.code ?? 'unreadable';
        throw new types/* UsageError */.eb(`cannot read CA file ${(0,settings/* cutInput */.vL)(file)} (${code})`, { setting: 'ca' });
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) {
        throw new types/* UsageError */.eb(`${(0,settings/* cutInput */.vL)(file)} holds no PEM certificate`, { setting: 'ca' });
    }
    return text;
}
/**
 * `a:25 a:587` is one target with two ports. Two targets may share a name only when nothing but their
 * ports differ; otherwise results could not be told apart.
 */
function addTarget(targets, target) {
    const same = targets.find((t) => t.name === target.name);
    if (!same) {
        targets.push(target);
        return;
    }
    const sameSettings = same.host === target.host &&
        same.mx === target.mx &&
        same.require === target.require &&
        JSON.stringify([same.auth, same.envelope]) === JSON.stringify([target.auth, target.envelope]);
    if (!sameSettings) {
        throw new types/* UsageError */.eb(`target ${(0,settings/* quoteInput */.Zs)(target.name)} is listed twice with different settings; give each a distinct name`);
    }
    for (const port of target.ports) {
        if (!same.ports.some((p) => p.port === port.port))
            same.ports.push(port);
    }
}
function stripUndefined(value) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}


/***/ }),

/***/ 7821:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   JG: () => (/* binding */ mergeControls),
/* harmony export */   "in": () => (/* binding */ controlFromEntry),
/* harmony export */   oe: () => (/* binding */ parseControlSpec)
/* harmony export */ });
/* harmony import */ var _probe_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3349);
/* harmony import */ var _targets_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(9898);
/**
 * Controls: servers known to answer on given ports from anywhere (a provider's submission host on 587, a
 * host of the user's own on 25). Every vantage probes them beside the targets, in the same invocation,
 * so that a port that fails from one vantage can be told apart: its network blocks the port, the target
 * filters that vantage, or the target is down (src/judge/attribution.ts). They are written like targets,
 * but always with a port, and without credentials, envelope or expectations: only whether the port
 * answers counts.
 */



/**
 * Reads one control: `host:587`, `host:25,587`, `[2001:db8::1]:25`, `smtp://host:587`, `smtps://host`.
 * A bare host is refused (a control vouches for the ports it is known to answer on, so they are
 * named), and so are credentials and `mx:`.
 */
function parseControlSpec(spec, source, mode) {
    // No default ports: a control without one is a mistake, not a probe of 25, 465, 587 and 2525.
    const parsed = (0,_targets_js__WEBPACK_IMPORTED_MODULE_1__/* .parseTargetSpec */ .Sf)(spec, source, { ports: [], ...(mode ? { mode } : {}) });
    if (parsed.mx) {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .UsageError */ .eb(`a control is one host, not ${JSON.stringify(parsed.display)}: give host:port`, source);
    }
    if (parsed.auth) {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .UsageError */ .eb(`a control takes no credentials (${JSON.stringify(parsed.display)}): only whether the port answers counts`, source);
    }
    if (parsed.ports.length === 0) {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .UsageError */ .eb(`a control needs its port, as in ${parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host}:587: it vouches only for the ports it is known to answer on`, source);
    }
    return controlPlan(parsed.host, parsed.host, parsed.ports);
}
/** A control from a config mapping. */
function controlFromEntry(entry, location) {
    const ports = entry.ports.map((p) => {
        const mode = p.mode ?? entry.mode;
        return { port: p.port, mode: mode ?? (0,_probe_index_js__WEBPACK_IMPORTED_MODULE_0__/* .defaultMode */ .Hf)(p.port), explicit: mode !== undefined };
    });
    return { ...controlPlan(entry.name ?? entry.host, entry.host, ports), location };
}
function controlPlan(name, host, ports) {
    return {
        name,
        host,
        mx: false,
        ports: ports.map(({ port, mode, explicit }) => ({ port, mode, modeExplicit: explicit, expect: {} })),
        require: 'all',
    };
}
/**
 * Controls from the file, then the adapter's, merged by name. A control on the same name and port as a
 * target would make their rows indistinguishable: refused, naming both.
 */
function mergeControls(targets, fromFile, given) {
    const controls = [];
    for (const control of [...fromFile, ...given]) {
        for (const port of control.ports) {
            if (targets.some((t) => t.name === control.name && t.ports.some((p) => p.port === port.port))) {
                throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .UsageError */ .eb(`${control.name}:${port.port} is both a target and a control: a control is evidence about the port, so name another server`, { setting: 'controls' });
            }
        }
        const same = controls.find((c) => c.name === control.name);
        if (!same) {
            controls.push({ ...control, ports: [...control.ports] });
            continue;
        }
        if (same.host !== control.host) {
            throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .UsageError */ .eb(`control ${JSON.stringify(control.name)} is listed twice with different hosts; give each a distinct name`, { setting: 'controls' });
        }
        for (const port of control.ports)
            if (!same.ports.some((p) => p.port === port.port))
                same.ports.push(port);
    }
    return controls;
}


/***/ }),

/***/ 2983:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E: () => (/* binding */ parseDuration)
/* harmony export */ });
/* unused harmony export MAX_DURATION_MS */
/* harmony import */ var ms__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(744);
/* harmony import */ var ms__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(ms__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _result_settings_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6744);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(9898);



/**
 * Node's timers hold a signed 32-bit delay: anything longer fires after 1 ms with only a warning, so a
 * "1y" timeout would silently become an instant one. Refuse it instead.
 */
const MAX_DURATION_MS = 2 ** 31 - 1;
const HINT = 'use a number of milliseconds or a value like 10s, 500ms, 2m';
/** Names a value for an error message without dumping objects. */
function show(value) {
    if (typeof value === 'string')
        return (0,_result_settings_js__WEBPACK_IMPORTED_MODULE_1__/* .quoteInput */ .Zs)(value);
    if (value === null || value === undefined)
        return String(value);
    if (Array.isArray(value))
        return 'a list';
    if (typeof value === 'object')
        return 'a mapping';
    return String(value);
}
/** Reads a duration as milliseconds: a positive number (ms) or a string such as `10s`, `500ms`, `2m`, `1.5s`. */
function parseDuration(value, source) {
    let millis;
    if (typeof value === 'number') {
        millis = value;
    }
    else if (typeof value === 'string' && value.trim() !== '') {
        // ms() takes bare numbers as milliseconds and returns undefined for anything it cannot read.
        millis = ms__WEBPACK_IMPORTED_MODULE_0___default()(value.trim());
    }
    if (millis === undefined || !Number.isFinite(millis)) {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .UsageError */ .eb(`invalid duration ${show(value)}: ${HINT}`, source);
    }
    if (millis <= 0) {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .UsageError */ .eb(`invalid duration ${show(value)}: it must be more than zero; ${HINT}`, source);
    }
    if (millis > MAX_DURATION_MS) {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .UsageError */ .eb(`invalid duration ${show(value)}: the longest allowed is ${MAX_DURATION_MS} ms (about 24.8 days)`, source);
    }
    return millis;
}


/***/ }),

/***/ 1:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   I6: () => (/* binding */ toTargetPlan),
/* harmony export */   Rp: () => (/* binding */ copyExpectations),
/* harmony export */   Sf: () => (/* binding */ parseTargetSpec),
/* harmony export */   UY: () => (/* binding */ redactCredentials),
/* harmony export */   o6: () => (/* binding */ parseHost)
/* harmony export */ });
/* unused harmony export parsePortList */
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_net__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _probe_index_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3349);
/* harmony import */ var _probe_options_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(4344);
/* harmony import */ var _result_settings_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(6744);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(9898);





const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SCHEME_PORTS = { smtp: 587, smtps: 465 };
/**
 * Hides the user info of anything that looks like `user:password@`, even in a spec too broken to
 * parse or in a line of a config file: the user name (some providers, Postmark among them, use the API
 * token as the user name) and everything from the first `:` to the last `@` (an unencoded `@`, `:` or
 * space may sit inside the password): `smtp://****:****@host`.
 */
function redactCredentials(text) {
    const at = text.lastIndexOf('@');
    if (at === -1)
        return text;
    // Anchored: a "://" inside a password is not a scheme.
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(text);
    const start = scheme ? scheme.index + scheme[0].length : 0;
    if (at < start)
        return text;
    const userinfo = text.slice(start, at);
    const colon = userinfo.indexOf(':');
    // Only emptiness shows through, so that "empty password in smtp://****:@host" still says what is wrong.
    const mask = (part) => (part === '' ? '' : _probe_index_js__WEBPACK_IMPORTED_MODULE_1__/* .REDACTED */ .XF);
    const shown = colon === -1 ? _probe_index_js__WEBPACK_IMPORTED_MODULE_1__/* .REDACTED */ .XF : `${mask(userinfo.slice(0, colon))}:${mask(userinfo.slice(colon + 1))}`;
    return `${text.slice(0, start)}${shown}${text.slice(at)}`;
}
const quote = (text) => (0,_result_settings_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteInput */ .Zs)(text);
function fail(ctx, message) {
    throw new _types_js__WEBPACK_IMPORTED_MODULE_4__/* .UsageError */ .eb(message, ctx.source);
}
/** Reads `25` or `25,465,587`: whole numbers from 1 to 65535; a port given twice is probed once. */
function parsePortList(text, source) {
    const ctx = { display: text, source };
    if (text === '')
        fail(ctx, 'missing port: give a port such as 587 or a list such as 25,465,587');
    const ports = [];
    for (const part of text.split(',')) {
        if (part === '')
            fail(ctx, `empty entry in port list ${quote(text)}: separate ports with single commas`);
        const port = /^\d{1,5}$/.test(part) ? Number(part) : Number.NaN;
        if (!(port >= 1 && port <= 65_535)) {
            fail(ctx, `invalid port ${quote(part)}: use a whole number from 1 to 65535`);
        }
        if (!ports.includes(port))
            ports.push(port);
    }
    return ports;
}
function withPort(ctx, host, portText) {
    if (portText === '') {
        fail(ctx, `missing port after ":" in ${quote(ctx.display)}: give one, or leave out the ":"`);
    }
    return { host, portText };
}
/** Splits `host`, `host:ports`, `[v6]`, `[v6]:ports` or a bare IPv6 literal (which cannot take a port). */
function splitHostPorts(ctx, text) {
    const ipv6Hint = 'write an IPv6 address as [2001:db8::1]:587';
    if (text.startsWith('[')) {
        const close = text.indexOf(']');
        if (close === -1)
            fail(ctx, `unbalanced "[" in ${quote(ctx.display)}: ${ipv6Hint}`);
        const host = text.slice(1, close);
        const rest = text.slice(close + 1);
        if ((0,node_net__WEBPACK_IMPORTED_MODULE_0__.isIP)(host) !== 6)
            fail(ctx, `${quote(`[${host}]`)} is not an IPv6 address`);
        if (rest === '')
            return { host };
        if (!rest.startsWith(':'))
            fail(ctx, `unexpected ${quote(rest)} after "]" in ${quote(ctx.display)}`);
        return withPort(ctx, host, rest.slice(1));
    }
    if (text.includes(']'))
        fail(ctx, `unbalanced "]" in ${quote(ctx.display)}: ${ipv6Hint}`);
    const colon = text.indexOf(':');
    if (colon === -1)
        return { host: text };
    if (text.indexOf(':', colon + 1) !== -1) {
        // Two colons or more: only an IPv6 literal, and then every colon belongs to the address.
        if ((0,node_net__WEBPACK_IMPORTED_MODULE_0__.isIP)(text) === 6)
            return { host: text };
        fail(ctx, `${quote(ctx.display)} is neither host:port nor an IPv6 address; ${ipv6Hint}`);
    }
    return withPort(ctx, text.slice(0, colon), text.slice(colon + 1));
}
/** The probe core's own rule (`resolveTarget`), so that nothing accepted here is refused later. */
function checkHost(ctx, host) {
    if (host === '')
        fail(ctx, `missing host in ${quote(ctx.display)}`);
    try {
        (0,_probe_options_js__WEBPACK_IMPORTED_MODULE_2__/* .resolveTarget */ .u1)({ host, port: 25 });
    }
    catch {
        fail(ctx, `host ${quote(redactCredentials(host))} is neither a host name nor an IP address`);
    }
}
/** Checks a lone host (a config file's `host:`): a DNS name or an IP literal, IPv6 with or without brackets. */
function parseHost(text, source) {
    const ctx = { display: redactCredentials(text), source };
    const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
    if (bare === '')
        fail(ctx, 'missing host: give a host such as smtp.example.com');
    if (bare !== text && (0,node_net__WEBPACK_IMPORTED_MODULE_0__.isIP)(bare) !== 6)
        fail(ctx, `${quote(ctx.display)} is not an IPv6 address`);
    if (/^[^:@]+:[^:@]*$/.test(bare)) {
        fail(ctx, `host ${quote(ctx.display)} includes a port: give the host alone and the ports under ports`);
    }
    checkHost(ctx, bare);
    return bare;
}
function decodeCredential(ctx, text, what) {
    let value = '';
    try {
        value = decodeURIComponent(text);
    }
    catch {
        fail(ctx, `malformed percent-encoding in the ${what} of ${quote(ctx.display)}`);
    }
    if (value === '')
        fail(ctx, `empty ${what} in ${quote(ctx.display)}`);
    // A line break would let the value smuggle SMTP commands; the probe refuses it later anyway.
    if (/[\r\n\0]/.test(value))
        fail(ctx, `the ${what} in ${quote(ctx.display)} contains a line break or NUL`);
    return value;
}
function parseUrl(ctx, spec, scheme, mode) {
    const name = (scheme[1] ?? '').toLowerCase();
    if (name !== 'smtp' && name !== 'smtps') {
        fail(ctx, `unknown scheme ${quote(`${scheme[1]}://`)}: use smtp:// (STARTTLS) or smtps:// (implicit TLS)`);
    }
    const rest = spec.slice(scheme[0].length);
    const end = rest.search(/[/?#]/);
    const authority = end === -1 ? rest : rest.slice(0, end);
    const tail = end === -1 ? '' : rest.slice(end);
    // The user info ends at / ? #: an unencoded one inside a password would show part of it as the path.
    if (tail.includes('@')) {
        fail(ctx, `the credentials in ${quote(ctx.display)} contain "/", "?" or "#": percent-encode them`);
    }
    if (tail !== '' && tail !== '/') {
        fail(ctx, `a target URL takes no path or query, got ${quote(tail)} in ${quote(ctx.display)}`);
    }
    const at = authority.lastIndexOf('@');
    let auth;
    if (at !== -1) {
        const userinfo = authority.slice(0, at);
        const colon = userinfo.indexOf(':');
        if (colon === -1) {
            fail(ctx, `user name without a password in ${quote(ctx.display)}: write smtp://user:password@host`);
        }
        auth = {
            username: decodeCredential(ctx, userinfo.slice(0, colon), 'user name'),
            password: decodeCredential(ctx, userinfo.slice(colon + 1), 'password'),
        };
    }
    const { host, portText } = splitHostPorts(ctx, authority.slice(at + 1));
    checkHost(ctx, host);
    if (portText?.includes(',')) {
        fail(ctx, `a target URL takes one port, got ${quote(portText)}: list several as host:25,465,587`);
    }
    const port = portText === undefined ? SCHEME_PORTS[name] : (parsePortList(portText, ctx.source)[0] ?? 0);
    // RFC 8314 §3.3: smtps means TLS from the first byte, whatever the port.
    const portMode = name === 'smtps' ? 'tls' : (mode ?? (0,_probe_index_js__WEBPACK_IMPORTED_MODULE_1__/* .defaultMode */ .Hf)(port));
    return {
        host,
        mx: false,
        ports: [{ port, mode: portMode, explicit: name === 'smtps' || mode !== undefined }],
        ...(auth ? { auth } : {}),
        display: ctx.display,
    };
}
function parseMx(ctx, spec, mode) {
    const domain = spec.slice(3);
    if (domain === '')
        fail(ctx, `${quote(ctx.display)} needs a domain, such as mx:example.com`);
    if (domain.includes('@'))
        fail(ctx, `${quote(ctx.display)}: an mx target takes no credentials`);
    const colon = domain.indexOf(':');
    if (colon !== -1 && !domain.startsWith('[')) {
        const port = quote(domain.slice(colon + 1));
        fail(ctx, `port ${port} after an mx domain: mx:${domain.slice(0, colon)} probes port 25 on each MX host`);
    }
    // RFC 3696 §2: a top-level domain is never all digits, so this also refuses IPv4 literals.
    const lastLabel = domain.replace(/\.$/, '').split('.').pop() ?? '';
    if ((0,node_net__WEBPACK_IMPORTED_MODULE_0__.isIP)(domain.replace(/^\[|\]$/g, '')) !== 0 || /^\d+$/.test(lastLabel)) {
        fail(ctx, `an mx target needs a domain name, got the address ${quote(domain)}`);
    }
    checkHost(ctx, domain);
    return {
        host: domain,
        mx: true,
        ports: [{ port: 25, mode: mode ?? (0,_probe_index_js__WEBPACK_IMPORTED_MODULE_1__/* .defaultMode */ .Hf)(25), explicit: mode !== undefined }],
        display: ctx.display,
    };
}
/**
 * Reads one target: `host`, `host:587`, `host:25,465,587`, `[2001:db8::1]:587`, `2001:db8::1`,
 * `smtp://host[:port]`, `smtps://host[:port]`, `smtp://user:pass@host`, `mx:example.com`.
 * Throws a UsageError naming the bad part; a password never appears in it.
 */
function parseTargetSpec(spec, source, defaults = {}) {
    const ctx = { display: redactCredentials(spec), source };
    if (spec === '')
        fail(ctx, 'empty target: give a host such as smtp.example.com or smtp.example.com:587');
    if (/\s/.test(spec))
        fail(ctx, `target ${quote(ctx.display)} contains whitespace`);
    const scheme = SCHEME.exec(spec);
    if (scheme)
        return parseUrl(ctx, spec, scheme, defaults.mode);
    if (/^mx:/i.test(spec))
        return parseMx(ctx, spec, defaults.mode);
    if (spec.includes('@')) {
        fail(ctx, `credentials in ${quote(ctx.display)} need a URL: write smtp://user:password@host:587`);
    }
    const { host, portText } = splitHostPorts(ctx, spec);
    checkHost(ctx, host);
    const ports = portText === undefined ? [...(defaults.ports ?? _types_js__WEBPACK_IMPORTED_MODULE_4__/* .DEFAULT_PORTS */ .J2)] : parsePortList(portText, source);
    return {
        host,
        mx: false,
        ports: ports.map((port) => ({
            port,
            mode: defaults.mode ?? (0,_probe_index_js__WEBPACK_IMPORTED_MODULE_1__/* .defaultMode */ .Hf)(port),
            explicit: defaults.mode !== undefined,
        })),
        display: ctx.display,
    };
}
/** Copies expectations so that no two ports share (and could mutate) one `cert` object. */
function copyExpectations(expect) {
    return { ...expect, ...(expect.cert ? { cert: { ...expect.cert } } : {}) };
}
/** Turns a parsed spec into a plan entry: every port gets `expect`, and `location` when known. */
function toTargetPlan(spec, extras = {}) {
    const { expect = {}, location } = extras;
    return {
        name: spec.mx ? `mx:${spec.host}` : spec.host,
        host: spec.host,
        mx: spec.mx,
        ports: spec.ports.map(({ port, mode, explicit }) => ({
            port,
            mode,
            modeExplicit: explicit,
            expect: copyExpectations(expect),
            ...(location ? { location } : {}),
        })),
        require: 'all',
        ...(spec.auth ? { auth: spec.auth } : {}),
        ...(location ? { location } : {}),
    };
}


/***/ }),

/***/ 9898:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   J2: () => (/* binding */ DEFAULT_PORTS),
/* harmony export */   d$: () => (/* reexport safe */ _result_model_js__WEBPACK_IMPORTED_MODULE_1__.d$),
/* harmony export */   eb: () => (/* reexport safe */ _result_settings_js__WEBPACK_IMPORTED_MODULE_2__.eb),
/* harmony export */   lp: () => (/* binding */ DEFAULT_OPTIONS)
/* harmony export */ });
/* harmony import */ var _probe_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3349);
/* harmony import */ var _result_model_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8032);
/* harmony import */ var _result_settings_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6744);



const DEFAULT_PORTS = [25, 465, 587, 2525];
/** The one place the run's defaults live; the CLI's help and action.yml describe these values. */
const DEFAULT_OPTIONS = {
    ..._probe_index_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_TIMEOUTS */ .Rh,
    concurrency: 32,
    retries: 0,
    tls: {},
};


/***/ }),

/***/ 3563:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   FN: () => (/* binding */ MODES),
/* harmony export */   Hf: () => (/* binding */ defaultMode),
/* harmony export */   an: () => (/* binding */ STAGES),
/* harmony export */   f: () => (/* binding */ STATUSES)
/* harmony export */ });
/* unused harmony export STATUS_MEANINGS */
/**
 * The stable vocabulary of the probe. Tests, docs, the JSON report and users' scripts depend on these
 * strings: add to them with care, never rename.
 */
/** Exactly one of these describes how far a session got and why it stopped. */
const STATUSES = [
    'ok',
    'dns_error',
    'refused',
    'timeout',
    'unreachable',
    'reset',
    'no_greeting',
    'not_smtp',
    'rejected',
    'temporary',
    'starttls_unavailable',
    'starttls_failed',
    'tls_failed',
    'auth_failed',
    'auth_unavailable',
    'auth_withheld',
    'protocol_error',
    'aborted',
];
/** What each status means, for documentation and for people reading a report. */
const STATUS_MEANINGS = {
    ok: 'every stage that was asked for succeeded',
    dns_error: 'the host name did not resolve to any address',
    refused: 'the TCP connection was refused (RST or ICMP port-unreachable): nothing listens, or a firewall rejects',
    timeout: 'no answer within the time allowed (a silent drop by a firewall, or a stalled server)',
    unreachable: 'no route to the host or network, or an ICMP host/admin-prohibited reject',
    reset: 'the server reset or closed the connection in the middle of the session',
    no_greeting: 'TCP connected but no complete SMTP greeting arrived in time (silence, or a greeting that never ended)',
    not_smtp: 'something answered that is not an SMTP server (HTTP, TLS, SSH, binary)',
    rejected: 'the server refused with a 5xx reply (greeting, EHLO/HELO, or the MAIL FROM/RCPT TO envelope check)',
    temporary: 'the server answered with a 4xx reply: try again later',
    starttls_unavailable: 'STARTTLS was required but the server does not advertise it',
    starttls_failed: 'the server refused the STARTTLS command or closed the connection after it',
    tls_failed: 'the TLS handshake failed (implicit TLS or after STARTTLS)',
    auth_failed: 'the server refused the credentials',
    auth_unavailable: 'credentials were given but the server offers no usable AUTH mechanism',
    auth_withheld: 'credentials were given but not sent: the certificate was not trusted or did not name the host, or the connection was not encrypted',
    protocol_error: 'the server broke the SMTP protocol (a malformed, oversized or unexpected reply such as a 250 greeting, or unsolicited data)',
    aborted: 'the probe was cancelled (AbortSignal or overall deadline) before it finished',
};
/** The stages of a session, in the order they run. */
const STAGES = [
    'dns',
    'connect',
    'greeting',
    'ehlo',
    'starttls',
    'tls',
    'ehlo_tls',
    'auth',
    'envelope',
    'quit',
];
/**
 * starttls: plaintext then STARTTLS (RFC 3207); tls: TLS from the first byte (RFC 8314 §3.3);
 * plain: no TLS attempted.
 */
const MODES = ['starttls', 'tls', 'plain'];
/** RFC 8314 §3.3 makes 465 implicit TLS; every other port starts in plaintext. */
function defaultMode(port) {
    return port === 465 ? 'tls' : 'starttls';
}


/***/ }),

/***/ 3349:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Rh: () => (/* reexport */ probe_options/* DEFAULT_TIMEOUTS */.Rh),
  FN: () => (/* reexport */ catalogue/* MODES */.FN),
  XF: () => (/* reexport */ REDACTED),
  an: () => (/* reexport */ catalogue/* STAGES */.an),
  f: () => (/* reexport */ catalogue/* STATUSES */.f),
  Hf: () => (/* reexport */ catalogue/* defaultMode */.Hf),
  U3: () => (/* reexport */ probe_options/* isHeloName */.U3),
  Lc: () => (/* reexport */ probe_options/* isMailbox */.Lc),
  Xm: () => (/* reexport */ mxHosts),
  mQ: () => (/* reexport */ probeAll)
});

// UNUSED EXPORTS: DEFAULT_LIMITS, OverallDeadline, STATUS_MEANINGS, probe, resolveTarget

// EXTERNAL MODULE: ./src/probe/catalogue.ts
var catalogue = __nccwpck_require__(3563);
;// CONCATENATED MODULE: external "node:dns/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns/promises");
;// CONCATENATED MODULE: ./src/probe/mx.ts

/**
 * The hosts that take mail for a domain, most preferred first (RFC 5321 §5.1). A domain without MX
 * records has the implicit MX of its own name; a failed lookup (SERVFAIL, timeout) and a null MX
 * (RFC 7505: exchange "." or empty) also leave just the domain, whose own probe then shows what answers
 * there, so a target never silently disappears from a report. Names are returned exactly as DNS wrote
 * them: a caller that connects must check each one as it checks any other name.
 */
async function mxHosts(domain, lookup = promises_namespaceObject.resolveMx) {
    let records;
    try {
        records = await lookup(domain);
    }
    catch {
        return [domain];
    }
    const hosts = records
        .filter((r) => r.exchange !== '' && r.exchange !== '.')
        .sort((a, b) => a.priority - b.priority)
        .map((r) => r.exchange);
    return hosts.length > 0 ? hosts : [domain];
}

// EXTERNAL MODULE: ./src/probe/options.ts
var probe_options = __nccwpck_require__(4344);
;// CONCATENATED MODULE: ./src/probe/failure.ts
/**
 * How a stage ends a session early. Internal to the core: `probe()` turns it into a result and never
 * lets it escape, because a network outcome is data, not an exception.
 */
class ProbeFailure extends Error {
    status;
    errorCode;
    reply;
    /** What the peer seems to speak instead of SMTP, when it sent something else. */
    peerProtocol;
    constructor(status, message, extra = {}) {
        super(message);
        this.name = 'ProbeFailure';
        this.status = status;
        this.errorCode = extra.errorCode;
        this.reply = extra.reply;
        this.peerProtocol = extra.peerProtocol;
    }
}
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
// EPERM: a local firewall (an OUTPUT rule) or sandbox refused the connect. EACCES: the same locally,
// or, measured here over IPv6, an ICMPv6 administratively-prohibited reject from the path.
const BLOCKED = {
    EPERM: 'blocked by a local firewall or policy',
    EACCES: 'administratively prohibited (an ICMP reject, or a local policy)',
};
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** Maps a Node socket error to a failure; `during` is what was going on, for the message. */
function socketFailure(error, during) {
    if (error instanceof ProbeFailure)
        return error;
    const err = error;
    const code = typeof err?.code === 'string' ? err.code : undefined;
    const message = err instanceof Error ? err.message : String(error);
    if (code === 'ECONNREFUSED')
        return new ProbeFailure('refused', `connection refused ${during}`, { errorCode: code });
    if (code === 'ETIMEDOUT')
        return new ProbeFailure('timeout', `timed out ${during}`, { errorCode: code });
    if (code && UNREACHABLE.has(code)) {
        return new ProbeFailure('unreachable', `no route ${during} (${code})`, { errorCode: code });
    }
    const blocked = code ? BLOCKED[code] : undefined;
    if (code && blocked)
        return new ProbeFailure('unreachable', `${blocked} ${during} (${code})`, { errorCode: code });
    if (code && RESET.has(code)) {
        return new ProbeFailure('reset', `connection reset by the server ${during}`, { errorCode: code });
    }
    return new ProbeFailure('protocol_error', `${message} ${during}`, code ? { errorCode: code } : {});
}
/** The failure for a cancelled probe, from the AbortSignal's reason. */
function abortFailure(signal) {
    const reason = signal.reason;
    const text = reason instanceof Error && reason.name !== 'AbortError'
        ? reason.message
        : 'the probe was cancelled by its caller';
    return new ProbeFailure('aborted', text, { errorCode: 'ABORT_ERR' });
}

;// CONCATENATED MODULE: ./src/probe/deadline.ts

/**
 * Runs `start` until it settles, the absolute `deadline` (a `performance.now()` value) passes, or the
 * signal aborts, whichever is first. `start` returns its own clean-up, which runs on every path, and
 * the timer and the abort listener are always removed: nothing outlives the stage.
 */
function untilDeadline(deadline, onTimeout, signal, start) {
    return new Promise((resolve, reject) => {
        let done = false;
        let cleanup;
        const finish = (fn) => {
            if (done)
                return;
            done = true;
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            cleanup?.();
            fn();
        };
        const onAbort = () => finish(() => reject(abortFailure(signal)));
        const timer = setTimeout(() => finish(() => reject(onTimeout())), Math.max(0, deadline - performance.now()));
        if (signal?.aborted)
            return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        try {
            cleanup = start({
                resolve: (value) => finish(() => resolve(value)),
                reject: (error) => finish(() => reject(error)),
            });
        }
        catch (error) {
            finish(() => reject(error));
        }
        if (done)
            cleanup?.();
    });
}
/** Sleeps for `ms`, or rejects with an `aborted` failure as soon as the signal aborts. */
function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted)
            return reject(abortFailure(signal));
        const onAbort = () => {
            clearTimeout(timer);
            reject(abortFailure(signal));
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, Math.max(0, ms));
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}

// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
;// CONCATENATED MODULE: ./src/probe/dns.ts




/** getaddrinfo, one family at a time: the same answers (and /etc/hosts) an application gets. */
const defaultLookup = async (host, family) => (await (0,promises_namespaceObject.lookup)(host, { family, all: true })).map((entry) => entry.address);
/**
 * A and AAAA in parallel (both are reported: a broken IPv6 address is a real deploy problem). An IP
 * literal needs no lookup. Throws a `dns_error` (or `aborted`) failure when nothing resolves.
 */
async function resolveAddresses(host, options, deadline) {
    const started = performance.now();
    const literal = (0,external_node_net_.isIP)(host);
    if (literal !== 0)
        return { addresses: [{ address: host, family: literal }], durationMs: 0 };
    const lookup = options.lookup ?? defaultLookup;
    const [v4, v6] = await untilDeadline(deadline, () => new ProbeFailure('dns_error', `looking up ${host} took too long`, { errorCode: 'ETIMEOUT' }), options.signal, ({ resolve }) => {
        void Promise.allSettled([lookup(host, 4), lookup(host, 6)]).then(resolve);
        return () => { };
    });
    const addresses = [];
    const seen = new Set();
    for (const [family, outcome] of [
        [4, v4],
        [6, v6],
    ]) {
        if (outcome?.status !== 'fulfilled')
            continue;
        for (const address of outcome.value) {
            // An IPv4-mapped answer (::ffff:a.b.c.d) is the IPv4 host again, not an IPv6 path to probe.
            if (seen.has(address) || (0,external_node_net_.isIP)(address) !== family || /^::ffff:/i.test(address))
                continue;
            seen.add(address);
            addresses.push({ address, family });
        }
    }
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    if (addresses.length === 0) {
        const reasons = [v4, v6].map((o) => (o?.status === 'rejected' ? errorCode(o.reason) : 'ENODATA'));
        const code = reasons.find((r) => r !== 'ENODATA' && r !== 'ENOTFOUND') ?? reasons[0] ?? 'ENODATA';
        throw new ProbeFailure('dns_error', `${host} did not resolve to any address (${code})`, {
            errorCode: code,
        });
    }
    return { addresses, durationMs };
}
function errorCode(reason) {
    const code = reason?.code;
    return typeof code === 'string' ? code : 'EDNS';
}

;// CONCATENATED MODULE: ./src/probe/explain.ts
/*
 * Hints name a user setting only by its id in backticks, from this list: `mode`, `helo`, `ca`,
 * `retries`, `timeout`, `connect_timeout`, `greeting_timeout`, `command_timeout`,
 * `allow_unverified_auth`, `allow_plaintext_auth`, `expect.tls`. Each adapter (CLI, Action, Lambda)
 * spells them its own way; the core never uses one adapter's words.
 */
/** Clouds that block outbound 25, for the most common "why does 25 time out" question. */
const PORT_25_HINT = 'Outbound port 25 is blocked on most cloud networks (AWS, Google Cloud, Azure; GitHub-hosted runners run ' +
    'in Azure): submit mail on 587 (STARTTLS) or 465 (implicit TLS), or 2525 where your provider offers it.';
/** One line saying what happened, and a hint where something useful is known. Pure. */
function explain(input) {
    const explanation = input.status === 'ok' ? summarise(input) : withReply(input.message ?? input.status, input.reply);
    const hint = hintFor(input);
    return hint ? { explanation, hint } : { explanation };
}
function withReply(message, reply) {
    if (!reply)
        return message;
    const text = reply.lines[0] ?? '';
    return `${message}: ${reply.code} ${text}`.trim();
}
function summarise({ smtp, tls, auth, mode }) {
    const parts = [smtp.heloFallback ? 'HELO accepted (EHLO refused)' : 'EHLO accepted'];
    if (tls) {
        const how = mode === 'tls' ? 'implicit TLS' : 'STARTTLS';
        parts.push(`${how} ${tls.protocol ?? ''}`.trim());
        if (tls.certificate) {
            const trust = tls.trusted ? 'trusted' : `untrusted (${tls.trustError ?? 'unknown reason'})`;
            parts.push(`certificate ${trust}, ${tls.certificate.daysUntilExpiry} days left`);
        }
    }
    else {
        parts.push('no TLS');
    }
    if (auth?.outcome === 'accepted')
        parts.push(`AUTH ${auth.mechanism} accepted`);
    return parts.join(', ');
}
function tlsSpeaksPlaintext(code, message) {
    return /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|RECORD_LAYER_FAILURE|HTTP_REQUEST/i.test(`${code ?? ''} ${message ?? ''}`.replace(/ /g, '_'));
}
function hintFor(input) {
    const { status, stage, port, mode, peerProtocol } = input;
    switch (status) {
        case 'ok':
            return undefined;
        case 'dns_error':
            return 'Check the host name for typos; a name that does not exist, or has neither A nor AAAA records, cannot be reached.';
        case 'timeout':
            if (stage === 'connect') {
                return port === 25
                    ? PORT_25_HINT
                    : `Packets to port ${port} are silently dropped: check the egress firewall of this network and the server's firewall.`;
            }
            return 'The server stopped answering in the middle of the session: it may be overloaded or tarpitting this client.';
        case 'refused':
            return `Nothing accepts connections on port ${port} there, or a firewall rejects them: check the port and that the server listens on it.`;
        case 'unreachable':
            return 'The network has no route to the host, or a firewall rejects the connection: check routing and egress rules.';
        case 'reset':
            return 'The server or something in between closed the connection: a connection limit, an IDS, or a proxy with no backend.';
        case 'no_greeting':
            if (input.errorCode === 'EGREETINGINCOMPLETE') {
                return 'The server began its greeting but never finished it: an overloaded server or a tarpit, or one slower than the greeting wait (`greeting_timeout`).';
            }
            return mode === 'tls'
                ? 'The TLS handshake worked but no SMTP greeting followed: the port may serve another protocol over TLS.'
                : 'The port accepts connections but says nothing: if it expects implicit TLS (like 465) set `mode` to tls; otherwise a proxy or a tarpit holds the connection, or the greeting needs more time (`greeting_timeout`).';
        case 'not_smtp':
            if (peerProtocol === 'tls') {
                return 'The server answered with TLS bytes: it expects implicit TLS from the first byte (like port 465), so set `mode` to tls.';
            }
            if (peerProtocol === 'http')
                return 'An HTTP server answers on this port: it is not an SMTP port; check the host and port.';
            if (peerProtocol === 'ssh')
                return 'An SSH server answers on this port: it is not an SMTP port.';
            return 'Something that is not an SMTP server answers on this port: check the host and port.';
        case 'rejected':
            if (stage === 'greeting') {
                return 'The server refuses sessions from this address: it may be on a blocklist, or only known relays may connect.';
            }
            // 530 5.7.0 (RFC 3207 §4): the server insists on TLS before it takes anything else.
            if (input.reply?.code === 530 || input.reply?.enhanced === '5.7.0') {
                return 'The server requires STARTTLS before this command: set `mode` to starttls (or tls on 465).';
            }
            if (stage === 'envelope') {
                return 'The relay refuses this envelope: the sender may not be a verified address or domain of this account, or AUTH is required first.';
            }
            return 'The server refused EHLO and HELO: check the HELO name (`helo`) the server expects.';
        case 'temporary':
            return 'The server is busy, rate-limiting or greylisting this client: retry later, or set `retries`.';
        case 'starttls_unavailable':
            return port === 465
                ? 'Port 465 speaks implicit TLS: set `mode` to tls.'
                : 'The server does not offer STARTTLS here: if the port uses implicit TLS set `mode` to tls; if TLS is not needed set it to plain.';
        case 'starttls_failed':
            return 'The server advertises STARTTLS but cannot start TLS: its certificate or key is often missing or unreadable.';
        case 'tls_failed':
            if (mode === 'tls' && tlsSpeaksPlaintext(input.errorCode, input.message)) {
                return 'The server speaks plaintext on this port (OpenSSL: wrong version number): it expects STARTTLS, so set `mode` to starttls.';
            }
            if (/VERSION|PROTOCOL/i.test(input.errorCode ?? '')) {
                return 'Client and server share no TLS version: the server may only offer TLS 1.0/1.1, which is obsolete.';
            }
            return 'The TLS handshake failed: check the server certificate, key and TLS configuration (openssl s_client shows details).';
        case 'auth_failed':
            return 'Check the username and password (or API key, or app password); the account may be locked or not allowed to submit.';
        case 'auth_unavailable':
            return input.tls
                ? 'The server offers no AUTH mechanism this probe can use here: relay ports (25) often do not take AUTH; submit on 587 or 465.'
                : 'Most servers advertise AUTH only after TLS: set `mode` to starttls or tls.';
        case 'auth_withheld':
            return withheldHint(input);
        case 'protocol_error':
            return input.errorCode === 'EBADGREETING'
                ? 'Something answers on this port with a reply that is not an SMTP greeting: check the host and port, or a proxy in between.'
                : 'The server broke the SMTP protocol: the transcript shows where.';
        case 'aborted':
            return undefined;
    }
}
/** Why the credentials stayed here, what would make them safe to send, and the opt-out by name. */
function withheldHint({ auth }) {
    switch (auth?.withheld) {
        case 'plaintext':
            return 'Credentials go only over TLS: set `mode` to starttls or tls; to send them unencrypted anyway, set `allow_plaintext_auth`.';
        case 'hostname':
            return 'The certificate is for another name: probe the name it was issued for, or fix the certificate; to send credentials anyway, set `allow_unverified_auth`.';
        default:
            return 'Credentials go only to a server whose certificate verifies: give its CA (`ca`) if it uses a private one, or fix the certificate; to send them anyway, set `allow_unverified_auth`.';
    }
}

;// CONCATENATED MODULE: ./src/probe/redact.ts
/** What stands in for credentials in every transcript line and every string of a result. */
const REDACTED = '****';
/** The redactor of a probe without credentials. */
const NOTHING_SECRET = (text) => text;
/**
 * Secrets shorter than this are redacted only where they stand alone, not inside a longer word, a
 * dotted name or a base64 stream. Found anywhere, a short secret would shred the result: a user name
 * like `resend` or `apikey` is also part of the provider's host name, EHLO domain and certificate, and
 * the base64 of a 3-letter password is 2 to 4 characters that turn up in any base64 text. A secret this
 * short is weak anyway; the AUTH payloads themselves are never written anywhere (auth.ts), and the
 * whole AUTH PLAIN payload, which holds both secrets, is a secret of its own.
 */
const MIN_EMBEDDED_SECRET = 8;
const B64_CHAR = '[A-Za-z0-9+/]';
/** Not inside a word, nor inside a dotted or hyphenated name (`smtp.resend.com`, `resend-1`). */
const WORD_BEFORE = '(?<![\\p{L}\\p{N}_@-]|[\\p{L}\\p{N}]\\.)';
const WORD_AFTER = '(?![\\p{L}\\p{N}_@-]|\\.[\\p{L}\\p{N}])';
/**
 * The redactor for one set of credentials: it finds the user name and the password raw, in the
 * transcript's form (control characters as U+FFFD), as their UTF-8 bytes read as Latin-1,
 * percent-encoded (any case of hex), and base64-encoded (standard and URL-safe) at each of the three
 * byte alignments, so a secret is found inside any base64 stream whatever precedes it: the AUTH PLAIN
 * payload `\0user\0pass`, a LOGIN step, or an echo of either. Matching ignores case: a server may
 * upper-case what it repeats (EHLO keywords are upper-cased by the parser).
 */
function credentialRedactor(credentials) {
    if (!credentials)
        return NOTHING_SECRET;
    const { username, password } = credentials;
    const patterns = new Set();
    for (const secret of [username, password]) {
        if (secret === '')
            continue;
        const short = [...secret].length < MIN_EMBEDDED_SECRET;
        for (const form of textForms(secret)) {
            patterns.add(short ? `${WORD_BEFORE}${literal(form)}${WORD_AFTER}` : literal(form));
        }
        for (const pattern of base64Patterns(Buffer.from(secret, 'utf8'), short))
            patterns.add(pattern);
    }
    const plain = Buffer.from(`\0${username}\0${password}`, 'utf8');
    for (const pattern of base64Patterns(plain, plain.length < MIN_EMBEDDED_SECRET))
        patterns.add(pattern);
    // Longer alternatives first: at one position the longest form of a secret is the one replaced.
    const sorted = [...patterns].sort((a, b) => b.length - a.length);
    const finder = new RegExp(sorted.map((p) => `(?:${p})`).join('|'), 'giu');
    return (text) => text.replace(finder, REDACTED);
}
/** Every string in a JSON-like value, object keys too, passed through the redactor. Pure. */
function redactDeep(value, redact) {
    if (redact === NOTHING_SECRET)
        return value;
    const walk = (item) => {
        if (typeof item === 'string')
            return redact(item);
        if (Array.isArray(item))
            return item.map(walk);
        if (item !== null && typeof item === 'object') {
            // fromEntries defines properties: a key redacted into `__proto__` could not change a prototype.
            return Object.fromEntries(Object.entries(item).map(([key, inner]) => [redact(key), walk(inner)]));
        }
        return item;
    };
    return walk(value);
}
/** The forms of a secret as text. */
function textForms(secret) {
    const utf8 = Buffer.from(secret, 'utf8');
    const percentAll = [...utf8].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
    const component = encodeURIComponent(secret);
    return [
        secret,
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the transcript's replacement of them
        secret.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD'),
        utf8.toString('latin1'),
        component,
        component.replace(/%20/g, '+'),
        percentAll,
    ];
}
/**
 * Base64 of the bytes at each alignment: with k = 0, 1 or 2 bytes before them in the stream, the
 * characters that depend on those bytes alone, the ones that mix in what follows, and the padding are
 * dropped. A long secret matches anywhere, together with one neighbouring character on each side (each
 * holds a few of its bits); a short one only as a whole encoding standing alone, as a LOGIN step is.
 */
function base64Patterns(bytes, short) {
    if (bytes.length === 0)
        return [];
    if (short) {
        const whole = bytes.toString('base64');
        return [...new Set([whole, urlSafe(whole)])].map((form) => `(?<!${B64_CHAR}|[-_])${literal(form)}(?!${B64_CHAR}|[-_=])`);
    }
    const patterns = [];
    for (const k of [0, 1, 2]) {
        const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
        const core = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
        for (const form of new Set([core, urlSafe(core)])) {
            patterns.push(`(?:${B64_CHAR}|[-_])?${literal(form)}(?:(?:${B64_CHAR}|[-_])={0,2})?`);
        }
    }
    return patterns;
}
function urlSafe(base64) {
    return base64.replace(/\+/g, '-').replace(/\//g, '_');
}
/** The text as a regular-expression literal for the `u` flag: every character but ASCII letters and digits escaped. */
function literal(text) {
    let out = '';
    for (const char of text) {
        out += /^[A-Za-z0-9]$/.test(char) ? char : `\\u{${char.codePointAt(0).toString(16)}}`;
    }
    return out;
}

;// CONCATENATED MODULE: ./src/probe/auth.ts


/** The mechanisms we speak, in the order we prefer them. */
const SUPPORTED_MECHANISMS = ['PLAIN', 'LOGIN'];
const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
/**
 * Whether the credentials may go to this server, checked before a byte of them is sent: only over TLS
 * whose chain verified and whose certificate names the host (RFC 6125), because anyone on
 * the path can present a certificate that does not. Each check has its explicit opt-out. Throws the
 * failure that says which check failed (the chain first, then the name); returns when AUTH may go.
 */
function mayAuthenticate(tls, o, host) {
    let withheld;
    let why = '';
    if (!tls) {
        if (o.allowPlaintextAuth)
            return;
        withheld = 'plaintext';
        why = 'the connection is not encrypted';
    }
    else if (o.allowUnverifiedAuth) {
        return;
    }
    else if (!tls.trusted) {
        withheld = 'untrusted';
        why = `the server's certificate chain is not trusted (${tls.trustError ?? 'unknown reason'})`;
    }
    else if (!tls.hostnameMatch) {
        withheld = 'hostname';
        why = `the server's certificate does not name ${tls.servername ?? host}`;
    }
    if (!withheld)
        return;
    throw new AuthFailure('auth_withheld', `credentials withheld, AUTH not sent: ${why}`, {
        outcome: 'withheld',
        withheld,
    }, { errorCode: 'EAUTHWITHHELD' });
}
/**
 * AUTH (RFC 4954) with the first mechanism both sides support. Every payload goes to the transcript as
 * `****`; the credentials appear nowhere else. Resolves with the facts when the server accepted the
 * credentials; otherwise throws a failure that carries them.
 */
async function authenticate(wire, advertised, credentials, deadline) {
    const mechanism = SUPPORTED_MECHANISMS.find((m) => advertised.includes(m));
    if (!mechanism) {
        const offered = advertised.length > 0 ? `only ${advertised.join(', ')}` : 'no AUTH mechanism';
        throw new AuthFailure('auth_unavailable', `the server offers ${offered}; this probe speaks ${SUPPORTED_MECHANISMS.join(' and ')}`, { outcome: 'unavailable' });
    }
    let reply;
    if (mechanism === 'PLAIN') {
        // RFC 4616: authorization identity (empty), NUL, username, NUL, password; sent as the initial
        // response (RFC 4954 §4) to save a round trip.
        const payload = b64(`\0${credentials.username}\0${credentials.password}`);
        reply = await wire.command('auth', `AUTH PLAIN ${payload}`, deadline(), `AUTH PLAIN ${REDACTED}`);
        if (reply.code === 334)
            reply = await wire.command('auth', payload, deadline(), REDACTED);
    }
    else {
        reply = await wire.command('auth', 'AUTH LOGIN', deadline());
        if (reply.code === 334)
            reply = await wire.command('auth', b64(credentials.username), deadline(), REDACTED);
        if (reply.code === 334)
            reply = await wire.command('auth', b64(credentials.password), deadline(), REDACTED);
    }
    if (reply.code === 235)
        return { mechanism, outcome: 'accepted', reply };
    const facts = { mechanism, outcome: reply.code >= 500 ? 'rejected' : 'error', reply };
    if (reply.code >= 400 && reply.code < 500) {
        throw new AuthFailure('temporary', `AUTH ${mechanism} failed temporarily (${reply.code})`, facts, {
            reply,
        });
    }
    if (reply.code >= 500) {
        throw new AuthFailure('auth_failed', `the server refused the credentials (${reply.code})`, facts, {
            reply,
        });
    }
    throw new AuthFailure('protocol_error', `unexpected reply ${reply.code} to AUTH ${mechanism}`, facts, {
        reply,
    });
}
/** A failure of the auth stage, carrying what was learnt about it. */
class AuthFailure extends ProbeFailure {
    facts;
    constructor(status, message, facts, extra = {}) {
        super(status, message, extra);
        this.facts = facts;
    }
}

;// CONCATENATED MODULE: ./src/probe/ehlo.ts
/**
 * Reads the extensions out of an EHLO reply (RFC 5321 §4.1.1.1: first line is the domain and an
 * optional greeting, every further line is a keyword with parameters).
 */
function parseEhlo(reply) {
    const [first = '', ...rest] = reply.lines;
    const keywords = {};
    for (const line of rest) {
        const [keyword, ...params] = line.trim().split(/\s+/);
        if (!keyword)
            continue;
        // Some old servers advertise `AUTH=LOGIN` (pre-RFC 4954 syntax); fold it into AUTH.
        const legacyAuth = /^AUTH=(.*)$/i.exec(keyword);
        const name = legacyAuth ? 'AUTH' : keyword.toUpperCase();
        const values = legacyAuth ? [legacyAuth[1] ?? '', ...params].filter(Boolean) : params;
        keywords[name] = [...(keywords[name] ?? []), ...values];
    }
    const has = (name) => Object.hasOwn(keywords, name);
    const sizeParam = keywords.SIZE?.[0];
    const size = sizeParam !== undefined && /^\d+$/.test(sizeParam) ? Number(sizeParam) : has('SIZE') ? 0 : undefined;
    const auth = [...new Set((keywords.AUTH ?? []).map((m) => m.toUpperCase()))];
    return {
        domain: first.trim().split(/\s+/)[0] ?? '',
        keywords,
        ...(size !== undefined ? { size } : {}),
        pipelining: has('PIPELINING'),
        eightBitMime: has('8BITMIME'),
        smtpUtf8: has('SMTPUTF8'),
        chunking: has('CHUNKING'),
        starttls: has('STARTTLS'),
        enhancedStatusCodes: has('ENHANCEDSTATUSCODES'),
        dsn: has('DSN'),
        auth,
    };
}

;// CONCATENATED MODULE: ./src/probe/commands.ts


/* The SMTP commands of a session, one function each (RFC 5321). */
/** EHLO, falling back to HELO when EHLO is refused with 5xx (RFC 5321 §4.1.4, §3.2). */
async function hello(wire, stage, helo, deadline, smtp) {
    const reply = await wire.command(stage, `EHLO ${helo}`, deadline());
    if (reply.code === 250)
        return parseEhlo(reply);
    if (reply.code >= 500 && reply.code < 600) {
        const heloReply = await wire.command(stage, `HELO ${helo}`, deadline());
        expectSuccess(heloReply, 'the server refused both EHLO and HELO');
        smtp.heloFallback = true;
        return parseEhlo({ ...heloReply, lines: heloReply.lines.slice(0, 1) });
    }
    expectSuccess(reply, 'the server refused EHLO');
    throw new ProbeFailure('protocol_error', `unexpected reply to EHLO`, { reply, errorCode: 'EBADREPLY' });
}
/**
 * MAIL FROM and RCPT TO (RFC 5321 §3.3), then RSET so that no transaction is left open: proves the
 * server accepts this sender (and recipient) from this client. DATA is never sent.
 */
async function checkEnvelope(wire, facts, deadline) {
    facts.mailFrom = await wire.command('envelope', `MAIL FROM:<${facts.from}>`, deadline());
    expectSuccess(facts.mailFrom, `the server refused the sender ${facts.from}`);
    if (facts.to) {
        facts.rcptTo = await wire.command('envelope', `RCPT TO:<${facts.to}>`, deadline());
        expectSuccess(facts.rcptTo, `the server refused the recipient ${facts.to}`);
    }
    await wire.command('envelope', 'RSET', deadline());
}
/** 2xx passes; 4xx is `temporary`, 5xx `rejected`, anything else a protocol error. */
function expectSuccess(reply, refusal) {
    if (reply.code >= 200 && reply.code < 300)
        return;
    if (reply.code >= 400 && reply.code < 500) {
        throw new ProbeFailure('temporary', `${refusal} for now`, { reply, errorCode: 'ETEMPFAIL' });
    }
    if (reply.code >= 500)
        throw new ProbeFailure('rejected', refusal, { reply, errorCode: 'EREJECTED' });
    throw new ProbeFailure('protocol_error', `unexpected reply ${reply.code}`, {
        reply,
        errorCode: 'EBADREPLY',
    });
}
/** QUIT (RFC 5321 §4.1.1.10). Its outcome never changes the status: the session already proved itself. */
async function quit(wire, deadline, transcript) {
    try {
        await wire.command('quit', 'QUIT', deadline);
    }
    catch (error) {
        transcript.add('*', `QUIT not answered: ${error instanceof Error ? error.message : String(error)}`);
    }
}

;// CONCATENATED MODULE: ./src/probe/connect.ts



/** Errors are read by whoever is waiting on the socket; this keeps a late one from crashing the process. */
function ignoreLateErrors(socket) {
    socket.on('error', () => { });
}
/**
 * Opens a TCP connection to an address (never a name: DNS is its own stage, and the address that was
 * resolved, and perhaps vetted, is the one used). On failure the socket is already destroyed.
 */
function connectTcp(address, port, family, deadline, signal) {
    let socket;
    return untilDeadline(deadline, () => new ProbeFailure('timeout', `no answer to the TCP connection to ${address} port ${port}`, {
        errorCode: 'ECONNECTTIMEOUT',
    }), signal, ({ resolve, reject }) => {
        const s = (0,external_node_net_.connect)({ host: address, port, family, noDelay: true });
        socket = s;
        ignoreLateErrors(s);
        const onConnect = () => resolve(s);
        const onError = (error) => reject(socketFailure(error, `connecting to ${address} port ${port}`));
        s.once('connect', onConnect);
        s.once('error', onError);
        return () => {
            s.off('connect', onConnect);
            s.off('error', onError);
        };
    }).catch((error) => {
        socket?.destroy();
        throw error;
    });
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:tls"
var external_node_tls_ = __nccwpck_require__(1692);
;// CONCATENATED MODULE: ./src/probe/cert-facts.ts
const DAY_MS = 86_400_000;
/** `CN=mail.example.com\nO=Example` → `CN=mail.example.com, O=Example`. */
function oneLine(name) {
    return name.split('\n').filter(Boolean).join(', ');
}
/** `DNS:a.example, IP Address:127.0.0.1` → `['DNS:a.example', 'IP:127.0.0.1']`. */
function parseSubjectAltNames(san) {
    if (!san)
        return [];
    return san
        .split(/,\s*(?=[A-Za-z ]+:)/)
        .map((entry) => entry.trim().replace(/^IP Address:/, 'IP:'))
        .filter(Boolean);
}
/** Facts about one certificate as seen at `now`; pure, so it is tested without sockets. */
function certificateFacts(cert, now) {
    const validFrom = new Date(cert.validFrom);
    const validTo = new Date(cert.validTo);
    const remaining = validTo.getTime() - now.getTime();
    return {
        subject: oneLine(cert.subject),
        issuer: oneLine(cert.issuer),
        subjectAltNames: parseSubjectAltNames(cert.subjectAltName),
        validFrom: validFrom.toISOString(),
        validTo: validTo.toISOString(),
        daysUntilExpiry: Math.floor(remaining / DAY_MS),
        expired: remaining < 0,
        notYetValid: validFrom.getTime() > now.getTime(),
        fingerprint256: cert.fingerprint256,
        serialNumber: cert.serialNumber,
        selfSigned: isSelfSigned(cert),
    };
}
/**
 * Names itself as issuer and is signed by its own key: a self-signed certificate (or a root sent as a
 * leaf). Not `checkIssued`, which also demands the keyCertSign usage that a self-signed leaf lacks.
 */
function isSelfSigned(cert) {
    try {
        return cert.subject === cert.issuer && cert.verify(cert.publicKey);
    }
    catch {
        return false;
    }
}

;// CONCATENATED MODULE: ./src/probe/tls-upgrade.ts







const LEGACY_VERSIONS = new Set(['TLSv1', 'TLSv1.1']);
/** Contexts by what they are made of (the extra CAs' text and the minimum version), most recent last. */
const contexts = new Map();
const MAX_CONTEXTS = 32;
/**
 * One TLS context per CA set and minimum version, shared by every connection made with them, across
 * probe() calls too. Sharing it resumes no session: a Node client resumes only when handed a session.
 *
 * Extra CAs are added to the context's trust store, a copy of Node's roots (and of NODE_EXTRA_CA_CERTS)
 * that Node makes from certificates it parsed once per process: ~1 ms. Passing `ca: [...rootCertificates,
 * ...extra]` instead parses ~150 PEM blocks for every context: 23 ms of blocked event loop, measured here,
 * paid by every run that gives extra CAs.
 */
function secureContextFor(tls) {
    const digest = (0,external_node_crypto_.createHash)('sha256');
    for (const pem of tls.ca ?? [])
        digest.update(pem).update('\0');
    const key = `${tls.minVersion ?? ''}:${tls.ca ? digest.digest('hex') : 'roots'}`;
    let context = contexts.get(key);
    if (context) {
        contexts.delete(key);
    }
    else {
        const common = {
            ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
            // OpenSSL 3's default security level refuses the SHA-1 signatures TLS 1.0 and 1.1 depend on
            // (ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED): asking for those versions means accepting that.
            ...(LEGACY_VERSIONS.has(tls.minVersion) ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
        };
        context = (0,external_node_tls_.createSecureContext)(common);
        const native = context.context;
        if (tls.ca && typeof native.addCACert === 'function') {
            for (const pem of tls.ca)
                native.addCACert(pem);
        }
        else if (tls.ca) {
            // A runtime without the native method: the slow, documented way. Extra CAs join the roots.
            context = (0,external_node_tls_.createSecureContext)({ ...common, ca: [...external_node_tls_.rootCertificates, ...tls.ca] });
        }
    }
    contexts.set(key, context);
    if (contexts.size > MAX_CONTEXTS)
        contexts.delete(contexts.keys().next().value);
    return context;
}
/**
 * Runs the TLS handshake over a connected socket. The certificate is not enforced during the handshake
 * (`rejectUnauthorized: false`) so that its facts can be reported; trust and name are checked here
 * and judged later. SNI carries the name only, never an IP literal (RFC 6066 §3).
 */
async function startTls(start) {
    const { socket, host, options } = start;
    const servername = options.tls.servername ?? ((0,external_node_net_.isIP)(host) === 0 ? host : undefined);
    let tlsSocket;
    let ticketSeen = () => { };
    const ticket = new Promise((resolve) => {
        ticketSeen = resolve;
    });
    try {
        const secured = await untilDeadline(start.deadline, () => new ProbeFailure('timeout', 'the TLS handshake did not finish in time', { errorCode: 'ETLSTIMEOUT' }), options.signal, ({ resolve, reject }) => {
            const s = (0,external_node_tls_.connect)({
                socket,
                ...(servername ? { servername } : {}),
                rejectUnauthorized: false,
                // Node folds the name check into `authorized`; we keep trust and name apart and check the
                // name ourselves below.
                checkServerIdentity: () => undefined,
                secureContext: secureContextFor(options.tls),
            });
            tlsSocket = s;
            ignoreLateErrors(s);
            // Node asks OpenSSL for tickets only while a 'session' listener exists: added before the handshake.
            s.once('session', () => ticketSeen());
            const onSecure = () => resolve(s);
            const onError = (error) => reject(new ProbeFailure('tls_failed', `the TLS handshake failed: ${tlsReason(error)}`, {
                errorCode: error.code ?? 'ETLS',
            }));
            const onClose = () => reject(new ProbeFailure('tls_failed', 'the server closed the connection during the TLS handshake', {
                errorCode: 'ECLOSED',
            }));
            s.once('secureConnect', onSecure);
            s.once('error', onError);
            s.once('close', onClose);
            return () => {
                s.off('secureConnect', onSecure);
                s.off('error', onError);
                s.off('close', onClose);
            };
        });
        return { socket: secured, facts: tlsFacts(secured, start, servername), ticket };
    }
    catch (error) {
        tlsSocket?.destroy();
        throw error;
    }
}
/** OpenSSL's reason without its library prefix: `wrong version number`, `sslv3 alert handshake failure`. */
function tlsReason(error) {
    return error.reason ?? error.message.replace(/^.*?:error:[0-9A-F]+:[^:]*:[^:]*:/, '');
}
function tlsFacts(socket, start, servername) {
    const peer = socket.getPeerCertificate(true);
    const leaf = peer?.raw ? new external_node_crypto_.X509Certificate(peer.raw) : undefined;
    const nameToCheck = start.options.tls.servername ?? start.host;
    const identityError = peer?.raw ? (0,external_node_tls_.checkServerIdentity)(nameToCheck, peer) : new Error('no certificate');
    const chain = [];
    const seen = new Set();
    for (let link = peer?.issuerCertificate; link?.raw && chain.length < 10; link = link.issuerCertificate) {
        const cert = new external_node_crypto_.X509Certificate(link.raw);
        if (seen.has(cert.fingerprint256) || cert.fingerprint256 === leaf?.fingerprint256)
            break;
        seen.add(cert.fingerprint256);
        chain.push({
            subject: cert.subject.split('\n').join(', '),
            issuer: cert.issuer.split('\n').join(', '),
            validTo: new Date(cert.validTo).toISOString(),
            fingerprint256: cert.fingerprint256,
        });
    }
    const trustError = socket.authorizationError;
    return {
        mode: start.mode,
        ...(socket.getProtocol() ? { protocol: socket.getProtocol() } : {}),
        ...(socket.getCipher()?.standardName ? { cipher: socket.getCipher().standardName } : {}),
        ...(servername ? { servername } : {}),
        trusted: socket.authorized,
        ...(trustError
            ? { trustError: String(trustError.code ?? trustError) }
            : {}),
        hostnameMatch: identityError === undefined,
        ...(identityError ? { hostnameError: identityError.message } : {}),
        ...(leaf ? { certificate: certificateFacts(leaf, start.now) } : {}),
        chain,
    };
}
/**
 * Before the first command over TLS 1.3: let the server's first session ticket arrive, so that the
 * command's segment acknowledges it. Sent earlier, the reply can wait behind the server's unacknowledged
 * ticket (Nagle) for our delayed ACK: ~43 ms against Postfix, measured here (README, "Performance").
 * The command then goes out one event-loop turn after the 'session' event: written inside that turn,
 * Node's TLS client corrupts its stream (Postfix logs "bad record mac"; every EHLO lost in 20 tries).
 * A server that sends no ticket costs at most `capMs`; the time shows in the `tls` stage's timing.
 */
async function settleAfterHandshake(session, capMs) {
    if (session.socket.getProtocol() !== 'TLSv1.3')
        return;
    let timer;
    try {
        await Promise.race([
            session.ticket,
            new Promise((resolve) => (timer = setTimeout(resolve, capMs))),
        ]);
    }
    finally {
        clearTimeout(timer);
    }
    await new Promise((resolve) => setImmediate(resolve));
}

;// CONCATENATED MODULE: ./src/probe/silent-peer.ts



/** How long, at most, we spend learning what listens on a port that sent no greeting. */
const DIAGNOSIS_MS = 1_000;
/** A step with less time than this left cannot finish (a TLS handshake takes round trips): skip it. */
const MIN_STEP_MS = 20;
/**
 * The greeting never came. Before reporting `no_greeting`, learn what is listening, within a short
 * budget and only now that the session has already failed (a command is never sent early to dodge a
 * slow greeting):
 * 1. one EHLO line on the same connection: an HTTP server answers `HTTP/1.1 400`, some TLS servers an
 *    alert record, a merely slow SMTP server a reply;
 * 2. if that says nothing, a TLS handshake on a fresh connection: if it completes, the port speaks
 *    implicit TLS.
 * Both steps end by the target's deadline: the greeting may have used all of it (it gets the whole
 * greeting timeout, since a slow greeting is common and a diagnosis is only a hint), and then the
 * port is reported silent without a look. Returns the failure that describes the port best.
 */
async function diagnoseSilence(wire, plan, transcript) {
    const { options: o, target, address, family } = plan;
    const silent = new ProbeFailure('no_greeting', 'connected, but the server sent no greeting', {
        errorCode: 'ENOGREETING',
    });
    const budget = Math.min(DIAGNOSIS_MS, o.commandTimeout);
    const until = (ms) => Math.min(performance.now() + ms, plan.deadline);
    const noTimeLeft = () => plan.deadline - performance.now() < MIN_STEP_MS;
    if (noTimeLeft())
        return silent;
    try {
        await wire.command('greeting', `EHLO ${o.helo}`, until(budget / 2));
        return silent;
    }
    catch (error) {
        const decisive = error instanceof ProbeFailure && (error.status === 'not_smtp' || error.status === 'aborted');
        if (decisive)
            return error;
    }
    if (noTimeLeft())
        return silent;
    transcript.add('*', 'no answer in plaintext; trying a TLS handshake on a new connection');
    let socket;
    try {
        const deadline = until(budget / 2);
        socket = await connectTcp(address, target.port, family, deadline, o.signal);
        const session = await startTls({
            socket,
            mode: 'tls',
            host: target.host,
            deadline,
            options: o,
            now: new Date(),
        });
        session.socket.destroy();
        transcript.add('*', `TLS handshake completed (${session.facts.protocol ?? 'TLS'}): the port speaks implicit TLS`);
        return new ProbeFailure('not_smtp', 'no SMTP greeting in plaintext, but the port completes a TLS handshake', {
            errorCode: 'EIMPLICITTLS',
            peerProtocol: 'tls',
        });
    }
    catch (error) {
        if (error instanceof ProbeFailure && error.status === 'aborted')
            return error;
        return silent;
    }
    finally {
        socket?.destroy();
    }
}

;// CONCATENATED MODULE: ./src/probe/greeting.ts



/**
 * Waits for the greeting (RFC 5321 §3.1, §4.3.2). When none comes on a plaintext port, finds out what
 * listens there, inside what is left of the target's deadline. A greeting that started and never ended
 * is no greeting either: only a whole reply is one, and a server trickling bytes cannot stretch the
 * wait, which ends at an absolute deadline.
 */
async function readGreeting(wire, plan, deadline, transcript) {
    try {
        return await wire.readReply('greeting', deadline);
    }
    catch (error) {
        if (!(error instanceof ProbeFailure) || error.status !== 'timeout')
            throw error;
        if (wire.bytesIn > 0) {
            throw new ProbeFailure('no_greeting', 'the greeting started but never ended before the deadline', {
                errorCode: 'EGREETINGINCOMPLETE',
            });
        }
        if (plan.target.mode === 'tls') {
            throw new ProbeFailure('no_greeting', 'the TLS handshake worked, but no greeting followed', {
                errorCode: 'ENOGREETING',
            });
        }
        throw await diagnoseSilence(wire, plan, transcript);
    }
}
/**
 * Only 220 (ready) and 554 (no service) are greetings (RFC 5321 §4.3.2, §3.1), with 521 (this host
 * accepts no mail, RFC 7504) as the other refusal; 421 may come at any time (§3.8) and means "later".
 * Any other reply is a server that does not follow the protocol: stop at once, rather than send EHLO to
 * it and wait for an answer that a server in the wrong state never gives.
 */
function judgeGreeting(greeting) {
    if (greeting.code === 220 || greeting.code === 421 || greeting.code === 554 || greeting.code === 521) {
        expectSuccess(greeting, 'the server refused the session in its greeting');
        return;
    }
    throw new ProbeFailure('protocol_error', `the server greeted with ${greeting.code}; an SMTP greeting is 220 (or 554 to refuse)`, { reply: greeting, errorCode: 'EBADGREETING' });
}

;// CONCATENATED MODULE: ./src/probe/starttls.ts

/** How many of the bytes injected after the 220 to STARTTLS are shown. */
const SAMPLE_BYTES = 64;
/**
 * STARTTLS (RFC 3207 §4) on the plaintext wire. When the server agrees, the wire is released for the
 * handshake and every byte that came after the 220 is thrown away and recorded in `smtp` (§6: a
 * server, or someone on the path, that sends ahead is injecting commands or replies into the session
 * TLS is about to protect). Throws when the server does not agree.
 */
async function requestStarttls(wire, deadline, smtp, transcript, redact) {
    const reply = await wire.command('starttls', 'STARTTLS', deadline).catch((error) => {
        // A server that hangs up on STARTTLS failed it, as much as one that refuses it.
        if (!(error instanceof ProbeFailure) || error.status !== 'reset')
            throw error;
        throw new ProbeFailure('starttls_failed', 'the server closed the connection after STARTTLS', {
            ...(error.errorCode ? { errorCode: error.errorCode } : {}),
        });
    });
    judgeReply(reply);
    const unread = wire.release();
    if (unread.bytes === 0)
        return;
    const sample = sampleOf(unread, redact);
    smtp.starttlsInjectedBytes = unread.bytes;
    smtp.starttlsInjectedSample = sample;
    transcript.add('*', `discarded ${unread.bytes} bytes the server sent after 220 to STARTTLS (RFC 3207 §6): "${sample}"`);
}
function judgeReply(reply) {
    if (reply.code === 220)
        return;
    // 421 may answer any command when the service is shutting down (RFC 5321 §3.8): a temporary state,
    // retried like any other, not a server that cannot do TLS.
    if (reply.code === 421) {
        throw new ProbeFailure('temporary', 'the server is closing the session (421) instead of starting TLS', {
            reply,
            errorCode: 'ETEMPFAIL',
        });
    }
    throw new ProbeFailure('starttls_failed', 'the server refused STARTTLS', { reply, errorCode: 'ESTARTTLS' });
}
/**
 * The first SAMPLE_BYTES bytes, credentials redacted first (so that neither the cut nor the escapes can
 * split a secret), then every byte outside printable ASCII escaped: the sample is safe in a terminal,
 * a log or a GitHub annotation, and shows exactly what came.
 */
function sampleOf(unread, redact) {
    const text = redact(unread.head.toString('latin1')).slice(0, SAMPLE_BYTES);
    let out = '';
    for (const char of text) {
        const code = char.charCodeAt(0);
        if (char === '\\')
            out += '\\\\';
        else if (char === '\r')
            out += '\\r';
        else if (char === '\n')
            out += '\\n';
        else if (char === '\t')
            out += '\\t';
        else if (char === '"')
            out += '\\"';
        else if (code >= 0x20 && code < 0x7f)
            out += char;
        else
            out += `\\x${code.toString(16).padStart(2, '0')}`;
    }
    return out;
}

;// CONCATENATED MODULE: ./src/probe/transcript.ts
/**
 * The session's conversation, capped in size. Callers pass a display form for what they send that is
 * secret (`AUTH PLAIN ****`); what the server sends back is passed through the redactor, before a long
 * line is cut, so that a cut can never leave half a secret behind.
 */
class Transcript {
    lines = [];
    truncated = false;
    #start;
    #maxBytes;
    #redact;
    #bytes = 0;
    constructor(start, maxBytes, redact) {
        this.#start = start;
        this.#maxBytes = maxBytes;
        this.#redact = redact;
    }
    add(dir, raw) {
        if (this.truncated)
            return;
        const text = this.#redact(raw);
        // Control characters would let a hostile server forge lines in a terminal or a log; C1 too (U+009B
        // is CSI, an escape sequence in one character).
        // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
        const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD');
        const size = clean.length + 16;
        if (this.#bytes + size > this.#maxBytes) {
            this.truncated = true;
            this.lines.push({
                at: this.#elapsed(),
                dir: '*',
                text: `transcript truncated at ${this.#maxBytes} bytes`,
            });
            return;
        }
        this.#bytes += size;
        this.lines.push({
            at: this.#elapsed(),
            dir,
            text: clean.length > 512 ? `${clean.slice(0, 512)}…` : clean,
        });
    }
    #elapsed() {
        return Math.round(performance.now() - this.#start);
    }
}

;// CONCATENATED MODULE: ./src/probe/reply-parser.ts
const LF = 0x0a;
const CR = 0x0d;
const decoder = new TextDecoder('utf-8', { fatal: false });
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?:\s|$)/;
/**
 * Incremental SMTP reply parser (RFC 5321 §4.2): `250-` continues a reply, `250 ` or a bare `250` ends
 * it, the unfinished tail is kept for the next chunk. Bare LF is accepted as a line end, as every
 * real-world client does. Every limit is checked as bytes arrive, so a line that never ends, a reply that
 * never ends, or a peer speaking another protocol is caught without waiting for a newline.
 */
class ReplyParser {
    #limits;
    #tail = Buffer.alloc(0);
    #lines = [];
    #code = 0;
    #replyBytes = 0;
    #queue = [];
    #failed = false;
    constructor(limits) {
        this.#limits = limits;
    }
    /** True when nothing is buffered: no partial line, no unfinished reply, no reply not yet taken. */
    get idle() {
        return this.#tail.length === 0 && this.#lines.length === 0 && this.#queue.length === 0;
    }
    push(chunk) {
        if (this.#failed || chunk.length === 0)
            return;
        let data = this.#tail.length > 0 ? Buffer.concat([this.#tail, chunk]) : chunk;
        for (;;) {
            const lf = data.indexOf(LF);
            const end = lf === -1 ? data.length : lf;
            const lineBytes = end > 0 && data[end - 1] === CR ? end - 1 : end;
            let problem = this.#checkLine(data, end, lf !== -1) && this.#firstProblem(data, end, lf !== -1);
            if (!problem && lf !== -1) {
                this.#replyBytes += lf + 1;
                problem = this.#acceptLine(data.subarray(0, lineBytes));
            }
            if (problem) {
                this.#fail(problem, data);
                return;
            }
            if (lf === -1) {
                this.#tail = Buffer.from(data);
                return;
            }
            data = data.subarray(lf + 1);
            if (data.length === 0) {
                this.#tail = Buffer.alloc(0);
                return;
            }
        }
    }
    /** The next complete reply or error, in arrival order. */
    shift() {
        return this.#queue.shift();
    }
    /** Drops everything buffered: RFC 3207 §6, nothing received before a TLS upgrade may be acted on. */
    discard() {
        this.#tail = Buffer.alloc(0);
        this.#queue = [];
        this.#lines = [];
        this.#code = 0;
        this.#replyBytes = 0;
        this.#failed = false;
    }
    /** The line's problem once its first `seen` bytes have arrived, and its LF too when `complete`. */
    #checkLine(data, seen, complete) {
        const lineBytes = seen > 0 && data[seen - 1] === CR ? seen - 1 : seen;
        // The LF counts towards the reply's bytes, the last line's too.
        const replyBytes = complete ? seen + 1 : seen;
        return (this.#checkHead(data.subarray(0, Math.min(seen, 4)), complete) ?? this.#checkSize(lineBytes, replyBytes));
    }
    /**
     * The problem the line met first, byte by byte: a line may break two rules at once (too long, and
     * over the reply's byte budget), and which one is reported must not depend on how TCP split the
     * stream. Every check only gets worse as bytes arrive, so the earliest failing prefix is found by
     * bisection; `end + 1` stands for the line with its LF.
     */
    #firstProblem(data, end, complete) {
        const at = (seen) => seen > end ? this.#checkLine(data, end, true) : this.#checkLine(data, seen, false);
        let low = 1;
        let high = complete ? end + 1 : end;
        while (low < high) {
            const middle = (low + high) >>> 1;
            if (at(middle))
                high = middle;
            else
                low = middle + 1;
        }
        return at(high);
    }
    /** Checks the first bytes of a line as soon as they arrive: `[2-5]` digit digit, then SP, `-` or end. */
    #checkHead(head, complete) {
        const ok = (i, test) => i >= head.length || test(head[i]);
        const digit = (byte) => byte >= 0x30 && byte <= 0x39;
        const valid = ok(0, (b) => b >= 0x32 && b <= 0x35) &&
            ok(1, digit) &&
            ok(2, digit) &&
            ok(3, (b) => b === 0x20 || b === 0x2d || b === CR);
        if (!valid)
            return ['EBADLINE', 'a line does not start with an SMTP reply code'];
        if (complete && head.length < 3)
            return ['EBADLINE', 'a line is too short to hold an SMTP reply code'];
        return undefined;
    }
    #checkSize(lineBytes, seen) {
        if (lineBytes > this.#limits.maxLineLength) {
            return ['ELINETOOLONG', `a reply line exceeds ${this.#limits.maxLineLength} bytes`];
        }
        if (this.#replyBytes + seen > this.#limits.maxReplyBytes) {
            return ['EREPLYTOOLARGE', `a reply exceeds ${this.#limits.maxReplyBytes} bytes`];
        }
        return undefined;
    }
    #acceptLine(raw) {
        const line = decoder.decode(raw);
        const code = Number(line.slice(0, 3));
        if (this.#lines.length > 0 && code !== this.#code) {
            return ['EMIXEDCODES', `a multi-line reply mixes codes ${this.#code} and ${code}`];
        }
        this.#code = code;
        this.#lines.push(line);
        const last = line.length === 3 || line[3] === ' ';
        if (!last && this.#lines.length >= this.#limits.maxReplyLines) {
            return ['ETOOMANYLINES', `a reply has more than ${this.#limits.maxReplyLines} lines`];
        }
        if (!last)
            return undefined;
        const texts = this.#lines.map((l) => l.slice(4));
        const enhanced = ENHANCED.exec(texts[0] ?? '');
        const reply = {
            code,
            ...(enhanced ? { enhanced: `${enhanced[1]}.${enhanced[2]}.${enhanced[3]}` } : {}),
            lines: texts,
        };
        this.#queue.push({ reply, lines: this.#lines, bytes: this.#replyBytes });
        this.#lines = [];
        this.#code = 0;
        this.#replyBytes = 0;
        return undefined;
    }
    #fail([error, detail], data) {
        this.#failed = true;
        this.#queue.push({ error, detail, head: Buffer.from(data.subarray(0, 64)) });
        this.#tail = Buffer.alloc(0);
    }
}
/** What a non-SMTP peer probably is, from the first bytes it sent (used for hints). */
function sniffProtocol(head) {
    // A TLS record starts with its content type (0x15 alert, 0x16 handshake) and major version 3.
    if (head.length >= 2 && (head[0] === 0x15 || head[0] === 0x16) && head[1] === 0x03)
        return 'tls';
    const text = head.toString('latin1');
    if (text.startsWith('HTTP'))
        return 'http';
    if (text.startsWith('SSH-'))
        return 'ssh';
    return 'other';
}

;// CONCATENATED MODULE: ./src/probe/wire.ts



const LINE_BREAKING = /[\r\n\0]/;
/**
 * One socket's SMTP conversation: bounded reads of whole replies, writes of whole commands, both
 * recorded in the transcript. A reply is awaited against an absolute deadline, so a server that
 * trickles one byte a second cannot stretch a stage.
 */
class Wire {
    socket;
    #parser;
    #transcript;
    #signal;
    /** Set once the socket has failed or closed; every later read fails with it. */
    #ended;
    #wake;
    #bytesIn = 0;
    /** Whether a command went out: a hang-up after that is a reset, never a missing greeting. */
    #spoke = false;
    /** Bytes of the stream that the replies taken so far covered. */
    #consumed = 0;
    /**
     * The stream from `#consumed` on, as received, up to `#unreadCap` bytes. Counted by the bytes, not
     * by the parser, so that what is not a reply (a command, a line without CRLF) counts too.
     */
    #unread = [];
    #unreadBytes = 0;
    #unreadCap;
    /** Bytes past the cap were dropped: `#unread` is only a prefix and takes no more. */
    #unreadCut = false;
    constructor(socket, limits, transcript, signal) {
        this.socket = socket;
        this.#parser = new ReplyParser(limits);
        this.#transcript = transcript;
        this.#signal = signal;
        // A reply the parser accepts is at most maxReplyBytes: the bytes after it are still kept.
        this.#unreadCap = limits.maxReplyBytes + 1024;
        socket.on('data', this.#onData);
        socket.on('error', this.#onError);
        socket.on('end', this.#onEnd);
        socket.on('close', this.#onEnd);
    }
    /** Bytes received on this socket so far. */
    get bytesIn() {
        return this.#bytesIn;
    }
    /** Waits for the next whole reply; `stage` names the stage for status and messages. */
    readReply(stage, deadline) {
        return untilDeadline(deadline, () => new ProbeFailure('timeout', `no complete reply ${describe(stage)} before the deadline`, {
            errorCode: 'ETIMEOUT',
        }), this.#signal, ({ resolve, reject }) => {
            const check = () => {
                const item = this.#parser.shift();
                if (item && 'reply' in item) {
                    for (const line of item.lines)
                        this.#transcript.add('<', line);
                    this.#consume(item.bytes);
                    return resolve(item.reply);
                }
                if (item) {
                    const peerProtocol = sniffProtocol(item.head);
                    const foreign = stage === 'greeting' && item.error === 'EBADLINE';
                    if (foreign)
                        this.#transcript.add('<', `[${item.head.length} bytes, not SMTP: ${peerProtocol}]`);
                    return reject(new ProbeFailure(foreign ? 'not_smtp' : 'protocol_error', foreign
                        ? `the server's first bytes are not an SMTP greeting`
                        : `${item.detail} ${describe(stage)}`, { errorCode: item.error, peerProtocol }));
                }
                if (this.#ended)
                    reject(this.#ended);
            };
            this.#wake = check;
            check();
            return () => {
                this.#wake = undefined;
            };
        });
    }
    /** Sends one command line; `display` replaces it in the transcript when it carries a secret. */
    send(line, display = line) {
        // options.ts refuses every such value; a line break that got here anyway would end this command
        // and start one nobody chose, so it is never written (the message leaves the line out: a secret).
        if (LINE_BREAKING.test(line)) {
            throw new Error(`the ${display.split(' ')[0]} command held CR, LF or NUL and was not sent`);
        }
        if (this.#ended)
            throw this.#ended;
        // Without PIPELINING a server speaks only when spoken to (RFC 5321 §4.3.1); data waiting before a
        // command would be read as that command's reply.
        if (!this.#parser.idle) {
            throw new ProbeFailure('protocol_error', `the server sent data before ${display.split(' ')[0]} was sent`, {
                errorCode: 'EUNSOLICITED',
            });
        }
        this.#transcript.add('>', display);
        this.#spoke = true;
        this.socket.write(`${line}\r\n`);
    }
    /** Sends a command and reads its reply within the deadline. */
    async command(stage, line, deadline, display) {
        this.send(line, display);
        return this.readReply(stage, deadline);
    }
    /**
     * Stops reading so the socket can be handed to TLS, and throws away everything received after the
     * last reply taken: RFC 3207 §6 forbids acting on anything received before the handshake. Returns
     * what was thrown away, so that it can be reported.
     */
    release() {
        this.socket.off('data', this.#onData);
        this.socket.off('error', this.#onError);
        this.socket.off('end', this.#onEnd);
        this.socket.off('close', this.#onEnd);
        this.#wake = undefined;
        this.#parser.discard();
        const unread = { bytes: this.#bytesIn - this.#consumed, head: Buffer.concat(this.#unread) };
        this.#unread = [];
        this.#unreadBytes = 0;
        return unread;
    }
    /** A reply of `bytes` bytes was taken: what is unread now starts after it. */
    #consume(bytes) {
        this.#consumed += bytes;
        let drop = bytes;
        while (drop > 0 && this.#unread.length > 0) {
            const first = this.#unread[0];
            if (first.length > drop) {
                this.#unread[0] = first.subarray(drop);
                this.#unreadBytes -= drop;
                drop = 0;
            }
            else {
                this.#unread.shift();
                this.#unreadBytes -= first.length;
                drop -= first.length;
            }
        }
        // Everything received has been taken: what comes next starts the unread stream afresh.
        if (this.#consumed === this.#bytesIn)
            this.#unreadCut = false;
    }
    #onData = (chunk) => {
        this.#bytesIn += chunk.length;
        if (!this.#unreadCut) {
            const room = this.#unreadCap - this.#unreadBytes;
            const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
            if (kept.length > 0)
                this.#unread.push(kept);
            this.#unreadBytes += kept.length;
            this.#unreadCut = kept.length < chunk.length;
        }
        this.#parser.push(chunk);
        this.#wake?.();
    };
    #onError = (error) => {
        this.#ended ??= socketFailure(error, `while waiting for the server`);
        this.#wake?.();
    };
    #onEnd = () => {
        this.#ended ??=
            this.#bytesIn === 0 && !this.#spoke
                ? new ProbeFailure('no_greeting', 'the server closed the connection without sending anything', {
                    errorCode: 'ECLOSED',
                })
                : new ProbeFailure('reset', 'the server closed the connection', { errorCode: 'ECLOSED' });
        this.#wake?.();
    };
}
function describe(stage) {
    switch (stage) {
        case 'greeting':
            return 'for the greeting';
        case 'ehlo':
        case 'ehlo_tls':
            return 'to EHLO';
        default:
            return `to ${stage.toUpperCase()}`;
    }
}

;// CONCATENATED MODULE: ./src/probe/session.ts










const ms = (value) => Math.round(value * 10) / 10;
/** Failures after which the server is still in a session with us. */
const STILL_TALKING = new Set([
    'rejected',
    'temporary',
    'starttls_unavailable',
    'starttls_failed',
    'auth_failed',
    'auth_unavailable',
    'auth_withheld',
]);
// An envelope refusal is `rejected` or `temporary` too, and the session is still open then.
/** After a refusal we still say QUIT, but never wait long for the answer. */
const POLITE_QUIT_MS = 1_000;
/**
 * One SMTP session with one address: connect → [tls] → greeting → ehlo → [starttls → tls → ehlo]
 * → [auth] → quit. Never DATA. Resolves with a result on every path; every socket it opened is
 * destroyed before it returns.
 */
async function runSession(plan) {
    const { target, address, family, options: o } = plan;
    const started = performance.now();
    const now = new Date();
    const transcript = new Transcript(started, o.limits.maxTranscriptBytes, plan.redact);
    const timings = {};
    const smtp = { heloFallback: false };
    const sockets = [];
    let tls;
    let auth;
    let envelope;
    let wire;
    let stage = 'connect';
    let failure;
    const until = (limit) => Math.min(performance.now() + limit, plan.deadline);
    const commandDeadline = () => until(o.commandTimeout);
    const timed = async (name, run) => {
        stage = name;
        const t = performance.now();
        try {
            return await run();
        }
        finally {
            timings[name] = ms(performance.now() - t);
        }
    };
    const secure = async (socket, mode) => {
        const session = await startTls({
            socket,
            mode,
            host: target.host,
            deadline: commandDeadline(),
            options: o,
            now,
        });
        sockets.push(session.socket);
        tls = session.facts;
        transcript.add('*', `TLS ${tls.protocol ?? '?'} ${tls.cipher ?? ''}`.trim());
        return session;
    };
    try {
        const socket = await timed('connect', () => connectTcp(address, target.port, family, until(o.connectTimeout), o.signal));
        sockets.push(socket);
        transcript.add('*', `connected to ${family === 6 ? `[${address}]` : address}:${target.port}`);
        let current = socket;
        if (target.mode === 'tls')
            current = (await timed('tls', () => secure(socket, 'tls'))).socket;
        wire = new Wire(current, o.limits, transcript, o.signal);
        const greeting = await timed('greeting', () => readGreeting(wire, plan, until(o.greetingTimeout), transcript));
        smtp.greeting = { code: greeting.code, text: greeting.lines.join('\n') };
        judgeGreeting(greeting);
        const firstWire = wire;
        smtp.ehlo = await timed('ehlo', () => hello(firstWire, 'ehlo', o.helo, commandDeadline, smtp));
        if (target.mode === 'starttls') {
            if (!smtp.ehlo.starttls) {
                stage = 'starttls';
                throw new ProbeFailure('starttls_unavailable', 'the server does not advertise STARTTLS', {
                    errorCode: 'ENOSTARTTLS',
                });
            }
            await timed('starttls', () => requestStarttls(firstWire, commandDeadline(), smtp, transcript, plan.redact));
            // The tls stage includes the wait for the server's first TLS 1.3 ticket: about one round trip
            // (the connect time is our estimate of it), and it spares the reply to EHLO a delayed-ACK stall.
            const rtt = timings.connect ?? 0;
            const session = await timed('tls', async () => {
                const s = await secure(current, 'starttls');
                await settleAfterHandshake(s, Math.min(250, Math.max(5, 2 * rtt + 5)));
                return s;
            });
            const secureWire = new Wire(session.socket, o.limits, transcript, o.signal);
            wire = secureWire;
            // RFC 3207 §4.2: forget what was learnt before TLS and ask again.
            smtp.ehloAfterTls = await timed('ehlo_tls', () => hello(secureWire, 'ehlo_tls', o.helo, commandDeadline, smtp));
        }
        if (o.auth) {
            stage = 'auth';
            mayAuthenticate(tls, o, target.host);
            const credentials = o.auth;
            const mechanisms = (smtp.ehloAfterTls ?? smtp.ehlo).auth;
            const authWire = wire;
            auth = await timed('auth', () => authenticate(authWire, mechanisms, credentials, commandDeadline));
        }
        if (o.envelope) {
            const envelopeWire = wire;
            envelope = { ...o.envelope };
            const facts = envelope;
            await timed('envelope', () => checkEnvelope(envelopeWire, facts, commandDeadline));
        }
        const quitWire = wire;
        await timed('quit', () => quit(quitWire, commandDeadline(), transcript));
    }
    catch (error) {
        failure = error instanceof ProbeFailure ? error : unexpected(error);
        if (error instanceof AuthFailure)
            auth = error.facts;
        // The server is still talking to us after a refusal: end the session properly (RFC 5321 §3.1:
        // even after a 554 greeting the server waits for our QUIT).
        if (wire && STILL_TALKING.has(failure.status)) {
            await quit(wire, until(POLITE_QUIT_MS), transcript);
        }
    }
    finally {
        for (const socket of sockets)
            socket.destroy();
    }
    const status = failure?.status ?? 'ok';
    const { explanation, hint } = explain({
        status,
        stage,
        port: target.port,
        mode: target.mode,
        ...(failure ? { message: failure.message } : {}),
        ...(failure?.errorCode ? { errorCode: failure.errorCode } : {}),
        ...(failure?.reply ? { reply: failure.reply } : {}),
        ...(failure?.peerProtocol ? { peerProtocol: failure.peerProtocol } : {}),
        smtp,
        ...(tls ? { tls } : {}),
        ...(auth ? { auth } : {}),
    });
    if (failure)
        transcript.add('*', `stopped at ${stage}: ${status}`);
    return {
        address,
        family,
        status,
        stage,
        ...(failure?.reply ? { reply: failure.reply } : {}),
        ...(failure?.errorCode ? { errorCode: failure.errorCode } : {}),
        explanation,
        ...(hint ? { hint } : {}),
        timings,
        durationMs: ms(performance.now() - started),
        smtp,
        ...(tls ? { tls } : {}),
        ...(auth ? { auth } : {}),
        ...(envelope ? { envelope } : {}),
        transcript: transcript.lines,
        transcriptTruncated: transcript.truncated,
        retries: 0,
    };
}
function unexpected(error) {
    const message = error instanceof Error ? error.message : String(error);
    return new ProbeFailure('protocol_error', `unexpected error: ${message}`, { errorCode: 'EINTERNAL' });
}

;// CONCATENATED MODULE: ./src/probe/probe.ts







/**
 * Probes one target: DNS, then one SMTP session per address (in parallel), within one absolute
 * deadline. Never rejects for a network outcome; throws only for invalid arguments, naming the value.
 */
async function probe(target, options = {}) {
    return probeResolved(resolveTarget(target), resolveOptions(options));
}
/**
 * `probe` for a target and options already checked (used by `probeAll`, which checks them once). The
 * result passes through the credentials' redactor as a whole, every string of it: a server may repeat
 * what it was sent (`535 user=… pass=…`, `501 cannot decode <base64>`) in any reply.
 */
async function probeResolved(target, o) {
    const redact = credentialRedactor(o.auth);
    return redactDeep(await probeUnredacted(target, o, redact), redact);
}
async function probeUnredacted(target, o, redact) {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const deadline = started + o.timeout;
    let dns = { addresses: [], durationMs: 0 };
    let sessions = [];
    try {
        if (o.signal?.aborted)
            throw abortFailure(o.signal);
        dns = await resolveAddresses(target.host, o, Math.min(deadline, started + o.connectTimeout));
        const chosen = o.addresses === 'all' ? dns.addresses : firstOfEachFamily(dns.addresses);
        sessions = await Promise.all(chosen.map(({ address, family }) => withRetries({ target, address, family, options: o, deadline, redact })));
    }
    catch (error) {
        const failure = error instanceof ProbeFailure ? error : new ProbeFailure('dns_error', String(error));
        dns = { ...dns, durationMs: Math.round((performance.now() - started) * 10) / 10 };
        if (failure.errorCode)
            dns.errorCode = failure.errorCode;
        const { explanation, hint } = explain({
            status: failure.status,
            stage: 'dns',
            port: target.port,
            mode: target.mode,
            message: failure.message,
            smtp: { heloFallback: false },
            ...(failure.errorCode ? { errorCode: failure.errorCode } : {}),
        });
        return {
            target,
            status: failure.status,
            stage: 'dns',
            ...(failure.errorCode ? { errorCode: failure.errorCode } : {}),
            explanation,
            ...(hint ? { hint } : {}),
            startedAt,
            durationMs: Math.round((performance.now() - started) * 10) / 10,
            dns,
            sessions: [],
        };
    }
    // `ok` only when every address is: an application may be handed any of them.
    const deciding = sessions.find((s) => s.status !== 'ok') ?? sessions[0];
    const prefix = sessions.length > 1 ? `${deciding.family === 6 ? `[${deciding.address}]` : deciding.address}: ` : '';
    return {
        target,
        status: deciding.status,
        stage: deciding.stage,
        ...(deciding.reply ? { reply: deciding.reply } : {}),
        ...(deciding.errorCode ? { errorCode: deciding.errorCode } : {}),
        explanation: `${prefix}${deciding.explanation}`,
        ...(deciding.hint ? { hint: deciding.hint } : {}),
        startedAt,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        dns,
        sessions,
    };
}
function firstOfEachFamily(addresses) {
    const v4 = addresses.find((a) => a.family === 4);
    const v6 = addresses.find((a) => a.family === 6);
    return [v4, v6].filter((a) => a !== undefined);
}
/** Retries a `temporary` outcome with exponential backoff, while the deadline leaves room. */
async function withRetries(plan) {
    const o = plan.options;
    let result = await runSession(plan);
    let retries = 0;
    while (result.status === 'temporary' && retries < o.retries) {
        const delay = o.retryDelay * 2 ** retries;
        if (performance.now() + delay >= plan.deadline)
            break;
        try {
            await sleep(delay, o.signal);
        }
        catch {
            break;
        }
        retries += 1;
        result = await runSession(plan);
    }
    return { ...result, retries };
}

// EXTERNAL MODULE: external "node:events"
var external_node_events_ = __nccwpck_require__(8474);
;// CONCATENATED MODULE: ./src/probe/probe-all.ts



/** The reason a run's unfinished probes carry when the overall deadline passes. */
class OverallDeadline extends Error {
    constructor(ms) {
        super(`the overall deadline of ${ms} ms passed before this probe finished`);
        this.name = 'OverallDeadline';
    }
}
/**
 * Probes many targets with bounded concurrency and one overall deadline. Results come back in input
 * order; cancelling the signal (or passing the deadline) ends every probe still running as `aborted`.
 */
async function probeAll(targets, options = {}) {
    if (!Array.isArray(targets))
        throw new TypeError(`targets must be an array, got ${String(targets)}`);
    const { concurrency = 32, overallTimeout, onStart, onDone, ...probeOptions } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new RangeError(`options.concurrency must be a whole number >= 1, got ${String(concurrency)}`);
    }
    if (overallTimeout !== undefined && (!Number.isFinite(overallTimeout) || overallTimeout <= 0)) {
        throw new RangeError(`options.overallTimeout must be a positive number of milliseconds, got ${overallTimeout}`);
    }
    const base = (0,probe_options/* resolveOptions */.$i)(probeOptions);
    const resolved = targets.map((t, i) => (0,probe_options/* resolveTarget */.u1)(t, `targets[${i}]`));
    const perTarget = targets.map((t) => t.options ? (0,probe_options/* resolveOptions */.$i)({ ...probeOptions, ...t.options }) : base);
    const controller = new AbortController();
    const timer = overallTimeout === undefined
        ? undefined
        : setTimeout(() => controller.abort(new OverallDeadline(overallTimeout)), overallTimeout);
    const signal = base.signal ? AbortSignal.any([base.signal, controller.signal]) : controller.signal;
    // Every probe in flight listens on this one signal while a stage runs (and removes its listener when
    // the stage ends): more than ten at once is the design, not the leak Node would warn about on stderr.
    (0,external_node_events_.setMaxListeners)(0, signal);
    const withSignal = perTarget.map((o) => ({ ...o, signal }));
    const results = new Array(resolved.length);
    let next = 0;
    const worker = async () => {
        while (next < resolved.length) {
            const index = next++;
            onStart?.(index);
            const result = await probeResolved(resolved[index], withSignal[index]);
            results[index] = result;
            onDone?.(index, result);
        }
    };
    try {
        await Promise.all(Array.from({ length: Math.min(concurrency, resolved.length) }, worker));
    }
    finally {
        clearTimeout(timer);
    }
    return results;
}

;// CONCATENATED MODULE: ./src/probe/index.ts
/** The probe core's public surface: everything the CLI, the Action and the Lambda may use. */








/***/ }),

/***/ 4344:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $i: () => (/* binding */ resolveOptions),
/* harmony export */   Lc: () => (/* binding */ isMailbox),
/* harmony export */   Rh: () => (/* binding */ DEFAULT_TIMEOUTS),
/* harmony export */   U3: () => (/* binding */ isHeloName),
/* harmony export */   u1: () => (/* binding */ resolveTarget)
/* harmony export */ });
/* unused harmony export DEFAULT_LIMITS */
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_net__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _catalogue_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3563);



const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
/** The core's timeouts when none is given; the plan's defaults are these too, so they live here once. */
const DEFAULT_TIMEOUTS = {
    timeout: 30_000,
    connectTimeout: 10_000,
    greetingTimeout: 10_000,
    commandTimeout: 10_000,
};
const DEFAULT_LIMITS = {
    maxLineLength: 4096,
    maxReplyLines: 100,
    maxReplyBytes: 64 * 1024,
    maxTranscriptBytes: 32 * 1024,
};
function positiveMs(name, value, fallback) {
    if (value === undefined)
        return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw new RangeError(`options.${name} must be a positive number of milliseconds, got ${String(value)}`);
    }
    return value;
}
function wholeNumber(name, value, fallback, min) {
    if (value === undefined)
        return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
        throw new RangeError(`options.${name} must be a whole number >= ${min}, got ${String(value)}`);
    }
    return value;
}
/** RFC 5321 §4.1.1.1: the EHLO argument is a domain or an address literal; keep it to safe characters. */
const HELO_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]|\[IPv6:[0-9A-Fa-f:.]+\])$/;
/** A name EHLO/HELO may carry: a domain or an address literal. */
function isHeloName(value) {
    return typeof value === 'string' && value.length <= 253 && HELO_PATTERN.test(value);
}
function defaultHelo() {
    const name = (0,node_os__WEBPACK_IMPORTED_MODULE_1__.hostname)();
    return HELO_PATTERN.test(name) && name.length <= 253 ? name : 'localhost';
}
/** CR and LF end a command line (RFC 5321 §2.3.8) and NUL ends a C string: none may reach a command. */
const LINE_BREAKING = /[\r\n\0]/;
/** Refuses a value that would break the command line it goes into; never echoes the value. */
function oneLine(name, value) {
    if (typeof value === 'string' && LINE_BREAKING.test(value)) {
        throw new RangeError(`options.${name} must not contain CR, LF or NUL`);
    }
}
function resolveOptions(options = {}) {
    const timeout = positiveMs('timeout', options.timeout, DEFAULT_TIMEOUTS.timeout);
    const helo = options.helo ?? defaultHelo();
    oneLine('helo', helo);
    if (!isHeloName(helo)) {
        throw new RangeError(`options.helo must be a domain name or address literal, got ${JSON.stringify(helo)}`);
    }
    if (options.addresses !== undefined &&
        options.addresses !== 'all' &&
        options.addresses !== 'one-per-family') {
        throw new RangeError(`options.addresses must be 'all' or 'one-per-family', got ${String(options.addresses)}`);
    }
    const auth = options.auth;
    if (auth !== undefined) {
        // Neither value is echoed in an error message: a user name may be a token.
        oneLine('auth.username', auth.username);
        oneLine('auth.password', auth.password);
        if (typeof auth.username !== 'string' || auth.username === '') {
            throw new RangeError('options.auth.username must be a non-empty string');
        }
        if (typeof auth.password !== 'string')
            throw new RangeError('options.auth.password must be a string');
    }
    const envelope = options.envelope;
    if (envelope !== undefined) {
        for (const key of ['from', 'to']) {
            const value = envelope[key];
            oneLine(`envelope.${key}`, value);
            if ((key === 'from' || value !== undefined) && !isMailbox(value)) {
                throw new RangeError(`options.envelope.${key} must be a mail address like app@example.com, got ${JSON.stringify(value)}`);
            }
        }
    }
    const minVersion = options.tls?.minVersion;
    if (minVersion !== undefined && !TLS_VERSIONS.includes(minVersion)) {
        throw new RangeError(`options.tls.minVersion must be one of ${TLS_VERSIONS.join(', ')}, got ${String(minVersion)}`);
    }
    const servername = options.tls?.servername;
    if (servername !== undefined &&
        (typeof servername !== 'string' ||
            servername === '' ||
            (0,node_net__WEBPACK_IMPORTED_MODULE_0__.isIP)(servername) !== 0 ||
            !HOSTNAME_PATTERN.test(servername))) {
        throw new RangeError(`options.tls.servername must be a host name, got ${JSON.stringify(servername)}`);
    }
    const ca = options.tls?.ca;
    const limits = { ...DEFAULT_LIMITS };
    for (const key of Object.keys(options.limits ?? {})) {
        if (!(key in DEFAULT_LIMITS))
            throw new RangeError(`options.limits.${key} is not a known limit`);
        limits[key] = wholeNumber(`limits.${key}`, options.limits?.[key], DEFAULT_LIMITS[key], 1);
    }
    return {
        timeout,
        connectTimeout: positiveMs('connectTimeout', options.connectTimeout, DEFAULT_TIMEOUTS.connectTimeout),
        greetingTimeout: positiveMs('greetingTimeout', options.greetingTimeout, DEFAULT_TIMEOUTS.greetingTimeout),
        commandTimeout: positiveMs('commandTimeout', options.commandTimeout, DEFAULT_TIMEOUTS.commandTimeout),
        helo,
        addresses: options.addresses ?? 'all',
        ...(auth ? { auth } : {}),
        ...(envelope ? { envelope } : {}),
        allowPlaintextAuth: options.allowPlaintextAuth === true,
        allowUnverifiedAuth: options.allowUnverifiedAuth === true,
        tls: {
            ...(ca !== undefined ? { ca: Array.isArray(ca) ? ca : [ca] } : {}),
            ...(minVersion ? { minVersion } : {}),
            ...(servername ? { servername } : {}),
        },
        retries: wholeNumber('retries', options.retries, 0, 0),
        retryDelay: positiveMs('retryDelay', options.retryDelay, 1_000),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.lookup ? { lookup: options.lookup } : {}),
        limits,
    };
}
/**
 * A mailbox for MAIL FROM/RCPT TO: local@domain without spaces, angle brackets or control characters
 * (RFC 5321 §4.1.2 allows none of them unquoted, and a NUL or CR/LF would end or split the command).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const MAILBOX_PATTERN = /^[^\s<>@\u0000-\u001f\u007f]+@[^\s<>@\u0000-\u001f\u007f]+$/;
function isMailbox(value) {
    return typeof value === 'string' && value.length <= 254 && MAILBOX_PATTERN.test(value);
}
/** A DNS name per RFC 1123 §2.1 (labels of letters, digits, hyphens; an optional final dot). */
const HOSTNAME_PATTERN = /^(?=.{1,253}\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;
/** Checks a target and fills in its mode; throws naming the bad value. */
function resolveTarget(target, where = 'target') {
    if (target === null || typeof target !== 'object') {
        throw new TypeError(`${where} must be an object with host and port, got ${String(target)}`);
    }
    const { host, port, mode } = target;
    if (typeof host !== 'string' || host === '') {
        throw new TypeError(`${where}.host must be a non-empty string, got ${JSON.stringify(host)}`);
    }
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    if ((0,node_net__WEBPACK_IMPORTED_MODULE_0__.isIP)(bare) === 0 && !HOSTNAME_PATTERN.test(bare)) {
        throw new RangeError(`${where}.host ${JSON.stringify(host)} is neither a host name nor an IP address`);
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
        throw new RangeError(`${where}.port must be a whole number from 1 to 65535, got ${String(port)}`);
    }
    if (mode !== undefined && !_catalogue_js__WEBPACK_IMPORTED_MODULE_2__/* .MODES */ .FN.includes(mode)) {
        throw new RangeError(`${where}.mode must be one of ${_catalogue_js__WEBPACK_IMPORTED_MODULE_2__/* .MODES */ .FN.join(', ')}, got ${JSON.stringify(mode)}`);
    }
    return { host: bare, port, mode: mode ?? (0,_catalogue_js__WEBPACK_IMPORTED_MODULE_2__/* .defaultMode */ .Hf)(port) };
}


/***/ }),

/***/ 8032:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Wv: () => (/* binding */ RUNNER_ENVIRONMENTS),
/* harmony export */   d$: () => (/* binding */ FAIL_ON),
/* harmony export */   f$: () => (/* binding */ SCHEMA_VERSION)
/* harmony export */ });
/* unused harmony exports REPORT_STATUSES, VANTAGE_KINDS */
/* harmony import */ var _probe_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3349);
/* harmony import */ var _rules_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6986);


const FAIL_ON = ['error', 'warning', 'never'];
/** A row's status: the probe's catalogue, plus `forbidden` for a destination a remote vantage refused. */
const REPORT_STATUSES = [..._probe_index_js__WEBPACK_IMPORTED_MODULE_0__/* .STATUSES */ .f, 'forbidden'];
/** The kinds of place a run probes from. */
const VANTAGE_KINDS = (/* unused pure expression or super */ null && (['runner', 'aws-lambda', 'function-url', 'gcp']));
/**
 * What kind of machine the runner is, as its environment says (RUNNER_ENVIRONMENT, GITHUB_ACTIONS, CI):
 * a GitHub-hosted runner (Azure, whose subscriptions mostly block outbound 25), a self-hosted one, a
 * GitHub Actions runner that does not say which, another CI's, or a developer's machine.
 */
const RUNNER_ENVIRONMENTS = ['github-hosted', 'self-hosted', 'github-actions', 'ci', 'local'];
/** Bumped on any incompatible change of the JSON report; `report.schema.json` describes it. */
const SCHEMA_VERSION = 2;


/***/ }),

/***/ 6986:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   y0: () => (/* binding */ RULES)
/* harmony export */ });
/* unused harmony exports SEVERITIES, RULE_IDS */
const SEVERITIES = (/* unused pure expression or super */ null && (['error', 'warning', 'notice']));
/**
 * The finding rules. Ids are stable (users filter on them, annotations show them); each has the
 * severity it carries unless a `require: any` group softens it.
 */
const RULES = {
    unreachable: { severity: 'error', title: 'port unreachable' },
    'egress-blocked-likely': { severity: 'error', title: 'silently dropped: likely blocked by this network' },
    'smtp-error': { severity: 'error', title: 'SMTP session failed' },
    'unexpectedly-open': { severity: 'error', title: 'port open that must be closed' },
    'banner-mismatch': { severity: 'error', title: 'greeting does not match the expected banner' },
    'tls-missing': { severity: 'error', title: 'no TLS' },
    'tls-failed': { severity: 'error', title: 'TLS could not be started' },
    'tls-version': { severity: 'error', title: 'TLS version below the minimum' },
    'cert-expired': { severity: 'error', title: 'certificate expired' },
    'cert-expiring': { severity: 'warning', title: 'certificate expires soon' },
    'cert-untrusted': { severity: 'error', title: 'certificate not trusted' },
    'cert-hostname': { severity: 'error', title: 'certificate does not name the host' },
    'auth-failed': { severity: 'error', title: 'credentials refused' },
    'auth-unavailable': { severity: 'error', title: 'no usable AUTH mechanism' },
    'credentials-withheld': {
        severity: 'error',
        title: 'credentials withheld: the server was not verified',
    },
    'plaintext-auth': { severity: 'warning', title: 'AUTH offered before TLS' },
    'starttls-injection': { severity: 'error', title: 'data injected after STARTTLS' },
    'sender-refused': { severity: 'error', title: 'sender or recipient refused' },
    slow: { severity: 'warning', title: 'slower than the allowed latency' },
    'no-tls-offered': { severity: 'notice', title: 'TLS optional and not offered' },
    'tls-skipped': { severity: 'notice', title: 'the server offers STARTTLS; mode plain did not use it' },
    'forbidden-destination': { severity: 'error', title: 'the vantage refused to probe this destination' },
    'egress-blocked': {
        severity: 'error',
        title: 'blocked by this network: nothing on the port answers here, a control answers elsewhere',
    },
    'target-filtered': {
        severity: 'error',
        title: 'the target filters this vantage: the port works from here, the target answers elsewhere',
    },
    'target-down': { severity: 'error', title: 'the target answers no vantage, though the port works' },
    inconclusive: {
        severity: 'error',
        title: 'unreachable from this vantage, cause not proven: what is missing is named',
    },
    'vantage-failed': { severity: 'error', title: 'the vantage could not answer' },
};
const RULE_IDS = Object.keys(RULES);


/***/ }),

/***/ 6744:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bx: () => (/* binding */ spellReport),
/* harmony export */   Zs: () => (/* binding */ quoteInput),
/* harmony export */   eb: () => (/* binding */ UsageError),
/* harmony export */   lO: () => (/* binding */ spell),
/* harmony export */   vL: () => (/* binding */ cutInput)
/* harmony export */ });
/* unused harmony exports SETTINGS, settingsIn, ECHO_MAX */
/**
 * The user's settings by one neutral name each. Below the adapters, a hint or an error that tells the
 * user to change something names the setting as a backticked id (`helo`, `expect.tls`); each adapter
 * spells it its own way (`--helo`, input `helo`, `helo:` in the config file) with `spell`. So an Action
 * user is never told about a CLI flag, and the core never learns an adapter's words.
 */
const SETTINGS = [
    'targets',
    'config',
    'ports',
    'mode',
    'timeout',
    'connect_timeout',
    'greeting_timeout',
    'command_timeout',
    'overall_timeout',
    'concurrency',
    'retries',
    'helo',
    'ca',
    'min_tls',
    'expect.tls',
    'expect.cert.min_days',
    'auth',
    'allow_unverified_auth',
    'allow_plaintext_auth',
    'envelope',
    'fail_on',
    'vantages',
    'controls',
    'gcp_id_token',
];
const ESCAPED = SETTINGS.map((id) => id.replace(/\./g, '\\.'))
    // Longest first, so that `expect.tls` is not read as a shorter id.
    .sort((a, b) => b.length - a.length);
const REFERENCE = new RegExp(`\`(${ESCAPED.join('|')})\``, 'g');
/** Every backticked setting id in `text`, written the adapter's way; other text is left alone. */
function spell(text, spelling) {
    return text.replace(REFERENCE, (_, id) => spelling[id]);
}
/** The settings a text refers to (for tests that check every hint can be spelled). */
function settingsIn(text) {
    return [...text.matchAll(REFERENCE)].map((m) => m[1]);
}
/** The most of a user's value an error message repeats: enough to recognise it, never a whole file. */
const ECHO_MAX = 60;
/** The longest line a usage error prints, whatever it repeats (a last guard; quoteInput cuts first). */
const LINE_MAX = 1_000;
/**
 * A value the user gave, cut to a readable length for an error message: `abc…` plus, when cut, how
 * long it really was. A 5 MB flag or config value is never echoed whole.
 */
function cutInput(value, max = ECHO_MAX) {
    return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}
/** `cutInput`, quoted as JSON: control characters (CR, LF, NUL) show as escapes, on one line. */
function quoteInput(value, max = ECHO_MAX) {
    return value.length <= max
        ? JSON.stringify(value)
        : `${JSON.stringify(`${value.slice(0, max)}…`)} (${value.length} characters)`;
}
/**
 * A mistake in what the user gave us: a setting, a target, a config file. Exit code 2 (or a failed
 * step), one line, no stack. `message` may name settings as backticked ids; `describe` spells them.
 */
class UsageError extends Error {
    source;
    text;
    constructor(text, source) {
        super(source === undefined
            ? text
            : `${typeof source === 'string' ? source : `\`${source.setting}\``}: ${text}`);
        this.name = 'UsageError';
        this.source = source;
        this.text = text;
    }
    /** The one line to show, every setting spelled the adapter's way. */
    describe(spelling) {
        const where = this.source === undefined
            ? ''
            : typeof this.source === 'string'
                ? `${this.source}: `
                : `${spelling[this.source.setting]}${this.source.detail ? ` ${this.source.detail}` : ''}: `;
        // One line, whatever a parser's message or an unquoted path held.
        const line = spell(`${where}${this.text}`, spelling).replace(/[\r\n\u2028\u2029]+/g, ' ');
        return line.length <= LINE_MAX ? line : `${line.slice(0, LINE_MAX)}…`;
    }
}
/**
 * The report with every setting in its hints and messages spelled for the user: the adapter's way,
 * or the config file's way for what a config file line produced (it has a location there).
 */
function spellReport(report, adapter, config) {
    const say = (text, fromFile) => spell(text, fromFile ? config : adapter);
    return {
        ...report,
        vantages: report.vantages.map((v) => (v.error === undefined ? v : { ...v, error: say(v.error, false) })),
        results: report.results.map((row) => ({
            ...row,
            explanation: say(row.explanation, false),
            ...(row.hint === undefined ? {} : { hint: say(row.hint, false) }),
        })),
        findings: report.findings.map((f) => ({
            ...f,
            message: say(f.message, f.location !== undefined),
            hint: say(f.hint, f.location !== undefined),
        })),
        recommendations: report.recommendations.map((r) => ({ ...r, reason: say(r.reason, false) })),
    };
}


/***/ }),

/***/ 4871:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Aq: () => (/* binding */ vantageName),
/* harmony export */   f9: () => (/* binding */ vantageTitle)
/* harmony export */ });
/* unused harmony export runnerEnvironmentOf */
/* harmony import */ var _model_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8032);

/** How a message names the runner, by what it is: "from GitHub-hosted runners", not "from here". */
const RUNNER_NAMES = {
    'github-hosted': 'GitHub-hosted runners',
    'self-hosted': 'this self-hosted runner',
    'github-actions': 'this GitHub Actions runner',
    ci: 'this CI runner',
    local: 'this machine',
};
/** The short form, beside the label in a column header: `runner (GitHub-hosted)`. */
const RUNNER_TAGS = {
    'github-hosted': 'GitHub-hosted',
    'self-hosted': 'self-hosted',
    'github-actions': 'GitHub Actions',
    ci: 'CI',
    local: 'this machine',
};
/** The runner's environment from its facts, when it is one the tool knows. */
function runnerEnvironmentOf(vantage) {
    const provider = vantage.facts?.provider;
    return vantage.kind === 'runner' && _model_js__WEBPACK_IMPORTED_MODULE_0__/* .RUNNER_ENVIRONMENTS */ .Wv.includes(provider ?? '')
        ? provider
        : undefined;
}
/** The vantage as a sentence names it: `GitHub-hosted runners`, `this machine`, `aws-lambda:eu-west-1`. */
function vantageName(vantage) {
    return vantage.runner ? RUNNER_NAMES[vantage.runner] : vantage.label;
}
/** The vantage as a table header names it: `runner (GitHub-hosted)`, `aws-lambda:eu-west-1`. */
function vantageTitle(vantage) {
    const runner = runnerEnvironmentOf(vantage);
    return runner ? `${vantage.label} (${RUNNER_TAGS[runner]})` : vantage.label;
}


/***/ }),

/***/ 1167:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  F: () => (/* binding */ runPlan)
});

;// CONCATENATED MODULE: ./src/result/rows.ts
/** Flattens a probe result into report rows: one per address session, or one for a DNS failure. */
function toRows(result, target, vantage) {
    const { host, port, mode } = result.target;
    if (result.sessions.length === 0) {
        return [
            {
                target,
                vantage,
                host,
                port,
                mode,
                address: null,
                family: null,
                status: result.status,
                stage: result.stage,
                ...(result.errorCode ? { errorCode: result.errorCode } : {}),
                explanation: result.explanation,
                ...(result.hint ? { hint: result.hint } : {}),
                durationMs: result.durationMs,
                timings: { dns: result.dns.durationMs },
                retries: 0,
                transcript: [],
                transcriptTruncated: false,
            },
        ];
    }
    return result.sessions.map((s) => ({
        target,
        vantage,
        host,
        port,
        mode,
        address: s.address,
        family: s.family,
        status: s.status,
        stage: s.stage,
        ...(s.reply ? { reply: s.reply } : {}),
        ...(s.errorCode ? { errorCode: s.errorCode } : {}),
        explanation: s.explanation,
        ...(s.hint ? { hint: s.hint } : {}),
        durationMs: s.durationMs,
        timings: { dns: result.dns.durationMs, ...s.timings },
        smtp: s.smtp,
        ...(s.tls ? { tls: s.tls } : {}),
        ...(s.auth ? { auth: s.auth } : {}),
        ...(s.envelope ? { envelope: s.envelope } : {}),
        retries: s.retries,
        transcript: s.transcript,
        transcriptTruncated: s.transcriptTruncated,
    }));
}
/** The row for a destination a remote vantage refused: nothing was sent to it. */
function refusedRow(refusal, at) {
    return {
        target: at.target,
        vantage: at.vantage,
        host: refusal.host,
        port: at.port,
        mode: at.mode,
        address: refusal.address ?? null,
        family: null,
        status: 'forbidden',
        stage: 'dns',
        explanation: refusal.reason,
        durationMs: 0,
        timings: {},
        retries: 0,
        transcript: [],
        transcriptTruncated: false,
    };
}

// EXTERNAL MODULE: ./src/result/vantage-words.ts
var vantage_words = __nccwpck_require__(4871);
;// CONCATENATED MODULE: ./src/judge/alternatives.ts
/** One key per (vantage, target, port): what findings and jobs are matched on. */
const portKey = (vantage, target, port) => `${vantage}\u0000${target}\u0000${port}`;
/**
 * The (vantage, target, port) triples with an error finding, built once: looking each job up in the
 * findings instead made a 10,000-target run quadratic.
 */
function failingPorts(findings) {
    return new Set(findings.filter((f) => f.severity === 'error').map((f) => portKey(f.vantage, f.target, f.port)));
}
/**
 * In a `require: any` group, failures are warnings as long as another port of the group passes from
 * the same vantage: a network that allows 587 but not 465 still has a way out.
 */
function softenAlternatives(jobs, vantages, findings, probedOk) {
    const failed = failingPorts(findings);
    const groupPasses = new Set();
    for (const vantage of vantages) {
        jobs.forEach((job, i) => {
            if (job.target.require !== 'any')
                return;
            if (probedOk(vantage, i) && !failed.has(portKey(vantage, job.target.name, job.port.port))) {
                groupPasses.add(`${vantage}\u0000${job.target.name}`);
            }
        });
    }
    return findings.map((f) => f.severity === 'error' && groupPasses.has(`${f.vantage}\u0000${f.target}`)
        ? { ...f, severity: 'warning', message: `${f.message} (another port of this group works)` }
        : f);
}

;// CONCATENATED MODULE: ./src/judge/egress-words.ts

const hostPort = (host, port) => host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
/** `relay:587`, `control smtp.example.net:587`. */
function jobName(job) {
    if (!job)
        return '?';
    return `${job.control ? 'control ' : ''}${hostPort(job.target.name, job.port.port)}`;
}
const nameOf = (v) => v ? (0,vantage_words/* vantageName */.Aq)({ label: v.label, runner: v.runner }) : '?';
const list = (items) => items.join(', ');
/** What the vantage's own network is, for a hint about its egress on a port. */
function egressHint(v, port) {
    if (v.kind === 'runner')
        return RUNNER_HINTS[v.runner ?? 'local'](port);
    return PLATFORM_HINTS[v.kind](port);
}
const SUBMIT = 'submit on 587, 465 or 2525';
const PLATFORM_HINTS = {
    'aws-lambda': (port) => port === 25
        ? `AWS blocks outbound port 25 from Lambda outside a VPC (and from EC2 unless AWS lifts it): ${SUBMIT}, or run in a VPC behind a NAT gateway whose port-25 limit AWS has lifted.`
        : `Check the egress rules of this function's network (VPC security group, NACL, NAT) for port ${port}.`,
    'function-url': (port) => PLATFORM_HINTS['aws-lambda'](port),
    gcp: (port) => port === 25
        ? `Google Cloud blocks outbound port 25 from Cloud Run, Cloud Functions and Compute Engine: ${SUBMIT}.`
        : `Check the egress rules of this function's network (VPC connector, firewall rules, Cloud NAT) for port ${port}.`,
};
const RUNNER_HINTS = {
    'github-hosted': (port) => port === 25
        ? `GitHub-hosted runners run in Azure, which blocks outbound port 25 for most subscriptions: ${SUBMIT}, or probe 25 from a self-hosted runner or a cloud vantage where it is open.`
        : `The network of GitHub-hosted runners does not let port ${port} out here (an organisation's network policy or private networking can): ${SUBMIT}.`,
    'self-hosted': (port) => `The network of this self-hosted runner blocks port ${port} outbound: check its egress firewall${port === 25 ? ", and on a cloud VM the provider's port-25 policy" : ''}.`,
    'github-actions': (port) => `The network of this GitHub Actions runner blocks port ${port} outbound (GitHub-hosted runners run in Azure, which blocks 25 for most subscriptions): ${SUBMIT}.`,
    ci: (port) => `The network of this CI runner blocks port ${port} outbound: check its egress firewall.`,
    local: (port) => `The network this machine is on blocks port ${port} outbound${port === 25 ? ' (most home and office ISPs block 25)' : ''}: check its egress firewall, or ${SUBMIT}.`,
};
/** A failure as its evidence names it: `timeout`, `refused`. */
const statusOf = (reach) => reach ?? 'not probed';
function failedVerb(reach) {
    if (reach === 'refused')
        return 'refuses';
    if (reach === 'unreachable')
        return 'rejects';
    if (reach === 'reset')
        return 'resets';
    return 'drops';
}
/** A reject is an answer: a cloud's egress block drops silently, so say which one this was. */
function rejectNote(failures) {
    if (failures.every((r) => r === 'timeout'))
        return ' (silently dropped)';
    return ' (rejected, not dropped: a firewall on the path answers, which a cloud egress block rarely does)';
}
function describeVerdict(verdict, cell, { jobs, vantages, grid }) {
    const subject = jobs[cell.subject];
    const v = vantages[cell.vantage];
    const here = nameOf(v);
    const port = subject.port.port;
    const reach = grid[cell.subject]?.[cell.vantage];
    const reachFrom = (j, wi) => grid[j]?.[wi];
    const answersFrom = (j) => vantages.flatMap((w, wi) => (reachFrom(j, wi) === 'reached' ? [nameOf(w)] : []));
    const opened = cell.openHere.map((j) => jobName(jobs[j]));
    switch (verdict) {
        case 'egress-blocked': {
            const probedHere = jobs.flatMap((job, j) => {
                const r = reachFrom(j, cell.vantage);
                return job.port.port === port && r !== undefined ? [{ job, r }] : [];
            });
            const onPort = probedHere.map(({ job, r }) => `${jobName(job)} ${statusOf(r)}`);
            const live = cell.liveControls.map((j) => `${jobName(jobs[j])} answers from ${list(answersFrom(j))}`);
            return {
                message: `port ${port} is blocked from ${here}: nothing on it answers there (${list(onPort)})${rejectNote(probedHere.map(({ r }) => r))}, while ${list(live)}`,
                hint: egressHint(v, port),
            };
        }
        case 'target-filtered':
            return {
                message: `${jobName(subject)} ${failedVerb(reach)} ${here} (${statusOf(reach)}) but answers from ${list(cell.elsewhere.map((wi) => nameOf(vantages[wi])))}, and port ${port} works from ${here} (${list(opened)} answers): the target filters this vantage`,
                hint: reach === 'timeout'
                    ? `The target's firewall drops connections from ${here} (an allow-list, a blocklist or geo-blocking): allow its addresses there, or ask the provider.`
                    : `The target refuses connections from ${here} (a firewall reject or an access list of the service): allow its addresses there, or ask the provider.`,
            };
        case 'target-down': {
            const tried = cell.tried.map((wi) => `${nameOf(vantages[wi])}: ${statusOf(reachFrom(cell.subject, wi))}`);
            const refusedEverywhere = cell.tried.every((wi) => reachFrom(cell.subject, wi) === 'refused');
            return {
                message: `${jobName(subject)} answers from no vantage (${list(tried)}) while port ${port} works from ${here} (${list(opened)} answers): ${refusedEverywhere ? `the target is down: nothing accepts port ${port} there` : 'the target is down, or drops every vantage tried'}`,
                hint: `Check that the server runs and listens on port ${port} and that its firewall lets connections in: the networks probed from let port ${port} out.`,
            };
        }
        case 'inconclusive':
            return inconclusive(subject, cell, { jobs, vantages, grid }, here, answersFrom);
    }
}
function inconclusive(subject, cell, { jobs, vantages, grid }, here, answersFrom) {
    const port = subject.port.port;
    const reach = grid[cell.subject]?.[cell.vantage];
    const elsewhere = answersFrom(cell.subject);
    const seen = elsewhere.length > 0
        ? `${jobName(subject)} ${statusOf(reach)} from ${here} but answers from ${list(elsewhere)}`
        : `${jobName(subject)} answers from no vantage (${list(cell.tried.map((wi) => `${nameOf(vantages[wi])}: ${statusOf(grid[cell.subject]?.[wi])}`))})`;
    const deadControls = cell.controls.filter((j) => j !== cell.subject).map((j) => jobName(jobs[j]));
    if (subject.control && deadControls.length === 0) {
        return {
            message: `${seen}: either the network of every vantage blocks port ${port}, or the control is down`,
            hint: `Check the control, or name another on port ${port} (\`controls\`): a server known to answer on ${port} from anywhere.`,
        };
    }
    const missing = deadControls.length > 0
        ? `the controls on port ${port} (${list(deadControls)}) answer from no vantage, so they prove nothing`
        : `there is no control on port ${port} and nothing else on it answers from ${here}`;
    return {
        message: `${seen}; missing: ${missing}. This network's egress block cannot be told from the target filtering it`,
        hint: `Add a control on port ${port} (\`controls\`): a server known to answer on ${port} from anywhere. Then the run says whether ${here} or the target is at fault.`,
    };
}
/** The single-vantage guess stays, saying how to prove it. */
function guessHint(finding) {
    return `${finding.hint} To prove it, add a control on port ${finding.port} (\`controls\`) or another vantage (\`vantages\`).`;
}

;// CONCATENATED MODULE: ./src/judge/expectations.ts
const DEFAULT_MIN_TLS = 'TLSv1.2';
const DEFAULT_CERT_MIN_DAYS = 14;
/**
 * Port 25 relays may run without TLS (RFC 3207 makes STARTTLS optional there); submission ports
 * carry credentials and must have it (RFC 8314 §3). Mode plain is always the user's choice, and
 * choosing it says TLS is not expected. Credentials imply that AUTH must work.
 */
function effectiveExpectations(expect, port, mode, hasCredentials) {
    return {
        reachable: expect.reachable ?? true,
        tls: expect.tls ?? (mode === 'plain' ? 'none' : port === 25 ? 'optional' : 'required'),
        minTls: expect.minTls ?? DEFAULT_MIN_TLS,
        cert: {
            minDays: expect.cert?.minDays ?? DEFAULT_CERT_MIN_DAYS,
            trusted: expect.cert?.trusted ?? true,
            hostname: expect.cert?.hostname ?? true,
        },
        auth: expect.auth ?? (hasCredentials ? 'ok' : undefined),
        maxLatency: expect.maxLatency,
        banner: expect.banner === undefined ? undefined : new RegExp(expect.banner),
    };
}
const VERSION_ORDER = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
/** True when `actual` (as Node names it) is older than `minimum`. */
function tlsBelow(actual, minimum) {
    const a = VERSION_ORDER.indexOf(actual);
    return a !== -1 && a < VERSION_ORDER.indexOf(minimum);
}

// EXTERNAL MODULE: ./src/result/rules.ts
var rules = __nccwpck_require__(6986);
;// CONCATENATED MODULE: ./src/judge/session-rules.ts

/** A port that must not be reachable fails when any address completed a TCP connection. */
function judgeMustBeClosed(result) {
    const open = result.sessions.filter((s) => s.stage !== 'connect' || s.status === 'ok');
    if (open.length === 0)
        return [];
    const where = open.map((s) => s.address).join(', ');
    return [
        {
            rule: 'unexpectedly-open',
            message: `port ${result.target.port} accepts connections at ${where} but must be closed`,
            hint: 'Close the port in the firewall or bind the service to an internal address: an exposed relay gets abused.',
        },
    ];
}
function judgeSession(session, port, expect) {
    const drafts = [];
    const { status } = session;
    if (status === 'starttls_unavailable') {
        if (expect.tls === 'required') {
            drafts.push({
                rule: 'tls-missing',
                message: `port ${port.port} offers no STARTTLS`,
                hint: session.hint ?? 'Enable TLS on the server, or use a port that offers it.',
            });
        }
        else if (expect.tls === 'optional') {
            drafts.push({
                rule: 'no-tls-offered',
                message: `port ${port.port} offers no STARTTLS (TLS is optional here)`,
                hint: 'Mail to this relay travels in plaintext; offer STARTTLS if you can.',
            });
        }
    }
    else if (status !== 'ok') {
        drafts.push(failureDraft(status, session));
    }
    if (port.mode === 'plain')
        drafts.push(...judgePlainMode(session, port.port, expect));
    drafts.push(...judgeTls(session, expect), ...judgeSmtp(session, port, expect));
    return drafts;
}
/** Mode plain was asked for: TLS is not expected unless the user also said it is. */
function judgePlainMode(session, port, expect) {
    if (expect.tls === 'required') {
        return [
            {
                rule: 'tls-missing',
                message: `port ${port} was probed without TLS (mode plain), but \`expect.tls\` says TLS is required`,
                hint: 'Probe it with `mode` starttls (or tls on 465), or set `expect.tls` to optional or none.',
            },
        ];
    }
    const offered = session.smtp.ehlo?.starttls === true;
    if (!offered)
        return [];
    return [
        {
            rule: 'tls-skipped',
            message: `port ${port} offers STARTTLS; it was probed without TLS because \`mode\` is plain`,
            hint: 'Use `mode` starttls to check the TLS setup too.',
        },
    ];
}
/** The finding for a session (or a DNS failure) that stopped before it should have. */
function failureDraft(status, where) {
    const hint = where.hint ?? 'See the transcript for where the session stopped.';
    const message = where.explanation;
    if (where.stage === 'envelope')
        return { rule: 'sender-refused', message, hint };
    switch (status) {
        case 'timeout':
            return where.stage === 'connect'
                ? { rule: 'egress-blocked-likely', message, hint }
                : { rule: 'smtp-error', message, hint };
        case 'dns_error':
        case 'refused':
        case 'unreachable':
        case 'aborted':
            return { rule: 'unreachable', message, hint };
        case 'starttls_failed':
        case 'tls_failed':
            return { rule: 'tls-failed', message, hint };
        case 'auth_failed':
            return { rule: 'auth-failed', message, hint };
        case 'auth_unavailable':
            return { rule: 'auth-unavailable', message, hint };
        case 'auth_withheld':
            return { rule: 'credentials-withheld', message, hint };
        default:
            return { rule: where.stage === 'connect' ? 'unreachable' : 'smtp-error', message, hint };
    }
}
function judgeTls(session, expect) {
    const tls = session.tls;
    if (!tls)
        return [];
    const drafts = [];
    if (tls.protocol && tlsBelow(tls.protocol, expect.minTls)) {
        drafts.push({
            rule: 'tls-version',
            message: `the server negotiated ${tls.protocol}, below the minimum ${expect.minTls}`,
            hint: 'Enable TLS 1.2 and 1.3 on the server; TLS 1.0 and 1.1 are deprecated (RFC 8996).',
        });
    }
    const cert = tls.certificate;
    if (cert?.expired) {
        drafts.push({
            rule: 'cert-expired',
            message: `the certificate expired ${-cert.daysUntilExpiry} days ago (${cert.validTo})`,
            hint: 'Renew the certificate and reload the mail server.',
        });
    }
    else if (cert && cert.daysUntilExpiry < expect.cert.minDays) {
        drafts.push({
            rule: 'cert-expiring',
            message: `the certificate expires in ${cert.daysUntilExpiry} days (${cert.validTo})`,
            hint: `Renew it before it expires; this check warns below ${expect.cert.minDays} days (\`expect.cert.min_days\`).`,
        });
    }
    // An expired certificate also fails verification; one finding says it better than two.
    if (!tls.trusted && expect.cert.trusted && tls.trustError !== 'CERT_HAS_EXPIRED') {
        drafts.push({
            rule: 'cert-untrusted',
            message: `the certificate chain does not verify (${tls.trustError ?? 'unknown reason'})${cert?.selfSigned ? ': it is self-signed' : ''}`,
            hint: 'Serve the full chain from a public CA, or give the private CA with `ca`.',
        });
    }
    if (!tls.hostnameMatch && expect.cert.hostname) {
        drafts.push({
            rule: 'cert-hostname',
            message: tls.hostnameError ?? 'the certificate does not name the host',
            hint: 'Probe the name the certificate carries, or add this name to the certificate.',
        });
    }
    return drafts;
}
function judgeSmtp(session, port, expect) {
    const drafts = [];
    const smtp = session.smtp;
    if (port.mode !== 'tls' && (smtp.ehlo?.auth.length ?? 0) > 0) {
        drafts.push({
            rule: 'plaintext-auth',
            message: `port ${port.port} offers AUTH (${smtp.ehlo?.auth.join(' ')}) before TLS`,
            hint: 'Offer AUTH only after STARTTLS (Postfix: smtpd_tls_auth_only = yes) so no client can send credentials in clear.',
        });
    }
    if ((smtp.starttlsInjectedBytes ?? 0) > 0) {
        const sample = smtp.starttlsInjectedSample ? `, starting "${smtp.starttlsInjectedSample}"` : '';
        drafts.push({
            rule: 'starttls-injection',
            message: `the server sent ${smtp.starttlsInjectedBytes} bytes after its 220 to STARTTLS${sample}`,
            hint: 'A server must not send anything between 220 and the handshake (RFC 3207 §6): fix or replace it, or check for a middlebox.',
        });
    }
    if (expect.auth === 'ok' && session.status === 'ok' && session.auth?.outcome !== 'accepted') {
        drafts.push({
            rule: 'auth-failed',
            message: 'AUTH was expected to succeed but was not attempted',
            hint: 'Give the credentials (`auth`) for this target, or drop `expect.auth`.',
        });
    }
    if (expect.maxLatency !== undefined && session.durationMs > expect.maxLatency) {
        drafts.push({
            rule: 'slow',
            message: `the session took ${Math.round(session.durationMs)} ms, over the ${expect.maxLatency} ms allowed`,
            hint: 'Check the network path and the server load; stage timings show which stage was slow.',
        });
    }
    const greeting = smtp.greeting?.text;
    if (expect.banner && greeting !== undefined && !expect.banner.test(greeting)) {
        drafts.push({
            rule: 'banner-mismatch',
            message: `the greeting "${greeting.split('\n')[0]}" does not match /${expect.banner.source}/`,
            hint: 'Another server answers on this address than the one expected: check DNS and load balancers.',
        });
    }
    return drafts;
}

;// CONCATENATED MODULE: ./src/judge/findings.ts



/** A draft placed: which vantage, target, port and address it judges, and the config line. */
function place(draft, job, vantage, host, address) {
    const severity = rules/* RULES */.y0[draft.rule].severity;
    return {
        ...draft,
        vantage,
        // A control is evidence about its port, not something the user runs: it fails the run only when
        // warnings do (`fail_on`).
        ...(job.control ? { control: true } : {}),
        severity: job.control && severity === 'error' ? 'warning' : severity,
        target: job.target.name,
        host,
        port: job.port.port,
        address,
        ...(job.port.location ? { location: job.port.location } : {}),
    };
}
/** The findings of one job probed from one vantage. */
function judgeProbed({ job, vantage, result }) {
    const { target, port } = job;
    const expect = effectiveExpectations(port.expect, port.port, port.mode, target.auth !== undefined);
    const at = (draft, address) => place(draft, job, vantage, result.target.host, address);
    if (!expect.reachable)
        return judgeMustBeClosed(result).map((d) => at(d, null));
    if (result.sessions.length === 0)
        return [at(failureDraft(result.status, result), null)];
    return result.sessions.flatMap((session) => judgeSession(session, port, expect).map((draft) => at(draft, session.address)));
}
/** A destination the vantage's policy refused: the probe never ran there. */
function refusedFinding(job, vantage, reason, address) {
    return place({
        rule: 'forbidden-destination',
        message: reason,
        hint: 'A cloud vantage probes only public addresses on SMTP ports: probe private relays from a runner inside their network, or remove the vantage for this target (`vantages`).',
    }, job, vantage, job.target.host, address);
}
/** A vantage that gave no answer for this job. */
function vantageFailedFinding(job, vantage, kind, error) {
    const permissions = kind === 'runner'
        ? 'the runner itself failed: see the log'
        : kind === 'gcp'
            ? 'its URL and the ID token (roles/run.invoker on the function)'
            : 'its credentials and permissions (lambda:InvokeFunction and, for a Function URL, lambda:InvokeFunctionUrl), region and function name';
    return place({
        rule: 'vantage-failed',
        message: `could not probe from ${vantage}: ${error}`,
        hint: `Check the vantage: ${permissions}.`,
    }, job, vantage, job.target.host, null);
}

;// CONCATENATED MODULE: ./src/judge/egress.ts




const CONNECT_FAILURES = new Set(['timeout', 'refused', 'unreachable', 'reset']);
/** A result's reach: any session past the connect reached the port; else how every connect failed. */
function reachOf(result) {
    if (result.sessions.some((s) => s.status === 'ok' || s.stage !== 'connect'))
        return 'reached';
    if (result.sessions.length === 0)
        return 'other';
    if (CONNECT_FAILURES.has(result.status))
        return result.status;
    const failed = result.sessions.find((s) => CONNECT_FAILURES.has(s.status));
    return failed ? failed.status : 'other';
}
/** The truth table above, and nothing else. */
function verdictOf(cell, subjectIsControl) {
    if (cell.openHere.length > 0)
        return cell.elsewhere.length > 0 ? 'target-filtered' : 'target-down';
    if (cell.liveControls.length > 0)
        return 'egress-blocked';
    if (cell.tried.length > 1 || cell.controls.length > 0 || subjectIsControl)
        return 'inconclusive';
    return undefined;
}
function reachGrid(jobs, vantages) {
    return jobs.map((_, i) => vantages.map((v) => {
        const outcome = 'outcomes' in v ? v.outcomes[i] : undefined;
        return outcome?.kind === 'probed' ? reachOf(outcome.result) : undefined;
    }));
}
const CONNECT_RULES = new Set(['egress-blocked-likely', 'unreachable']);
/**
 * Replaces the connect-failure findings of every failed cell (the session rules' `unreachable` and
 * `egress-blocked-likely`) with one attribution finding naming its evidence; a cell with no verdict
 * keeps its findings, the guess's hint saying how to prove it. Controls get findings of their own.
 */
function attributeEgress(jobs, vantages, findings) {
    const grid = reachGrid(jobs, vantages);
    const byPort = new Map();
    jobs.forEach((job, i) => {
        byPort.set(job.port.port, [...(byPort.get(job.port.port) ?? []), i]);
    });
    const verdicts = new Map();
    const guessed = new Set();
    jobs.forEach((job, i) => {
        const { port, target } = job;
        if (!effectiveExpectations(port.expect, port.port, port.mode, false).reachable)
            return;
        const onPort = byPort.get(port.port) ?? [];
        const controls = onPort.filter((j) => jobs[j]?.control);
        const liveControls = controls.filter((j) => grid[j]?.some((r) => r === 'reached'));
        vantages.forEach((v, vi) => {
            const reach = grid[i]?.[vi];
            if (reach === undefined || reach === 'reached' || reach === 'other')
                return;
            const tried = vantages.flatMap((_, wi) => (grid[i]?.[wi] === undefined ? [] : [wi]));
            const cell = {
                subject: i,
                vantage: vi,
                openHere: onPort.filter((j) => j !== i && grid[j]?.[vi] === 'reached'),
                liveControls,
                controls,
                elsewhere: tried.filter((wi) => wi !== vi && grid[i]?.[wi] === 'reached'),
                tried,
            };
            const verdict = verdictOf(cell, job.control === true);
            const key = portKey(v.label, target.name, port.port);
            if (!verdict) {
                if (!job.control)
                    guessed.add(key);
                return;
            }
            const words = describeVerdict(verdict, cell, { jobs, vantages, grid });
            verdicts.set(key, place({ rule: verdict, ...words }, job, v.label, target.host, null));
        });
    });
    // The verdict takes the place of the first finding it replaces; a cell without one (a control's) goes last.
    const placed = new Set();
    const kept = findings.flatMap((f) => {
        const key = portKey(f.vantage, f.target, f.port);
        if (!CONNECT_RULES.has(f.rule))
            return [f];
        const verdict = verdicts.get(key);
        if (verdict) {
            if (placed.has(key))
                return [];
            placed.add(key);
            return [verdict];
        }
        if (guessed.has(key) && f.rule === 'egress-blocked-likely')
            return [{ ...f, hint: guessHint(f) }];
        return [f];
    });
    return [...kept, ...[...verdicts].filter(([key]) => !placed.has(key)).map(([, f]) => f)];
}

;// CONCATENATED MODULE: ./src/judge/recommend.ts


const SUBMISSION_PORTS = new Set([587, 588, 2525]);
/**
 * Which port to configure from one vantage's network, per target, and why. A port qualifies when
 * every address completed its session and no error finding stands against it. Preference: verified
 * implicit TLS, then STARTTLS submission ports, then anything else, port 25 last (it is for relaying
 * between servers, and clouds block it); faster first among equals. When none qualifies, it says
 * whether a port at least answered SMTP (the expectations fail) or none did (nothing is reachable).
 */
function recommend(vantage, seen, findings, 
/** How a sentence names the vantage: `GitHub-hosted runners`, `aws-lambda:eu-west-1`. */
from = vantage) {
    const byTarget = new Map();
    for (const item of seen) {
        const { port, target } = item.job;
        if (!effectiveExpectations(port.expect, port.port, port.mode, false).reachable)
            continue;
        const list = byTarget.get(target.name);
        if (list)
            list.push(item);
        else
            byTarget.set(target.name, [item]);
    }
    const failed = failingPorts(findings);
    return [...byTarget].map(([target, items]) => {
        const fails = (item) => item.result?.status !== 'ok' || failed.has(portKey(vantage, target, item.job.port.port));
        const working = items
            .filter((item) => !fails(item))
            .sort((a, b) => rank(a) - rank(b) || latency(a) - latency(b));
        const failing = items.filter(fails).map(describeFailure);
        const best = working[0];
        if (!best) {
            const answered = items.some((item) => item.result?.sessions.some((s) => s.smtp.greeting?.code === 220));
            return {
                target,
                vantage,
                port: null,
                mode: null,
                outcome: answered ? 'fails-expectations' : 'unreachable',
                reason: answered
                    ? `reachable, but no port meets the expectations: ${failing.join('; ')}`
                    : `nothing is reachable from ${from}: ${failing.join('; ')}`,
            };
        }
        const prefix = failing.length > 0 ? `${failing.join('; ')}; ` : '';
        return {
            target,
            vantage,
            port: best.job.port.port,
            mode: best.job.port.mode,
            outcome: 'works',
            reason: `${prefix}${describeSuccess(best)}, works: use ${best.job.port.port}`,
        };
    });
}
function rank(item) {
    const session = item.result?.sessions[0];
    const verified = session?.tls?.trusted === true && session.tls.hostnameMatch;
    const { port, mode } = item.job.port;
    if (port === 25)
        return 4;
    if (mode === 'tls' && verified)
        return 0;
    if (mode === 'starttls' && verified && SUBMISSION_PORTS.has(port))
        return 1;
    if (verified)
        return 2;
    return 3;
}
function latency(item) {
    return Math.max(0, ...(item.result?.sessions ?? []).map((s) => s.durationMs));
}
function describeSuccess(item) {
    const session = item.result?.sessions[0];
    const { port, mode } = item.job.port;
    const parts = [
        `${port} with ${mode === 'tls' ? 'implicit TLS' : mode === 'starttls' ? 'STARTTLS' : 'no TLS'}`,
    ];
    if (session.tls?.protocol)
        parts.push(session.tls.protocol.replace('TLSv', 'TLS '));
    const days = session.tls?.certificate?.daysUntilExpiry;
    if (days !== undefined)
        parts.push(`certificate valid ${days} more days`);
    if (session.auth?.outcome === 'accepted')
        parts.push(`AUTH ${session.auth.mechanism} accepted`);
    return parts.join(', ');
}
const FAILURE_WORDS = {
    timeout: 'timed out',
    refused: 'was refused',
    unreachable: 'is unreachable',
    dns_error: 'did not resolve',
    reset: 'was reset',
    no_greeting: 'sent no greeting',
    not_smtp: 'is not SMTP',
    rejected: 'rejected the session',
    temporary: 'answered 4xx',
    starttls_unavailable: 'offers no STARTTLS',
    starttls_failed: 'could not start TLS',
    tls_failed: 'failed the TLS handshake',
    auth_failed: 'refused the credentials',
    auth_unavailable: 'offers no usable AUTH',
    auth_withheld: 'was not sent the credentials (server not verified)',
    protocol_error: 'broke the protocol',
    aborted: 'did not finish',
};
function describeFailure(item) {
    const port = item.job.port.port;
    if (!item.result)
        return `${port} was not probed (${item.missing ?? 'no result'})`;
    const status = item.result.status;
    return `${port} ${status === 'ok' ? 'answers but fails the expectations (see findings)' : (FAILURE_WORDS[status] ?? status)}`;
}

;// CONCATENATED MODULE: ./src/judge/verdict.ts
/** Fails when a finding reaches `failOn`: errors by default, warnings too with `warning`, never with `never`. */
function verdict_verdictOf(findings, failOn) {
    const count = (severity) => findings.filter((f) => f.severity === severity).length;
    const errors = count('error');
    const warnings = count('warning');
    const pass = failOn === 'never' || (errors === 0 && (failOn === 'error' || warnings === 0));
    return { pass, failOn, errors, warnings, notices: count('notice') };
}
/** How many findings reach `failOn`: the count that made (or would make) the verdict fail. */
function failingCount(verdict) {
    if (verdict.failOn === 'never')
        return 0;
    return verdict.errors + (verdict.failOn === 'warning' ? verdict.warnings : 0);
}

;// CONCATENATED MODULE: ./src/judge/index.ts








function judge(input) {
    const { jobs, vantages } = input;
    const results = [];
    let findings = [];
    const seenBy = new Map();
    for (const v of vantages) {
        const seen = [];
        seenBy.set(v.label, seen);
        jobs.forEach((job, i) => {
            // A control is evidence about its port: its rows are marked, it is never recommended, and only
            // attribution (egress.ts) judges it.
            const mark = (rows) => job.control ? rows.map((r) => ({ ...r, control: true })) : rows;
            if ('error' in v) {
                if (job.control)
                    return;
                findings.push(vantageFailedFinding(job, v.label, v.kind, v.error));
                seen.push({ job, missing: v.error });
                return;
            }
            const outcome = v.outcomes[i] ?? { kind: 'missing', reason: 'no result for this port in its answer' };
            if (outcome.kind === 'probed') {
                results.push(...mark(toRows(outcome.result, job.target.name, v.label)));
                if (job.control)
                    return;
                findings.push(...judgeProbed({ job, vantage: v.label, result: outcome.result }));
                seen.push({ job, result: outcome.result });
            }
            else if (outcome.kind === 'refused') {
                const at = { target: job.target.name, vantage: v.label, port: job.port.port, mode: job.port.mode };
                results.push(...mark([refusedRow(outcome, at)]));
                findings.push(refusedFinding(job, v.label, outcome.reason, outcome.address ?? null));
                if (!job.control)
                    seen.push({ job, missing: outcome.reason });
            }
            else if (!job.control) {
                findings.push(vantageFailedFinding(job, v.label, v.kind, outcome.reason));
                seen.push({ job, missing: outcome.reason });
            }
        });
    }
    findings = attributeEgress(jobs, vantages, findings);
    findings = softenAlternatives(jobs, vantages.map((v) => v.label), findings, (label, i) => {
        const v = vantages.find((x) => x.label === label);
        const outcome = v && 'outcomes' in v ? v.outcomes[i] : undefined;
        return outcome?.kind === 'probed' && outcome.result.status !== 'aborted';
    });
    const recommendations = vantages.flatMap((v) => recommend(v.label, seenBy.get(v.label) ?? [], findings, (0,vantage_words/* vantageName */.Aq)(v)));
    return { results, findings, recommendations, verdict: verdict_verdictOf(findings, input.failOn) };
}

// EXTERNAL MODULE: ./src/result/model.ts
var model = __nccwpck_require__(8032);
// EXTERNAL MODULE: ./src/version.ts
var version = __nccwpck_require__(311);
// EXTERNAL MODULE: ./src/contract/index.ts + 5 modules
var contract = __nccwpck_require__(2344);
// EXTERNAL MODULE: ./src/probe/index.ts + 22 modules
var probe = __nccwpck_require__(3349);
;// CONCATENATED MODULE: ./src/run/profiles.ts
/**
 * Everything the probe needs for one job, as the contract carries it: the runner probes with exactly
 * this (through contract's profileOptions), and a remote vantage receives it whole.
 */
function profileFor(plan, job) {
    const o = plan.options;
    const { target } = job;
    return {
        timeout: o.timeout,
        connectTimeout: o.connectTimeout,
        greetingTimeout: o.greetingTimeout,
        commandTimeout: o.commandTimeout,
        ...(o.helo ? { helo: o.helo } : {}),
        retries: o.retries,
        tls: {
            ...(o.tls.ca && o.tls.ca.length > 0 ? { ca: o.tls.ca } : {}),
            ...(o.tls.minVersion ? { minVersion: o.tls.minVersion } : {}),
            ...(o.tls.allowUnverifiedAuth ? { allowUnverifiedAuth: true } : {}),
            ...(o.tls.allowPlaintextAuth ? { allowPlaintextAuth: true } : {}),
        },
        ...(target.auth ? { auth: target.auth } : {}),
        ...(target.envelope ? { envelope: target.envelope } : {}),
    };
}

;// CONCATENATED MODULE: ./src/run/here.ts



/** Probes the jobs from this machine, each with the options a remote vantage would get for it. */
async function probeHere(jobs, plan, options = {}) {
    let done = 0;
    return (0,probe/* probeAll */.mQ)(jobs.map((job) => ({
        host: job.target.host,
        port: job.port.port,
        mode: job.port.mode,
        options: (0,contract/* profileOptions */.qG)(profileFor(plan, job)),
    })), {
        concurrency: plan.options.concurrency,
        ...(plan.options.overallTimeout ? { overallTimeout: plan.options.overallTimeout } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.lookup ? { lookup: options.lookup } : {}),
        onDone: (index) => {
            done += 1;
            const job = jobs[index];
            options.onProgress?.(done, jobs.length, job ? `${job.target.name}:${job.port.port}` : '');
        },
    });
}

;// CONCATENATED MODULE: ./src/run/jobs.ts

/**
 * `mx:` targets become one target per MX host (port 25), named after the domain and the host; MX is
 * looked up once, here, so that every vantage probes the same hosts and their rows line up.
 */
async function expandMx(targets, lookup) {
    const expanded = await Promise.all(targets.map(async (target) => {
        if (!target.mx)
            return [target];
        const hosts = await (0,probe/* mxHosts */.Xm)(target.host, lookup);
        return hosts.map((host, i) => ({
            ...target,
            mx: false,
            host,
            name: `${target.name} MX#${i + 1} ${host}`,
        }));
    }));
    return expanded.flat();
}
/** Every target's ports, after MX expansion, in plan order; then every control's, in the same run. */
async function planJobs(plan, lookup) {
    const targets = await expandMx(plan.targets, lookup);
    return [
        ...targets.flatMap((target) => target.ports.map((port) => ({ target, port }))),
        ...(plan.controls ?? []).flatMap((target) => target.ports.map((port) => ({ target, port, control: true }))),
    ];
}

;// CONCATENATED MODULE: ./src/run/remote.ts


/** Jobs per remote invocation: a large plan is split across parallel invocations. */
const CHUNK = 20;
/** Time allowed beyond the request's own deadline for the call itself (cold start, network). */
const CALL_SLACK_MS = 15_000;
/** One request per chunk of jobs, each job pointing at its options sent once per request. */
function requestsFor(jobs, plan) {
    const chunks = [];
    for (let i = 0; i < jobs.length; i += CHUNK)
        chunks.push([...jobs.keys()].slice(i, i + CHUNK));
    return chunks.map((indexes) => {
        const profiles = [];
        const profileIndex = new Map();
        const requestJobs = indexes.map((i) => {
            const job = jobs[i];
            const profile = profileFor(plan, job);
            const key = JSON.stringify(profile);
            let index = profileIndex.get(key);
            if (index === undefined) {
                index = profiles.push(profile) - 1;
                profileIndex.set(key, index);
            }
            return { host: job.target.host, port: job.port.port, mode: job.port.mode, profile: index };
        });
        const concurrency = Math.min(64, plan.options.concurrency);
        const deadlineMs = plan.options.overallTimeout ?? plan.options.timeout * Math.ceil(indexes.length / concurrency);
        return {
            indexes,
            request: { contract: contract/* CONTRACT_VERSION */.Kw, deadlineMs, concurrency, profiles, jobs: requestJobs },
        };
    });
}
/**
 * Asks one remote vantage for every job: an outcome per job (index-aligned), or the one error that
 * kept the vantage from answering at all.
 */
async function askVantage(spec, jobs, plan, invoke, signal) {
    const outcomes = jobs.map(() => ({
        kind: 'missing',
        reason: 'no result for this port in its answer',
    }));
    let facts;
    try {
        await Promise.all(requestsFor(jobs, plan).map(async ({ request, indexes }) => {
            const timeout = AbortSignal.timeout((request.deadlineMs ?? plan.options.timeout) + CALL_SLACK_MS);
            const answer = await invoke(spec, JSON.stringify(request), signal ? AbortSignal.any([signal, timeout]) : timeout);
            for (const { jobs: answered, result } of answer.results) {
                for (const j of answered) {
                    const i = indexes[j];
                    if (i !== undefined)
                        outcomes[i] = { kind: 'probed', result };
                }
            }
            for (const refusal of answer.refused) {
                for (const j of refusal.jobs) {
                    const i = indexes[j];
                    if (i !== undefined) {
                        outcomes[i] = {
                            kind: 'refused',
                            host: refusal.host,
                            ...(refusal.address ? { address: refusal.address } : {}),
                            reason: refusal.reason,
                        };
                    }
                }
            }
            facts = answer.vantage;
        }));
    }
    catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
    }
    return facts ? { outcomes, facts } : { outcomes };
}

;// CONCATENATED MODULE: ./src/run/pipeline.ts
/**
 * The one pipeline: plan → jobs → probed here or asked of remote vantages, all at once → every
 * vantage judged with the same rules, once → the Report. Every entry point runs this.
 */






/**
 * The cloud clients, loaded only for a run with a remote vantage of their cloud: each brings its SDK
 * along (the AWS SDK; google-auth-library, and that only when a token must be minted).
 */
function cloudInvoke(options) {
    return async (spec, body, signal) => {
        if (spec.kind === 'gcp') {
            const { invokeGcp } = await __nccwpck_require__.e(/* import() */ 203).then(__nccwpck_require__.bind(__nccwpck_require__, 203));
            return invokeGcp(spec, body, signal, options.gcpIdToken);
        }
        const clients = await Promise.all(/* import() */[__nccwpck_require__.e(860), __nccwpck_require__.e(187), __nccwpck_require__.e(58)]).then(__nccwpck_require__.bind(__nccwpck_require__, 3058));
        if (spec.kind === 'aws-lambda')
            return clients.invokeLambda(spec, body, signal);
        return clients.invokeFunctionUrl(spec, body, signal);
    };
}
async function runPlan(plan, options = {}) {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const jobs = await planJobs(plan, options.resolveMx);
    const invoke = options.invoke ?? cloudInvoke(options);
    const answers = await Promise.all(plan.vantages.map(async (spec) => {
        const head = { label: spec.label, kind: spec.kind };
        if (spec.kind === 'runner') {
            const results = await probeHere(jobs, plan, options);
            const runner = plan.runner ? { runner: plan.runner } : {};
            // What the runner is, beside what remote vantages say about themselves.
            const facts = plan.runner
                ? {
                    facts: {
                        provider: plan.runner,
                        runtime: `node ${process.version}`,
                        architecture: process.arch,
                    },
                }
                : {};
            return {
                answer: { ...head, ...runner, outcomes: results.map((result) => ({ kind: 'probed', result })) },
                report: { ...head, ...facts },
            };
        }
        const remote = spec;
        const region = { region: remote.region };
        const asked = await askVantage(remote, jobs, plan, invoke, options.signal);
        if ('error' in asked)
            return {
                answer: { ...head, error: asked.error },
                report: { ...head, ...region, error: asked.error },
            };
        return {
            answer: { ...head, outcomes: asked.outcomes },
            report: { ...head, ...region, ...(asked.facts ? { facts: asked.facts } : {}) },
        };
    }));
    const judged = judge({ jobs, vantages: answers.map((a) => a.answer), failOn: plan.failOn });
    return {
        schemaVersion: model/* SCHEMA_VERSION */.f$,
        tool: { name: 'smtp-port-probe', version: version/* VERSION */.x },
        startedAt,
        durationMs: Math.round(performance.now() - started),
        ...(plan.configFile ? { configFile: plan.configFile } : {}),
        vantages: answers.map((a) => a.report),
        ...judged,
    };
}


/***/ }),

/***/ 311:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   x: () => (/* binding */ VERSION)
/* harmony export */ });
/** The tool's version, kept equal to package.json's by a test (bundles cannot read package.json). */
const VERSION = '0.1.0';


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 3311:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 7830:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/web");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 932:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("process");

/***/ }),

/***/ 1099:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("querystring");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 2018:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tty");

/***/ }),

/***/ 7016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 1404:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 8167:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("worker_threads");

/***/ }),

/***/ 9691:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  YOg: () => (/* binding */ array),
  zMY: () => (/* binding */ schemas_boolean),
  k5n: () => (/* binding */ schemas_enum),
  euz: () => (/* binding */ literal),
  aig: () => (/* binding */ schemas_number),
  Ikc: () => (/* binding */ object),
  jgl: () => (/* binding */ partialRecord),
  g1P: () => (/* binding */ record),
  rej: () => (/* binding */ strictObject),
  YjP: () => (/* binding */ schemas_string),
  KCZ: () => (/* binding */ union)
});

// UNUSED EXPORTS: ZodAny, ZodArray, ZodBase64, ZodBase64URL, ZodBigInt, ZodBigIntFormat, ZodBoolean, ZodCIDRv4, ZodCIDRv6, ZodCUID, ZodCUID2, ZodCatch, ZodCodec, ZodCreditCard, ZodCustom, ZodCustomStringFormat, ZodDate, ZodDefault, ZodDiscriminatedUnion, ZodE164, ZodEmail, ZodEmoji, ZodEnum, ZodExactOptional, ZodFile, ZodFunction, ZodGUID, ZodIBAN, ZodIPv4, ZodIPv6, ZodISODate, ZodISODateTime, ZodISODuration, ZodISOTime, ZodInstanceOf, ZodIntersection, ZodJWT, ZodKSUID, ZodLazy, ZodLiteral, ZodMAC, ZodMap, ZodNaN, ZodNanoID, ZodNever, ZodNonOptional, ZodNull, ZodNullable, ZodNumber, ZodNumberFormat, ZodObject, ZodOptional, ZodPipe, ZodPrefault, ZodPreprocess, ZodPromise, ZodReadonly, ZodRecord, ZodSet, ZodString, ZodStringFormat, ZodSuccess, ZodSymbol, ZodTemplateLiteral, ZodTransform, ZodTuple, ZodType, ZodULID, ZodURL, ZodUUID, ZodUndefined, ZodUnion, ZodUnknown, ZodVoid, ZodXID, ZodXor, _ZodString, _default, _function, any, base64, base64url, bigint, catch, check, cidrv4, cidrv6, codec, creditCard, cuid, cuid2, currencyCode, custom, date, describe, discriminatedUnion, e164, email, emoji, exactOptional, file, float32, float64, function, guid, hash, hex, hostname, httpUrl, iban, instanceof, int, int32, int64, intersection, invertCodec, ipv4, ipv6, json, jwt, keyof, ksuid, lazy, looseObject, looseRecord, mac, map, meta, nan, nanoid, nativeEnum, never, nonoptional, null, nullable, nullish, optional, pipe, prefault, preprocess, promise, readonly, refine, set, stringFormat, stringbool, success, superRefine, symbol, templateLiteral, transform, tuple, uint32, uint64, ulid, undefined, unknown, url, uuid, uuidv4, uuidv6, uuidv7, void, xid, xor

// EXTERNAL MODULE: ./node_modules/zod/v4/core/core.js
var core_core = __nccwpck_require__(8532);
// EXTERNAL MODULE: ./node_modules/zod/v4/core/util.js
var core_util = __nccwpck_require__(4723);
;// CONCATENATED MODULE: ./node_modules/zod/v4/core/memoizer.js

class $ZodCyclicError extends Error {
    constructor() {
        super(`Cannot parse a reference cycle that closes through a transform`);
        this.name = "ZodCyclicError";
    }
}
/** Keyed off the context object every schema in one parse call already shares. */
const STATE = "~memo";
const NO_ISSUES = [];
// a value a cycle can close through
function isRef(value) {
    return value !== null && typeof value === "object";
}
// Receivers prefix paths in place, so the cache and every hand-out need their own copies.
function cloneIssues(issues) {
    return issues.map((iss) => (iss.path ? { ...iss, path: iss.path.slice() } : { ...iss }));
}
const recursive = /*@__PURE__*/ new WeakMap();
/** What the walk established, in order of certainty: ordered so the strongest answer among children wins. */
const NONE = 0;
const ASSUMED = 1;
const PROVEN = 2;
/** Whether this schema's subtree contains a cycle, so one parse can re-enter it. */
function isRecursive(inst, stack, resolve) {
    const cached = recursive.get(inst);
    if (cached !== undefined)
        return cached ? PROVEN : NONE;
    // Relative to the walk in progress, so not cached.
    if (stack.has(inst))
        return PROVEN;
    stack.add(inst);
    let result = NONE;
    const check = (child) => {
        if (result !== PROVEN && child?._zod) {
            const answer = isRecursive(child, stack, resolve);
            if (answer > result)
                result = answer;
        }
    };
    // `Reflect.ownKeys` rather than `Object.keys`, so a cycle through a declared symbol key is still seen
    const shape = (sh, spread) => {
        let answer = NONE;
        for (const key of Reflect.ownKeys(sh)) {
            const desc = Object.getOwnPropertyDescriptor(sh, key);
            // an object resolves its shape by spread, so a key it does not enumerate is never parsed; `z.properties` reads every own key and so keeps them all
            if (spread && !desc.enumerable)
                continue;
            // resolving runs user code, and a factory mints a fresh subtree per read, so an edge the walk can't follow counts as a cycle
            const child = desc.get ? ASSUMED : desc.value?._zod ? isRecursive(desc.value, stack, resolve) : NONE;
            if (child > answer)
                answer = child;
        }
        return answer;
    };
    const merge = (answer) => {
        if (answer > result)
            result = answer;
    };
    const def = inst._zod.def;
    const kind = def.type;
    switch (kind) {
        case "object": {
            const raw = core_util/* rawShape */.MO(def);
            // a def with no raw shape answers `shape` from an accessor of its own, and running that can mint a whole fresh subtree
            merge(raw ? shape(raw, true) : ASSUMED);
            check(def.catchall);
            break;
        }
        case "array":
            check(def.element);
            break;
        case "tuple":
            for (const el of def.items)
                check(el);
            check(def.rest);
            break;
        case "record":
        case "map":
            check(def.keyType);
            check(def.valueType);
            break;
        case "set":
            check(def.valueType);
            break;
        case "union":
            for (const el of def.options)
                check(el);
            break;
        case "intersection":
            check(def.left);
            check(def.right);
            break;
        case "optional":
        case "nullable":
        case "default":
        case "prefault":
        case "catch":
        case "readonly":
        case "nonoptional":
        case "promise":
        case "success":
            check(def.innerType);
            break;
        case "pipe":
            check(def.in);
            check(def.out);
            break;
        case "function":
            check(def.input);
            check(def.output);
            break;
        // `$ZodLazy` caches its inner on the def, so a resolved edge is followed exactly
        case "lazy": {
            const inner = def._cachedInner ?? (resolve ? inst._zod.innerType : undefined);
            // walked with resolution off: one hop sees past the deferral, and a lazy that yields only another unresolved lazy is generative, so it stops there
            merge(inner ? isRecursive(inner, stack, false) : ASSUMED);
            break;
        }
        // a leaf by choice: `parts` are regex fragments, not data positions
        case "template_literal":
        // leaves
        case "string":
        case "number":
        case "int":
        case "boolean":
        case "bigint":
        case "symbol":
        case "undefined":
        case "null":
        case "void":
        case "never":
        case "any":
        case "unknown":
        case "date":
        case "nan":
        case "enum":
        case "literal":
        case "file":
        case "transform":
        case "custom":
            break;
        default: {
            // a new built-in kind becomes a compile error here
            kind;
            // a user-defined kind can still hold children, and only its author knows where, so fall back to scanning the def — skipping accessors, since reading one can run user code
            for (const key in def) {
                const desc = Object.getOwnPropertyDescriptor(def, key);
                if (!desc || desc.get)
                    continue;
                const value = desc.value;
                if (!value || typeof value !== "object")
                    continue;
                if (value._zod)
                    check(value);
                else if (Array.isArray(value))
                    for (const el of value)
                        check(el);
            }
        }
    }
    stack.delete(inst);
    return settle(inst, result);
}
/** An assumed answer must not outlive the resolution that settles it, so only a certain one is cached. */
function settle(inst, answer) {
    if (answer !== ASSUMED)
        recursive.set(inst, answer === PROVEN);
    return answer;
}
/**
 * Whether one parse can re-enter this schema, i.e. its subtree contains a cycle.
 * Exported for `z.compile`, which refuses to compile such a schema: cycle
 * breaking is driven from here off state keyed on the parse context, and a
 * generated fast path has no context to key on.
 */
function isRecursiveSchema(inst) {
    // z.compile never parses, so nothing would ever resolve a lazy for it; it runs once and already treats a throw here as recursive
    return isRecursive(inst, new Set(), true) !== NONE;
}
function bucketFor(state, inst) {
    let bucket = state.buckets.get(inst);
    if (!bucket) {
        bucket = new WeakMap();
        state.buckets.set(inst, bucket);
    }
    return bucket;
}
// Set immediately before delegating to core and cleared immediately after, so `alloc` registers only for a visit this module is driving.
let handoff;
// Allocated but unfinished entries. `alloc` and the matching pop both happen in the synchronous part of a parse, so they nest even when children are async, and one stack serves every schema.
const memoizer_open = [];
const memo = {
    alloc(_inst, payload, empty) {
        const bucket = handoff;
        if (!bucket)
            return empty;
        handoff = undefined;
        const entry = { value: empty, issues: null };
        bucket.set(payload.value, entry);
        memoizer_open.push(entry);
        return empty;
    },
    guard(inst) {
        var _a;
        (_a = inst._zod).deferred ?? (_a.deferred = []);
        inst._zod.deferred.push(() => {
            const base = inst._zod.parse;
            const wrapped = (payload, ctx) => {
                // The value is a placeholder a back-edge is still waiting on, so the cycle closes through this transform. Its output can't exist in time to bind.
                if (ctx.direction !== "backward" && isBackEdge(ctx, payload.value))
                    throw new $ZodCyclicError();
                return base(payload, ctx);
            };
            inst._zod.parse = wrapped;
            if (inst._zod.run === base)
                inst._zod.run = wrapped;
        });
    },
    attach(inst) {
        var _a;
        let isRecursiveInst;
        let rechecked = false;
        // a recursive schema is re-entered many times per parse and its bucket never changes
        let lastCtx;
        let lastBucket;
        // Wraps `parse` in a deferred so it sees the container's final parse. Core's own deferred copies `parse` into `run` when there are no checks, and it ran first, so `run` is patched to match; with checks, `run` reads `parse` dynamically.
        (_a = inst._zod).deferred ?? (_a.deferred = []);
        inst._zod.deferred.push(() => {
            const base = inst._zod.parse;
            const wrapped = (payload, ctx) => {
                if (isRecursiveInst === undefined) {
                    const walked = isRecursive(inst, new Set(), false);
                    if (walked === NONE) {
                        // Nothing here can ever fire, so take it back out.
                        inst._zod.parse = base;
                        if (inst._zod.run === wrapped)
                            inst._zod.run = base;
                        return base(payload, ctx);
                    }
                    // this parse resolves the deferred edges on its own path, so ask once more before latching
                    if (walked === PROVEN || rechecked)
                        isRecursiveInst = true;
                    else
                        rechecked = true;
                }
                const input = payload.value;
                if (!isRef(input))
                    return base(payload, ctx);
                let state = ctx[STATE];
                if (!state) {
                    state = { buckets: new WeakMap(), backEdges: undefined };
                    ctx[STATE] = state;
                }
                let bucket;
                if (lastCtx === ctx) {
                    bucket = lastBucket;
                }
                else {
                    bucket = bucketFor(state, inst);
                    lastCtx = ctx;
                    lastBucket = bucket;
                }
                const hit = bucket.get(input);
                if (hit) {
                    payload.value = hit.value;
                    if (hit.issues) {
                        if (hit.issues.length)
                            payload.issues.push(...cloneIssues(hit.issues));
                    }
                    else {
                        // Still being parsed: its own checks cover it, so skip them here.
                        payload.memo = true;
                        state.backEdges ?? (state.backEdges = new WeakSet());
                        state.backEdges.add(hit.value);
                    }
                    return payload;
                }
                handoff = bucket;
                const depth = memoizer_open.length;
                const result = base(payload, ctx);
                handoff = undefined;
                // A container that rejected its input outright allocated nothing.
                const entry = memoizer_open.length > depth ? memoizer_open.pop() : undefined;
                // Both paths written out so the sync one allocates no closure. It runs once per node, and capturing here cost more than everything else combined.
                if (result instanceof Promise) {
                    return result.then((r) => {
                        if (entry)
                            entry.issues = r.issues.length ? cloneIssues(r.issues) : NO_ISSUES;
                        return r;
                    });
                }
                if (entry)
                    entry.issues = result.issues.length ? cloneIssues(result.issues) : NO_ISSUES;
                return result;
            };
            inst._zod.parse = wrapped;
            if (inst._zod.run === base)
                inst._zod.run = wrapped;
        });
    },
};
/** The memoizer that gives containers cycle support. `zod` installs it by default; `zod/mini` opts in with `config({ memoizer: memoizer() })`. */
function memoizer() {
    return memo;
}
/** Whether this value is a node a back-edge resolved to before it finished. */
function isBackEdge(ctx, value) {
    const backEdges = ctx[STATE]?.backEdges;
    return backEdges !== undefined && isRef(value) && backEdges.has(value);
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/regexes.js

/**
 * @deprecated CUID v1 is deprecated by its authors due to information leakage
 * (timestamps embedded in the id). Use {@link cuid2} instead.
 * See https://github.com/paralleldrive/cuid.
 */
const cuid = /^[cC][0-9a-z]{6,}$/;
const cuid2 = /^[0-9a-z]+$/;
const ulid = /^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/;
const xid = /^[0-9a-vA-V]{20}$/;
const ksuid = /^[A-Za-z0-9]{27}$/;
const nanoid = /^[a-zA-Z0-9_-]{21}$/;
function nanoidOfLength(length) {
    return new RegExp(`^[a-zA-Z0-9_-]{${length}}$`);
}
/** ISO 8601-1 duration regex. Does not support the 8601-2 extensions like negative durations or fractional/negative components. */
const duration = /^P(?:(\d+W)|(?!.*W)(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?)$/;
/** Implements ISO 8601-2 extensions like explicit +- prefixes, mixing weeks with other units, and fractional/negative components. */
const extendedDuration = /^[-+]?P(?!$)(?:(?:[-+]?\d+Y)|(?:[-+]?\d+[.,]\d+Y$))?(?:(?:[-+]?\d+M)|(?:[-+]?\d+[.,]\d+M$))?(?:(?:[-+]?\d+W)|(?:[-+]?\d+[.,]\d+W$))?(?:(?:[-+]?\d+D)|(?:[-+]?\d+[.,]\d+D$))?(?:T(?=[\d+-])(?:(?:[-+]?\d+H)|(?:[-+]?\d+[.,]\d+H$))?(?:(?:[-+]?\d+M)|(?:[-+]?\d+[.,]\d+M$))?(?:[-+]?\d+(?:[.,]\d+)?S)?)??$/;
/** A regex for any UUID-like identifier: 8-4-4-4-12 hex pattern */
const guid = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
/** Returns a regex for validating an RFC 9562/4122 UUID.
 *
 * @param version Optionally specify a version 1-8. If no version is specified, all versions are supported. */
const uuid = (version) => {
    if (!version)
        return /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;
    return new RegExp(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-${version}[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$`);
};
const uuid4 = /*@__PURE__*/ (/* unused pure expression or super */ null && (uuid(4)));
const uuid6 = /*@__PURE__*/ (/* unused pure expression or super */ null && (uuid(6)));
const uuid7 = /*@__PURE__*/ (/* unused pure expression or super */ null && (uuid(7)));
/** Practical email validation */
const email = /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/;
/** Equivalent to the HTML5 input[type=email] validation implemented by browsers. Source: https://developer.mozilla.org/en-US/docs/Web/HTML/Element/input/email */
const html5Email = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
/** The classic emailregex.com regex for RFC 5322-compliant emails */
const rfc5322Email = /^(([^<>()\[\]\\.,;:\s@"]+(\.[^<>()\[\]\\.,;:\s@"]+)*)|(".+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$/;
/** A loose regex that allows Unicode characters, enforces length limits, and that's about it. */
const unicodeEmail = /^[^\s@"]{1,64}@[^\s@]{1,255}$/u;
const idnEmail = (/* unused pure expression or super */ null && (unicodeEmail));
const browserEmail = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
// from https://thekevinscott.com/emojis-in-javascript/#writing-a-regular-expression
// Single character class, not an alternation: the two properties overlap (U+1F9B0-U+1F9B3), so `(A|B)+` backtracks exponentially on a failed match. The leading lookahead then demands one anchor — a pictograph, a regional indicator, or the enclosing keycap — because `\p{Emoji_Component}` on its own covers ASCII digits, `#`, `*`, ZWJ, variation selectors and skin tone modifiers, none of which is an emoji without a base.
const _emoji = `^(?=[\\s\\S]*[\\p{Extended_Pictographic}\\p{Regional_Indicator}\\u20E3])[\\p{Extended_Pictographic}\\p{Emoji_Component}]+$`;
function emoji() {
    return new RegExp(_emoji, "u");
}
const ipv4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$/;
const ipv6 = /^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:))$/;
const mac = (delimiter) => {
    const escapedDelim = util.escapeRegex(delimiter ?? ":");
    return new RegExp(`^(?:[0-9A-F]{2}${escapedDelim}){5}[0-9A-F]{2}$|^(?:[0-9a-f]{2}${escapedDelim}){5}[0-9a-f]{2}$`);
};
const cidrv4 = /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\/([0-9]|[1-2][0-9]|3[0-2])$/;
const cidrv6 = /^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:))\/(12[0-8]|1[01][0-9]|[1-9]?[0-9])$/;
// https://stackoverflow.com/questions/7860392/determine-if-string-is-in-base64-using-javascript
const base64 = /^$|^(?:[0-9a-zA-Z+/]{4})*(?:(?:[0-9a-zA-Z+/]{2}==)|(?:[0-9a-zA-Z+/]{3}=))?$/;
const base64url = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$/;
// based on https://stackoverflow.com/questions/106179/regular-expression-to-match-dns-hostname-or-ip-address
// export const hostname: RegExp = /^([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+$/;
const hostname = /^(?=.{1,253}\.?$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-0-9a-zA-Z]{0,61}[0-9a-zA-Z])?)*\.?$/;
const domain = /^(?=.{1,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/;
const httpProtocol = /^https?$/;
// https://blog.stevenlevithan.com/archives/validate-phone-number#r4-3 (regex sans spaces) E.164: leading digit must be 1-9; total digits (excluding '+') between 7-15
const e164 = /^\+[1-9]\d{6,14}$/;
// Credit card shape: 12–19 digits, optionally separated by single spaces or single hyphens. ISO/IEC 7812 caps the PAN at 19 digits; 12 is the shortest issued length (Maestro).
const creditCard = /^\d(?:[ -]?\d){11,18}$/;
// ISO 4217 alpha codes from the SIX list, regenerated by scripts/update-iso-4217.ts
const currencyCode = /^(?:AED|AFN|ALL|AMD|AOA|ARS|AUD|AWG|AZN|BAM|BBD|BDT|BHD|BIF|BMD|BND|BOB|BOV|BRL|BSD|BTN|BWP|BYN|BZD|CAD|CDF|CHE|CHF|CHW|CLF|CLP|CNY|COP|COU|CRC|CUP|CVE|CZK|DJF|DKK|DOP|DZD|EGP|ERN|ETB|EUR|FJD|FKP|GBP|GEL|GHS|GIP|GMD|GNF|GTQ|GYD|HKD|HNL|HTG|HUF|IDR|ILS|INR|IQD|IRR|ISK|JMD|JOD|JPY|KES|KGS|KHR|KMF|KPW|KRW|KWD|KYD|KZT|LAK|LBP|LKR|LRD|LSL|LYD|MAD|MDL|MGA|MKD|MMK|MNT|MOP|MRU|MUR|MVR|MWK|MXN|MXV|MYR|MZN|NAD|NGN|NIO|NOK|NPR|NZD|OMR|PAB|PEN|PGK|PHP|PKR|PLN|PYG|QAR|RON|RSD|RUB|RWF|SAR|SBD|SCR|SDG|SEK|SGD|SHP|SLE|SOS|SRD|SSP|STN|SVC|SYP|SZL|THB|TJS|TMT|TND|TOP|TRY|TTD|TWD|TZS|UAH|UGX|USD|USN|UYI|UYU|UYW|UZS|VED|VES|VND|VUV|WST|XAD|XAF|XAG|XAU|XBA|XBB|XBC|XBD|XCD|XCG|XDR|XOF|XPD|XPF|XPT|XSU|XTS|XUA|XXX|YER|ZAR|ZMW|ZWG)$/;
// iban electronic format: 2-letter country, check digits 02-98 (the only values `98 - remainder` can produce), 11-30 bban characters
const iban = /^[A-Z]{2}(?!00|01|99)\d{2}[A-Z0-9]{11,30}$/;
const dateSource = `(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))`;
/** Anchors a pattern source. The interpolation lives here rather than at the call site because
 * esbuild will not drop a `@__PURE__` call whose own argument interpolates a variable, but it
 * will drop `anchor(dateSource)`. Keeping it inline pinned `date` into every bundle. */
function regexes_anchor(source) {
    return new RegExp(`^${source}$`);
}
const date = /*@__PURE__*/ regexes_anchor(dateSource);
function timeSource(args) {
    const hhmm = `(?:[01]\\d|2[0-3]):[0-5]\\d`;
    const regex = typeof args.precision === "number"
        ? args.precision === -1
            ? `${hhmm}`
            : args.precision === 0
                ? `${hhmm}:[0-5]\\d`
                : `${hhmm}:[0-5]\\d\\.\\d{${args.precision}}`
        : args.seconds
            ? `${hhmm}:[0-5]\\d(?:\\.\\d+)?`
            : `${hhmm}(?::[0-5]\\d(?:\\.\\d+)?)?`;
    return regex;
}
function time(args) {
    return new RegExp(`^${timeSource(args)}$`);
}
// Adapted from https://stackoverflow.com/a/3143231
function datetime(args) {
    const opts = ["Z"];
    // if (args.offset) opts.push(`([+-]\\d{2}:\\d{2})`);
    if (args.offset)
        opts.push(`([+-](?:[01]\\d|2[0-3]):[0-5]\\d)`);
    // RFC 3339 mandates seconds wherever the time carries a `Z` or an offset, so only the unqualified form `local` adds may omit them
    const qualified = `${timeSource({ precision: args.precision, seconds: true })}(?:${opts.join("|")})`;
    const timeRegex = args.local ? `${qualified}|${timeSource({ precision: args.precision })}` : qualified;
    return new RegExp(`^${dateSource}T(?:${timeRegex})$`);
}
// the unbounded form of `string()` as a literal, so every plain string shares one instance instead of building its own
const anyString = /^[\s\S]{0,}$/;
const string = (params) => {
    const regex = params ? `[\\s\\S]{${params?.minimum ?? 0},${params?.maximum ?? ""}}` : `[\\s\\S]*`;
    return new RegExp(`^${regex}$`);
};
const bigint = /^-?\d+n?$/;
const integer = /^-?\d+$/;
const number = /^-?\d+(?:\.\d+)?$/;
const regexes_boolean = /^(?:true|false)$/i;
const _null = /^null$/i;

const _undefined = /^undefined$/i;

// regex for string with no uppercase letters
const lowercase = /^[^A-Z]*$/;
// regex for string with no lowercase letters
const uppercase = /^[^a-z]*$/;
// regex for hexadecimal strings (any length)
const hex = /^[0-9a-fA-F]*$/;
// Hash regexes for different algorithms and encodings
// Helper function to create base64 regex with exact length and padding
function fixedBase64(bodyLength, padding) {
    return new RegExp(`^[A-Za-z0-9+/]{${bodyLength}}${padding}$`);
}
// Helper function to create base64url regex with exact length (no padding)
function fixedBase64url(length) {
    return new RegExp(`^[A-Za-z0-9_-]{${length}}$`);
}
// MD5 (16 bytes): base64 = 24 chars total (22 + "==")
const md5_hex = /^[0-9a-fA-F]{32}$/;
const md5_base64 = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64(22, "==")));
const md5_base64url = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64url(22)));
// SHA1 (20 bytes): base64 = 28 chars total (27 + "=")
const sha1_hex = /^[0-9a-fA-F]{40}$/;
const sha1_base64 = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64(27, "=")));
const sha1_base64url = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64url(27)));
// SHA256 (32 bytes): base64 = 44 chars total (43 + "=")
const sha256_hex = /^[0-9a-fA-F]{64}$/;
const sha256_base64 = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64(43, "=")));
const sha256_base64url = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64url(43)));
// SHA384 (48 bytes): base64 = 64 chars total (no padding)
const sha384_hex = /^[0-9a-fA-F]{96}$/;
const sha384_base64 = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64(64, "")));
const sha384_base64url = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64url(64)));
// SHA512 (64 bytes): base64 = 88 chars total (86 + "==")
const sha512_hex = /^[0-9a-fA-F]{128}$/;
const sha512_base64 = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64(86, "==")));
const sha512_base64url = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64url(86)));

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/checks.js
// import { $ZodType } from "./schemas.js";



const $ZodCheck = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheck", (inst, def) => {
    var _a;
    inst._zod ?? (inst._zod = {});
    inst._zod.def = def;
    (_a = inst._zod).onattach ?? (_a.onattach = []);
});
/** Default `when` for size-based checks: run only on non-nullish values with a `size`. */
const _whenHasSize = (payload) => {
    const val = payload.value;
    return !util.nullish(val) && val.size !== undefined;
};
/** Default `when` for length-based checks: run only on non-nullish values with a `length`. */
const _whenHasLength = (payload) => {
    const val = payload.value;
    return !core_util/* nullish */.cl(val) && val.length !== undefined;
};
const numericOriginMap = {
    number: "number",
    bigint: "bigint",
    object: "date",
};
const $ZodCheckLessThan = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckLessThan", (inst, def) => {
    $ZodCheck.init(inst, def);
    const origin = numericOriginMap[typeof def.value];
    inst._zod.check = (payload) => {
        if (def.inclusive ? payload.value <= def.value : payload.value < def.value) {
            return;
        }
        payload.issues.push({
            origin: numericOriginMap[typeof payload.value] ?? origin,
            code: "too_big",
            maximum: typeof def.value === "object" ? def.value.getTime() : def.value,
            input: payload.value,
            inclusive: def.inclusive,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckGreaterThan = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckGreaterThan", (inst, def) => {
    $ZodCheck.init(inst, def);
    const origin = numericOriginMap[typeof def.value];
    inst._zod.check = (payload) => {
        if (def.inclusive ? payload.value >= def.value : payload.value > def.value) {
            return;
        }
        payload.issues.push({
            origin: numericOriginMap[typeof payload.value] ?? origin,
            code: "too_small",
            minimum: typeof def.value === "object" ? def.value.getTime() : def.value,
            input: payload.value,
            inclusive: def.inclusive,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckMultipleOf = 
/*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckMultipleOf", (inst, def) => {
    $ZodCheck.init(inst, def);
    inst._zod.check = (payload) => {
        if (typeof payload.value !== typeof def.value)
            throw new Error("Cannot mix number and bigint in multiple_of check.");
        const isMultiple = typeof payload.value === "bigint"
            ? // `value % 0n` throws, and nothing is a multiple of zero — the number branch already fails this way via NaN
                def.value !== BigInt(0) && payload.value % def.value === BigInt(0)
            : core_util/* floatSafeRemainder */.LG(payload.value, def.value) === 0;
        if (isMultiple)
            return;
        payload.issues.push({
            origin: typeof payload.value,
            code: "not_multiple_of",
            divisor: def.value,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckNumberFormat = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckNumberFormat", (inst, def) => {
    $ZodCheck.init(inst, def); // no format checks
    def.format = def.format || "float64";
    const isInt = def.format?.includes("int");
    const origin = isInt ? "int" : "number";
    const [minimum, maximum] = core_util/* NUMBER_FORMAT_RANGES */.zH[def.format];
    inst._zod.check = (payload) => {
        const input = payload.value;
        if (isInt) {
            if (!Number.isInteger(input)) {
                // invalid_format issue
                // payload.issues.push({
                //   expected: def.format,
                //   format: def.format,
                //   code: "invalid_format",
                //   input,
                //   inst,
                // });
                // invalid_type issue
                payload.issues.push({
                    expected: origin,
                    format: def.format,
                    code: "invalid_type",
                    continue: false,
                    input,
                    inst,
                });
                return;
                // not_multiple_of issue
                // payload.issues.push({
                //   code: "not_multiple_of",
                //   origin: "number",
                //   input,
                //   inst,
                //   divisor: 1,
                // });
            }
            if (!Number.isSafeInteger(input)) {
                if (input > 0) {
                    // too_big
                    payload.issues.push({
                        input,
                        code: "too_big",
                        maximum: Number.MAX_SAFE_INTEGER,
                        note: "Integers must be within the safe integer range.",
                        inst,
                        origin,
                        inclusive: true,
                        continue: !def.abort,
                    });
                }
                else {
                    // too_small
                    payload.issues.push({
                        input,
                        code: "too_small",
                        minimum: Number.MIN_SAFE_INTEGER,
                        note: "Integers must be within the safe integer range.",
                        inst,
                        origin,
                        inclusive: true,
                        continue: !def.abort,
                    });
                }
                return;
            }
        }
        if (input < minimum) {
            payload.issues.push({
                origin: "number",
                input,
                code: "too_small",
                minimum,
                inclusive: true,
                inst,
                continue: !def.abort,
            });
        }
        if (input > maximum) {
            payload.issues.push({
                origin: "number",
                input,
                code: "too_big",
                maximum,
                inclusive: true,
                inst,
                continue: !def.abort,
            });
        }
    };
});
const $ZodCheckBigIntFormat = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckBigIntFormat", (inst, def) => {
    $ZodCheck.init(inst, def); // no format checks
    const [minimum, maximum] = util.BIGINT_FORMAT_RANGES[def.format];
    inst._zod.check = (payload) => {
        const input = payload.value;
        if (input < minimum) {
            payload.issues.push({
                origin: "bigint",
                input,
                code: "too_small",
                minimum: minimum,
                inclusive: true,
                inst,
                continue: !def.abort,
            });
        }
        if (input > maximum) {
            payload.issues.push({
                origin: "bigint",
                input,
                code: "too_big",
                maximum,
                inclusive: true,
                inst,
                continue: !def.abort,
            });
        }
    };
})));
const $ZodCheckMaxSize = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckMaxSize", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasSize);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const size = input.size;
        if (size <= def.maximum)
            return;
        payload.issues.push({
            origin: util.getSizableOrigin(input),
            code: "too_big",
            maximum: def.maximum,
            inclusive: true,
            input,
            inst,
            continue: !def.abort,
        });
    };
})));
const $ZodCheckMinSize = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckMinSize", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasSize);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const size = input.size;
        if (size >= def.minimum)
            return;
        payload.issues.push({
            origin: util.getSizableOrigin(input),
            code: "too_small",
            minimum: def.minimum,
            inclusive: true,
            input,
            inst,
            continue: !def.abort,
        });
    };
})));
const $ZodCheckSizeEquals = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckSizeEquals", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasSize);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const size = input.size;
        if (size === def.size)
            return;
        const tooBig = size > def.size;
        payload.issues.push({
            origin: util.getSizableOrigin(input),
            ...(tooBig ? { code: "too_big", maximum: def.size } : { code: "too_small", minimum: def.size }),
            inclusive: true,
            exact: true,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
})));
const $ZodCheckMaxLength = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckMaxLength", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasLength);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const units = input.length;
        // Strings are measured in Unicode code points, not UTF-16 units. A code point is at most two units, so a string that already fits in units fits in code points; only an overflow has to be counted.
        const length = typeof input === "string" && units > def.maximum ? core_util/* codePointLength */.O7(input) : units;
        if (length <= def.maximum)
            return;
        const origin = core_util/* getLengthableOrigin */.Rc(input);
        payload.issues.push({
            origin,
            code: "too_big",
            maximum: def.maximum,
            inclusive: true,
            input,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckMinLength = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckMinLength", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasLength);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const units = input.length;
        // A code point is one or two UTF-16 units, so fewer units than the floor can never reach it and twice the floor always clears it. Only in between is the exact count in doubt.
        const length = typeof input === "string" && units >= def.minimum && units < def.minimum * 2
            ? core_util/* codePointLength */.O7(input)
            : units;
        if (length >= def.minimum)
            return;
        const origin = core_util/* getLengthableOrigin */.Rc(input);
        payload.issues.push({
            origin,
            code: "too_small",
            minimum: def.minimum,
            inclusive: true,
            input,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckLengthEquals = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckLengthEquals", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasLength);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const units = input.length;
        // A code point is one or two UTF-16 units, so outside `[length, length * 2]` units the target is missed either way — and missed in the same direction in both measures.
        const length = typeof input === "string" && units >= def.length && units <= def.length * 2
            ? core_util/* codePointLength */.O7(input)
            : units;
        if (length === def.length)
            return;
        const origin = core_util/* getLengthableOrigin */.Rc(input);
        const tooBig = length > def.length;
        payload.issues.push({
            origin,
            ...(tooBig ? { code: "too_big", maximum: def.length } : { code: "too_small", minimum: def.length }),
            inclusive: true,
            exact: true,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckStringFormat = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckStringFormat", (inst, def) => {
    var _a, _b;
    $ZodCheck.init(inst, def);
    if (def.pattern)
        (_a = inst._zod).check ?? (_a.check = (payload) => {
            def.pattern.lastIndex = 0;
            if (def.pattern.test(payload.value))
                return;
            payload.issues.push({
                origin: "string",
                code: "invalid_format",
                format: def.format,
                input: payload.value,
                ...(def.pattern ? { pattern: def.pattern.toString() } : {}),
                inst,
                continue: !def.abort,
            });
        });
    else
        (_b = inst._zod).check ?? (_b.check = () => { });
});
const $ZodCheckRegex = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckRegex", (inst, def) => {
    $ZodCheckStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        def.pattern.lastIndex = 0;
        if (def.pattern.test(payload.value))
            return;
        payload.issues.push({
            origin: "string",
            code: "invalid_format",
            format: "regex",
            input: payload.value,
            pattern: def.pattern.toString(),
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckLowerCase = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckLowerCase", (inst, def) => {
    def.pattern ?? (def.pattern = lowercase);
    $ZodCheckStringFormat.init(inst, def);
});
const $ZodCheckUpperCase = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckUpperCase", (inst, def) => {
    def.pattern ?? (def.pattern = uppercase);
    $ZodCheckStringFormat.init(inst, def);
});
const $ZodCheckIncludes = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckIncludes", (inst, def) => {
    $ZodCheck.init(inst, def);
    const escapedRegex = core_util/* escapeRegex */.sD(def.includes);
    // `String.prototype.includes(sub, position)` matches `sub` at `position`
    // OR LATER, so the pattern must allow at least `position` leading chars
    // (`{N,}`), not exactly `position` chars (`{N}`).
    const pattern = new RegExp(typeof def.position === "number" ? `^.{${def.position},}${escapedRegex}` : escapedRegex);
    def.pattern = pattern;
    inst._zod.check = (payload) => {
        if (payload.value.includes(def.includes, def.position))
            return;
        payload.issues.push({
            origin: "string",
            code: "invalid_format",
            format: "includes",
            includes: def.includes,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckStartsWith = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckStartsWith", (inst, def) => {
    $ZodCheck.init(inst, def);
    const pattern = new RegExp(`^${core_util/* escapeRegex */.sD(def.prefix)}.*`);
    def.pattern ?? (def.pattern = pattern);
    inst._zod.check = (payload) => {
        if (payload.value.startsWith(def.prefix))
            return;
        payload.issues.push({
            origin: "string",
            code: "invalid_format",
            format: "starts_with",
            prefix: def.prefix,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckEndsWith = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckEndsWith", (inst, def) => {
    $ZodCheck.init(inst, def);
    const pattern = new RegExp(`.*${core_util/* escapeRegex */.sD(def.suffix)}$`);
    def.pattern ?? (def.pattern = pattern);
    inst._zod.check = (payload) => {
        if (payload.value.endsWith(def.suffix))
            return;
        payload.issues.push({
            origin: "string",
            code: "invalid_format",
            format: "ends_with",
            suffix: def.suffix,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
///////////////////////////////////
/////    $ZodCheckProperty    /////
///////////////////////////////////
function handleCheckPropertyResult(result, payload, property) {
    if (result.issues.length) {
        payload.issues.push(...core_util/* prefixIssues */.lQ(property, result.issues));
    }
}
const $ZodCheckProperty = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckProperty", (inst, def) => {
    $ZodCheck.init(inst, def);
    inst._zod.check = (payload) => {
        const result = def.schema._zod.run({
            value: payload.value[def.property],
            issues: [],
        }, {});
        if (result instanceof Promise) {
            return result.then((result) => handleCheckPropertyResult(result, payload, def.property));
        }
        handleCheckPropertyResult(result, payload, def.property);
        return;
    };
})));
const $ZodCheckProperties = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckProperties", (inst, def) => {
    $ZodCheck.init(inst, def);
    core_util/* hide */.jD(inst, Symbol.iterator, function* () {
        yield inst;
    });
    // key and schema snapshotted together: reading one live and the other cached lets a later mutation of the caller's shape object pair a stale key with a missing schema
    let entries;
    inst._zod.check = (payload) => {
        // the base schema already typed the value, so only a nullish one is rejected here: the properties read on a primitive too, matching z.property() on a string's length
        if (payload.value == null) {
            payload.issues.push({ expected: "object", code: "invalid_type", input: payload.value, inst });
            return undefined;
        }
        entries ?? (entries = Reflect.ownKeys(def.shape).map((key) => [key, def.shape[key]]));
        const input = payload.value;
        let proms;
        for (const [key, schema] of entries) {
            const result = schema._zod.run({ value: input[key], issues: [] }, {});
            if (result instanceof Promise) {
                proms ?? (proms = []);
                proms.push(result.then((result) => handleCheckPropertyResult(result, payload, key)));
            }
            else {
                handleCheckPropertyResult(result, payload, key);
            }
        }
        if (proms)
            return Promise.all(proms).then(() => undefined);
        return undefined;
    };
});
const $ZodCheckMimeType = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckMimeType", (inst, def) => {
    $ZodCheck.init(inst, def);
    const mimeSet = new Set(def.mime);
    inst._zod.check = (payload) => {
        if (mimeSet.has(payload.value.type))
            return;
        payload.issues.push({
            code: "invalid_value",
            values: def.mime,
            input: payload.value.type,
            inst,
            continue: !def.abort,
        });
    };
})));
const $ZodCheckOverwrite = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCheckOverwrite", (inst, def) => {
    $ZodCheck.init(inst, def);
    inst._zod.check = (payload) => {
        payload.value = def.tx(payload.value);
    };
});

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/doc.js
class Doc {
    constructor(args = [], closed = {}) {
        this.content = [];
        this.indent = 0;
        this.args = args;
        this.closed = closed;
    }
    // the compiler catches a child's throw and keeps writing into this doc, so the indent has to unwind with it
    indented(fn) {
        this.indent += 1;
        try {
            fn(this);
        }
        finally {
            this.indent -= 1;
        }
    }
    write(arg) {
        if (typeof arg === "function") {
            arg(this, { execution: "sync" });
            arg(this, { execution: "async" });
            return;
        }
        const content = arg;
        const lines = content.split("\n").filter((x) => x);
        const minIndent = Math.min(...lines.map((x) => x.length - x.trimStart().length));
        const dedented = lines.map((x) => x.slice(minIndent)).map((x) => " ".repeat(this.indent * 2) + x);
        for (const line of dedented) {
            this.content.push(line);
        }
    }
    compile() {
        const F = Function;
        const content = this?.content ?? [``];
        const factory = new F(...Object.keys(this.closed), `return function (${this.args.join(", ")}) {\n${content.join("\n")}\n};`);
        return factory(...Object.values(this.closed));
    }
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/versions.js
const version = {
    major: 4,
    minor: 6,
    patch: 7,
};

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/schemas.js







const $ZodType = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodType", (inst, def) => {
    var _a;
    inst ?? (inst = {});
    inst._zod.def = def; // set _def property
    inst._zod.bag = inst._zod.bag || {}; // initialize _bag object
    inst._zod.version = version;
    const defChecks = inst._zod.def.checks;
    // if inst is itself a checks.$ZodCheck, run it as a check
    const checks = inst._zod.traits.has("$ZodCheck")
        ? [inst, ...(defChecks ?? [])]
        : defChecks?.length
            ? [...defChecks]
            : [];
    for (const ch of checks) {
        for (const fn of ch._zod.onattach) {
            fn(inst);
        }
    }
    if (checks.length === 0) {
        // deferred initializer inst._zod.parse is not yet defined
        (_a = inst._zod).deferred ?? (_a.deferred = []);
        inst._zod.deferred?.push(() => {
            inst._zod.run = inst._zod.parse;
        });
    }
    else {
        const runChecks = (payload, checks, ctx) => {
            if (payload.memo)
                return payload;
            let isAborted = core_util/* aborted */.QH(payload);
            let asyncResult;
            for (const ch of checks) {
                if (ch._zod.def.when) {
                    if (core_util/* explicitlyAborted */.rL(payload))
                        continue;
                    const shouldRun = ch._zod.def.when(payload);
                    if (!shouldRun)
                        continue;
                }
                else if (isAborted) {
                    continue;
                }
                const currLen = payload.issues.length;
                const _ = ch._zod.check(payload);
                if (_ instanceof Promise && ctx?.async === false) {
                    throw new core_core/* $ZodAsyncError */.GT();
                }
                if (asyncResult || _ instanceof Promise) {
                    asyncResult = (asyncResult ?? Promise.resolve()).then(async () => {
                        await _;
                        const nextLen = payload.issues.length;
                        if (nextLen === currLen)
                            return;
                        core_util/* attachSchema */.d3(payload.issues, currLen, inst);
                        if (!isAborted)
                            isAborted = core_util/* aborted */.QH(payload, currLen);
                    });
                }
                else {
                    const nextLen = payload.issues.length;
                    if (nextLen === currLen)
                        continue;
                    core_util/* attachSchema */.d3(payload.issues, currLen, inst);
                    if (!isAborted)
                        isAborted = core_util/* aborted */.QH(payload, currLen);
                }
            }
            if (asyncResult) {
                return asyncResult.then(() => {
                    return payload;
                });
            }
            return payload;
        };
        const handleCanaryResult = (canary, payload, ctx) => {
            // abort if the canary is aborted
            if (core_util/* aborted */.QH(canary)) {
                canary.aborted = true;
                return canary;
            }
            // run checks first, then
            const checkResult = runChecks(payload, checks, ctx);
            if (checkResult instanceof Promise) {
                if (ctx.async === false)
                    throw new core_core/* $ZodAsyncError */.GT();
                return checkResult.then((checkResult) => inst._zod.parse(checkResult, ctx));
            }
            return inst._zod.parse(checkResult, ctx);
        };
        inst._zod.run = (payload, ctx) => {
            if (ctx.skipChecks) {
                return inst._zod.parse(payload, ctx);
            }
            if (ctx.direction === "backward") {
                // run canary initial pass (no checks)
                const canary = inst._zod.parse({ value: payload.value, issues: [] }, { ...ctx, skipChecks: true });
                if (canary instanceof Promise) {
                    return canary.then((canary) => {
                        return handleCanaryResult(canary, payload, ctx);
                    });
                }
                return handleCanaryResult(canary, payload, ctx);
            }
            // forward
            const result = inst._zod.parse(payload, ctx);
            if (result instanceof Promise) {
                if (ctx.async === false)
                    throw new core_core/* $ZodAsyncError */.GT();
                return result.then((result) => runChecks(result, checks, ctx));
            }
            return runChecks(result, checks, ctx);
        };
    }
}, {
    // Wrappers extend this by installing a richer factory over it; reading it eagerly would defeat the laziness.
    get "~standard"() {
        return core_util/* hide */.jD(this, "~standard", standardProps(this));
    },
    set "~standard"(value) {
        core_util/* own */.qh(this, "~standard", value);
    },
});
/** The Standard Schema surface for `inst`. Shared so wrappers can extend it without forcing it. */
// a Standard Schema result only reports issues, so a failure finalizes them straight off the raw payload: no ZodError, and no lazy result to read through
const toStandardResult = (r, ctx) => r.issues.length ? { issues: r.issues.map((iss) => core_util/* finalizeIssue */.iR(iss, ctx, core_core/* config */.$W())) } : { value: r.value };
async function validateAsync(inst, value) {
    const ctx = { async: true };
    return toStandardResult((await inst._zod.run({ value, issues: [] }, ctx)), ctx);
}
function standardProps(inst) {
    return {
        validate: (value) => {
            const ctx = { async: false };
            try {
                const r = inst._zod.run({ value, issues: [] }, ctx);
                if (!(r instanceof Promise))
                    return toStandardResult(r, ctx);
            }
            catch (_) { }
            // async function so a synchronously throwing check rejects instead of escaping validate
            return validateAsync(inst, value);
        },
        vendor: "zod",
        version: 1,
    };
}

const $ZodString = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodString", (inst, def) => {
    $ZodType.init(inst, def);
    // a format's own pattern, else unbounded; a template literal derives the check-aware form itself
    inst._zod.pattern = def.pattern ?? anyString;
    inst._zod.parse = (payload, _) => {
        if (def.coerce)
            try {
                payload.value = String(payload.value);
            }
            catch (_) { }
        if (typeof payload.value === "string")
            return payload;
        payload.issues.push({
            expected: "string",
            code: "invalid_type",
            input: payload.value,
            inst,
        });
        return payload;
    };
});
const $ZodStringFormat = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodStringFormat", (inst, def) => {
    // check initialization must come first
    $ZodCheckStringFormat.init(inst, def);
    $ZodString.init(inst, def);
});
const $ZodGUID = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodGUID", (inst, def) => {
    def.pattern ?? (def.pattern = guid);
    $ZodStringFormat.init(inst, def);
});
const $ZodUUID = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodUUID", (inst, def) => {
    if (def.version) {
        const versionMap = {
            v1: 1,
            v2: 2,
            v3: 3,
            v4: 4,
            v5: 5,
            v6: 6,
            v7: 7,
            v8: 8,
        };
        const v = versionMap[def.version];
        if (v === undefined)
            throw new Error(`Invalid UUID version: "${def.version}"`);
        def.pattern ?? (def.pattern = uuid(v));
    }
    else
        def.pattern ?? (def.pattern = uuid());
    $ZodStringFormat.init(inst, def);
});
const $ZodEmail = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodEmail", (inst, def) => {
    def.pattern ?? (def.pattern = email);
    $ZodStringFormat.init(inst, def);
});
/** The `://` guard rejected the input before the URL constructor saw it. */
const URL_BAD_FORMAT = 1;
/** The URL parser rejected the input. */
const URL_UNPARSEABLE = 2;
function canParseURL(input) {
    try {
        if (typeof URL !== "undefined" && typeof URL.canParse === "function")
            return URL.canParse(input);
        new URL(input);
        return true;
    }
    catch {
        return false;
    }
}
function validateURL(trimmed, def) {
    if (!("normalize" in def) && !("hostname" in def) && !("protocol" in def)) {
        return canParseURL(trimmed) || URL_UNPARSEABLE;
    }
    return parseURLObject(trimmed, def);
}
/** Parses a URL while preserving the non-normalizing HTTP guard. */
function parseURLObject(trimmed, def) {
    // When normalize is off, require :// for http/https URLs. This prevents strings like "http:example.com" or "https:/path" from being silently accepted
    if (!def.normalize && def.protocol?.source === httpProtocol.source && !/^https?:\/\//i.test(trimmed)) {
        return URL_BAD_FORMAT;
    }
    try {
        if (typeof URL !== "undefined") {
            const URLStatic = URL;
            if (typeof URLStatic.parse === "function")
                return URLStatic.parse(trimmed) ?? URL_UNPARSEABLE;
        }
        // @ts-ignore
        return new URL(trimmed);
    }
    catch {
        return URL_UNPARSEABLE;
    }
}
const asciiTabOrNewline = /[\t\n\r]/g;
/** The URL parser deletes every ASCII tab, LF and CR from its input before it parses, so `new URL("https://exa\nmple.com")` reports on `example.com`. Applying the same deletion to the returned value closes the half of that divergence which can move the host; the parser's other rewrite, stripping C0 controls at the edges, cannot. */
function stripTabAndNewline(value) {
    return value.replace(asciiTabOrNewline, "");
}
function urlHostnameOk(url, hostname) {
    hostname.lastIndex = 0;
    return hostname.test(url.hostname);
}
function urlProtocolOk(url, protocol) {
    protocol.lastIndex = 0;
    return protocol.test(url.protocol.endsWith(":") ? url.protocol.slice(0, -1) : url.protocol);
}
const $ZodURL = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodURL", (inst, def) => {
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        try {
            // Trim whitespace from input
            const trimmed = payload.value.trim();
            const url = validateURL(trimmed, def);
            if (url === URL_BAD_FORMAT) {
                payload.issues.push({
                    code: "invalid_format",
                    format: "url",
                    note: "Invalid URL format",
                    input: payload.value,
                    inst,
                    continue: !def.abort,
                });
                return;
            }
            if (url === URL_UNPARSEABLE) {
                payload.issues.push({
                    code: "invalid_format",
                    format: "url",
                    input: payload.value,
                    inst,
                    continue: !def.abort,
                });
                return;
            }
            if (url === true) {
                payload.value = stripTabAndNewline(trimmed);
                return;
            }
            if (def.hostname && !urlHostnameOk(url, def.hostname)) {
                payload.issues.push({
                    code: "invalid_format",
                    format: "url",
                    note: "Invalid hostname",
                    pattern: def.hostname.source,
                    input: payload.value,
                    inst,
                    continue: !def.abort,
                });
            }
            if (def.protocol && !urlProtocolOk(url, def.protocol)) {
                payload.issues.push({
                    code: "invalid_format",
                    format: "url",
                    note: "Invalid protocol",
                    pattern: def.protocol.source,
                    input: payload.value,
                    inst,
                    continue: !def.abort,
                });
            }
            // Set the output value based on normalize flag
            payload.value = def.normalize ? url.href : stripTabAndNewline(trimmed);
            return;
        }
        catch (_) {
            payload.issues.push({
                code: "invalid_format",
                format: "url",
                input: payload.value,
                inst,
                continue: !def.abort,
            });
        }
    };
});
const $ZodEmoji = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodEmoji", (inst, def) => {
    def.pattern ?? (def.pattern = emoji());
    $ZodStringFormat.init(inst, def);
});
const $ZodNanoID = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodNanoID", (inst, def) => {
    if (def.length !== undefined && (!Number.isInteger(def.length) || def.length < 1))
        throw new Error(`Invalid nanoid length: ${def.length}`);
    def.pattern ?? (def.pattern = def.length === undefined ? nanoid : nanoidOfLength(def.length));
    $ZodStringFormat.init(inst, def);
});
/**
 * @deprecated CUID v1 is deprecated by its authors due to information leakage
 * (timestamps embedded in the id). Use {@link $ZodCUID2} instead.
 * See https://github.com/paralleldrive/cuid.
 */
const $ZodCUID = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCUID", (inst, def) => {
    def.pattern ?? (def.pattern = cuid);
    $ZodStringFormat.init(inst, def);
});
const $ZodCUID2 = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCUID2", (inst, def) => {
    def.pattern ?? (def.pattern = cuid2);
    $ZodStringFormat.init(inst, def);
});
const $ZodULID = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodULID", (inst, def) => {
    def.pattern ?? (def.pattern = ulid);
    $ZodStringFormat.init(inst, def);
});
const $ZodXID = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodXID", (inst, def) => {
    def.pattern ?? (def.pattern = xid);
    $ZodStringFormat.init(inst, def);
});
const $ZodKSUID = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodKSUID", (inst, def) => {
    def.pattern ?? (def.pattern = ksuid);
    $ZodStringFormat.init(inst, def);
});
const $ZodISODateTime = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodISODateTime", (inst, def) => {
    def.pattern ?? (def.pattern = datetime(def));
    $ZodStringFormat.init(inst, def);
});
const $ZodISODate = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodISODate", (inst, def) => {
    def.pattern ?? (def.pattern = date);
    $ZodStringFormat.init(inst, def);
});
const $ZodISOTime = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodISOTime", (inst, def) => {
    def.pattern ?? (def.pattern = time(def));
    $ZodStringFormat.init(inst, def);
});
const $ZodISODuration = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodISODuration", (inst, def) => {
    def.pattern ?? (def.pattern = duration);
    $ZodStringFormat.init(inst, def);
});
const $ZodIPv4 = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodIPv4", (inst, def) => {
    def.pattern ?? (def.pattern = ipv4);
    $ZodStringFormat.init(inst, def);
});
/** An IPv6 address is written with hex digits, colons and dots, and nothing else. The guard is what makes the check below an IPv6 check: `new URL("http://[...]")` parses an authority, not an address, so `@` and `\` re-delimit it and `"::@1\\"` validates against the host `0.0.0.1`. The URL parser also deletes ASCII tab, LF and CR rather than failing, which is how `"::1\n"` validated as `::1`. */
const ipv6Alphabet = /^[0-9a-fA-F:.]+$/;
function isValidIPv6(value) {
    if (!ipv6Alphabet.test(value))
        return false;
    return canParseURL(`http://[${value}]`);
}
const $ZodIPv6 = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodIPv6", (inst, def) => {
    def.pattern ?? (def.pattern = ipv6);
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (!isValidIPv6(payload.value)) {
            payload.issues.push({
                code: "invalid_format",
                format: "ipv6",
                input: payload.value,
                inst,
                continue: !def.abort,
            });
        }
    };
});
const $ZodMAC = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodMAC", (inst, def) => {
    def.pattern ?? (def.pattern = regexes.mac(def.delimiter));
    $ZodStringFormat.init(inst, def);
})));
const $ZodCIDRv4 = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCIDRv4", (inst, def) => {
    def.pattern ?? (def.pattern = cidrv4);
    $ZodStringFormat.init(inst, def);
});
function isValidCIDRv6(value) {
    const parts = value.split("/");
    if (parts.length !== 2)
        return false;
    const [address, prefix] = parts;
    if (!prefix)
        return false;
    const prefixNum = Number(prefix);
    if (`${prefixNum}` !== prefix)
        return false;
    if (prefixNum < 0 || prefixNum > 128)
        return false;
    return isValidIPv6(address);
}
const $ZodCIDRv6 = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCIDRv6", (inst, def) => {
    def.pattern ?? (def.pattern = cidrv6); // not used for validation
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (!isValidCIDRv6(payload.value)) {
            payload.issues.push({
                code: "invalid_format",
                format: "cidrv6",
                input: payload.value,
                inst,
                continue: !def.abort,
            });
        }
    };
});
//////////////////////////////   ZodBase64   //////////////////////////////
function isValidBase64(data) {
    if (data === "")
        return true;
    // atob ignores whitespace, so reject it up front.
    if (/\s/.test(data))
        return false;
    if (data.length % 4 !== 0)
        return false;
    try {
        // @ts-ignore
        atob(data);
        return true;
    }
    catch {
        return false;
    }
}
// lax on purpose: the quantified regexes.base64 overflows the regex stack on multi-MB input and its leading ^$| alternation leaks through template-literal composition; isValidBase64 enforces length and padding
const base64Charset = /^[0-9a-zA-Z+/]*={0,2}$/;
const $ZodBase64 = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodBase64", (inst, def) => {
    def.pattern ?? (def.pattern = base64Charset);
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (isValidBase64(payload.value))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: "base64",
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
//////////////////////////////   ZodBase64URL   //////////////////////////////
// lax on purpose: the quantified regexes.base64url overflows the regex stack on multi-MB input; isValidBase64 enforces length on the padded string
const base64urlCharset = /^[A-Za-z0-9_-]*$/;
function isValidBase64URL(data) {
    if (!base64urlCharset.test(data))
        return false;
    const base64 = data.replace(/[-_]/g, (c) => (c === "-" ? "+" : "/"));
    const padded = base64.padEnd(Math.ceil(base64.length / 4) * 4, "=");
    return isValidBase64(padded);
}
const $ZodBase64URL = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodBase64URL", (inst, def) => {
    def.pattern ?? (def.pattern = base64urlCharset);
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (isValidBase64URL(payload.value))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: "base64url",
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodE164 = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodE164", (inst, def) => {
    def.pattern ?? (def.pattern = e164);
    $ZodStringFormat.init(inst, def);
});
//////////////////////////////   ZodCreditCard   //////////////////////////////
const CC_SANITIZE = /[- ]/g;
/** Luhn checksum on a digit-only string. Adapted from valibot (MIT). */
function isLuhnAlgo(digits) {
    let length = digits.length;
    let bit = 1;
    let sum = 0;
    while (length) {
        const value = digits.charCodeAt(--length) - 48;
        bit ^= 1;
        sum += bit ? [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][value] : value;
    }
    return sum % 10 === 0;
}
function isValidCreditCard(input) {
    if (!regexes.creditCard.test(input))
        return false;
    return isLuhnAlgo(input.replace(CC_SANITIZE, ""));
}
const $ZodCreditCard = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCreditCard", (inst, def) => {
    // Shape only — the Luhn check below is not expressible as a pattern, so consumers of `pattern` (JSON Schema, template literals) get the length and separator rules alone.
    def.pattern ?? (def.pattern = regexes.creditCard);
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (isValidCreditCard(payload.value))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: "credit_card",
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
})));
//////////////////////////////   ZodIBAN   //////////////////////////////
// iso 7064 mod 97-10 checksum without BigInt
function isIso7064Mod97(iban) {
    let remainder = 0;
    const len = iban.length;
    for (let i = 4; i < len; i++) {
        const code = iban.charCodeAt(i);
        remainder = (code >= 65 ? remainder * 100 + (code - 55) : remainder * 10 + (code - 48)) % 97;
    }
    for (let i = 0; i < 4; i++) {
        const code = iban.charCodeAt(i);
        remainder = (code >= 65 ? remainder * 100 + (code - 55) : remainder * 10 + (code - 48)) % 97;
    }
    return remainder === 1;
}
function isValidIBAN(input) {
    if (!regexes.iban.test(input))
        return false;
    return isIso7064Mod97(input);
}
const $ZodIBAN = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodIBAN", (inst, def) => {
    // shape only — checksum is not expressible as a pattern
    def.pattern ?? (def.pattern = regexes.iban);
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (isValidIBAN(payload.value))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: "iban",
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
})));
//////////////////////////////   ZodJWT   //////////////////////////////
function isValidJWT(token, algorithm = null) {
    try {
        const tokensParts = token.split(".");
        if (tokensParts.length !== 3)
            return false;
        const [header] = tokensParts;
        if (!header)
            return false;
        // @ts-ignore
        const parsedHeader = JSON.parse(atob(header));
        if ("typ" in parsedHeader && parsedHeader?.typ !== "JWT")
            return false;
        if (!parsedHeader.alg)
            return false;
        if (algorithm && (!("alg" in parsedHeader) || parsedHeader.alg !== algorithm))
            return false;
        return true;
    }
    catch {
        return false;
    }
}
const $ZodJWT = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodJWT", (inst, def) => {
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (isValidJWT(payload.value, def.alg))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: "jwt",
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCustomStringFormat = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCustomStringFormat", (inst, def) => {
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (def.fn(payload.value))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: def.format,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
})));
const $ZodNumber = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodNumber", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.pattern = number;
    inst._zod.parse = (payload, _ctx) => {
        if (def.coerce)
            try {
                payload.value = Number(payload.value);
            }
            catch (_) { }
        const input = payload.value;
        if (typeof input === "number" && !Number.isNaN(input) && Number.isFinite(input)) {
            return payload;
        }
        const received = typeof input === "number"
            ? Number.isNaN(input)
                ? "NaN"
                : !Number.isFinite(input)
                    ? String(input)
                    : undefined
            : undefined;
        payload.issues.push({
            expected: "number",
            code: "invalid_type",
            input,
            inst,
            ...(received ? { received } : {}),
        });
        return payload;
    };
});
const $ZodNumberFormat = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodNumberFormat", (inst, def) => {
    $ZodCheckNumberFormat.init(inst, def);
    $ZodNumber.init(inst, def); // no format checks
});
const $ZodBoolean = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodBoolean", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.pattern = regexes_boolean;
    inst._zod.parse = (payload, _ctx) => {
        if (def.coerce)
            try {
                payload.value = Boolean(payload.value);
            }
            catch (_) { }
        const input = payload.value;
        if (typeof input === "boolean")
            return payload;
        payload.issues.push({
            expected: "boolean",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
});
const $ZodBigInt = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodBigInt", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.pattern = bigint;
    inst._zod.parse = (payload, _ctx) => {
        if (def.coerce)
            try {
                payload.value = BigInt(payload.value);
            }
            catch (_) { }
        if (typeof payload.value === "bigint")
            return payload;
        payload.issues.push({
            expected: "bigint",
            code: "invalid_type",
            input: payload.value,
            inst,
        });
        return payload;
    };
});
const $ZodBigIntFormat = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodBigIntFormat", (inst, def) => {
    checks.$ZodCheckBigIntFormat.init(inst, def);
    $ZodBigInt.init(inst, def); // no format checks
})));
const $ZodSymbol = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodSymbol", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (typeof input === "symbol")
            return payload;
        payload.issues.push({
            expected: "symbol",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodUndefined = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodUndefined", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.pattern = regexes.undefined;
    inst._zod.values = new Set([undefined]);
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (typeof input === "undefined")
            return payload;
        payload.issues.push({
            expected: "undefined",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodNull = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodNull", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.pattern = regexes.null;
    inst._zod.values = new Set([null]);
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (input === null)
            return payload;
        payload.issues.push({
            expected: "null",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodAny = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodAny", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload) => payload;
})));
const $ZodUnknown = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodUnknown", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload) => payload;
});
const $ZodNever = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodNever", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        payload.issues.push({
            expected: "never",
            code: "invalid_type",
            input: payload.value,
            inst,
        });
        return payload;
    };
});
const $ZodVoid = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodVoid", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (typeof input === "undefined")
            return payload;
        payload.issues.push({
            expected: "void",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodDate = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodDate", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        if (def.coerce) {
            try {
                payload.value = new Date(payload.value);
            }
            catch (_err) { }
        }
        const input = payload.value;
        const isDate = input instanceof Date;
        const isValidDate = isDate && !Number.isNaN(input.getTime());
        if (isValidDate)
            return payload;
        payload.issues.push({
            expected: "date",
            code: "invalid_type",
            input,
            ...(isDate ? { received: "Invalid Date" } : {}),
            inst,
        });
        return payload;
    };
});
// an oversized container fails its leading size checks before any element is parsed
function capSize(inst, size) {
    const caps = core_util/* sizeCaps */.hi(inst._zod.def.checks);
    if (!caps.length)
        return;
    const cap = Math.min(...caps.map((c) => c[0]));
    const parse = inst._zod.parse;
    inst._zod.parse = (payload, ctx) => {
        const n = size(payload.value);
        if (n > cap && !ctx?.skipChecks && ctx?.direction !== "backward") {
            for (const [max, ch] of core_util/* sizeCaps */.hi(inst._zod.def.checks)) {
                if (n > max && ch._zod.def.when(payload)) {
                    const start = payload.issues.length;
                    ch._zod.check(payload);
                    // the value is still the raw input, so no later check may read it
                    payload.issues[start].continue = false;
                    core_util/* attachSchema */.d3(payload.issues, start, inst);
                    return payload;
                }
            }
        }
        return parse(payload, ctx);
    };
}
const arraySize = (input) => (Array.isArray(input) ? input.length : -1);
const mapSize = (input) => (input instanceof Map ? input.size : -1);
const setSize = (input) => (input instanceof Set ? input.size : -1);
function handleArrayResult(result, final, index) {
    if (result.issues.length) {
        final.issues.push(...core_util/* prefixIssues */.lQ(index, result.issues));
    }
    final.value[index] = result.value;
}
const $ZodArray = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodArray", (inst, def) => {
    $ZodType.init(inst, def);
    const memo = core_core/* globalConfig */.cr.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!Array.isArray(input)) {
            payload.issues.push({
                expected: "array",
                code: "invalid_type",
                input,
                inst,
            });
            return payload;
        }
        payload.value = memo ? memo.alloc(inst, payload, Array(input.length), ctx) : Array(input.length);
        const proms = [];
        const abortEarly = ctx?.abortEarly;
        for (let i = 0; i < input.length; i++) {
            const item = input[i];
            const result = def.element._zod.run({
                value: item,
                issues: [],
            }, ctx);
            if (result instanceof Promise) {
                proms.push(result.then((result) => handleArrayResult(result, payload, i)));
            }
            else {
                handleArrayResult(result, payload, i);
                // the element's payload is authoritative here, since handleArrayResult forwards every issue; an object's is not, because it drops a failed absent optional
                if (abortEarly && result.issues.length !== 0 && core_util/* aborted */.QH(result))
                    break;
            }
        }
        if (proms.length) {
            return Promise.all(proms).then(() => payload);
        }
        return payload; //handleArrayResultsAsync(parseResults, final);
    };
    capSize(inst, arraySize);
});
function handlePropertyResult(result, final, key, input, optin, optout) {
    const isPresent = key in input;
    const isOptionalOut = optout === "optional";
    // The middle rung means "absence permitted, nothing supplied in its place", so an absent key contributes nothing — whatever the schema made of `undefined` is invented, not substituted. Only `optional` reaches this with a value: `defaulted` substitutes, and a schema that isn't optional-out has to keep the key.
    if (!isPresent && isOptionalOut && optin === "optional") {
        return;
    }
    if (result.issues.length) {
        // For optional-in/out schemas, ignore errors on absent keys.
        if (optin !== undefined && isOptionalOut && !isPresent) {
            return;
        }
        final.issues.push(...core_util/* prefixIssues */.lQ(key, result.issues));
    }
    if (!isPresent && optin === undefined) {
        if (!result.issues.length) {
            final.issues.push({
                code: "invalid_type",
                expected: "nonoptional",
                input: undefined,
                path: [key],
            });
        }
        return;
    }
    if (result.value === undefined) {
        if (isPresent || (optin === "defaulted" && !isOptionalOut)) {
            final.value[key] = undefined;
        }
    }
    else {
        final.value[key] = result.value;
    }
}
// one shared instance; a fresh [] per schema cost 56 bytes retained
const NO_SYMBOL_KEYS = [];
function normalizeDef(def) {
    const keys = Object.keys(def.shape);
    const ownSymbols = Object.getOwnPropertySymbols(def.shape);
    const symbolKeys = ownSymbols.length ? ownSymbols : NO_SYMBOL_KEYS;
    // aliases `keys` when there are no symbols, so a string-only shape keeps one array
    const allKeys = symbolKeys.length ? [...keys, ...symbolKeys] : keys;
    for (const k of allKeys) {
        if (!def.shape?.[k]?._zod?.traits?.has("$ZodType")) {
            throw new Error(`Invalid element at key "${String(k)}": expected a Zod schema`);
        }
    }
    const okeys = core_util/* optionalKeys */.NM(def.shape);
    return {
        ...def,
        allKeys,
        symbolKeys,
        // string-only: handleCatchall matches it against `for...in`, which never yields a symbol
        keySet: new Set(keys),
        numKeys: keys.length,
        optionalKeys: new Set(okeys),
    };
}
function handleCatchall(proms, input, payload, ctx, def, inst, abortEarly) {
    const unrecognized = [];
    const keySet = def.keySet;
    const _catchall = def.catchall._zod;
    const t = _catchall.def.type;
    const optin = _catchall.optin;
    const optout = _catchall.optout;
    // starts at 0, not the current length: the shape phase already ran and may have aborted
    let seen = 0;
    for (const key in input) {
        if (abortEarly && payload.issues.length !== seen) {
            if (core_util/* aborted */.QH(payload, seen))
                break;
            seen = payload.issues.length;
        }
        // Must precede the __proto__ branch: a declared key is not unrecognized, even though the shape loop deliberately strips __proto__ from the parsed output.
        if (keySet.has(key))
            continue;
        // Don't copy an undeclared __proto__ into the result; assignment to a plain {} would replace the result prototype. But in strict mode it is still an unknown key, so report it before skipping.
        if (key === "__proto__") {
            if (t === "never")
                unrecognized.push(key);
            continue;
        }
        if (t === "never") {
            unrecognized.push(key);
            continue;
        }
        const r = _catchall.run({ value: input[key], issues: [] }, ctx);
        if (r instanceof Promise) {
            proms.push(r.then((r) => handlePropertyResult(r, payload, key, input, optin, optout)));
        }
        else {
            handlePropertyResult(r, payload, key, input, optin, optout);
        }
    }
    if (unrecognized.length) {
        payload.issues.push({
            code: "unrecognized_keys",
            keys: unrecognized,
            input,
            inst,
            // Describes the shape of the input, not the validity of the parsed value, so it never aborts. The parse still fails; the schema's own checks just get to run first, and an enclosing intersection can reconcile the key against a sibling operand.
            continue: true,
        });
    }
    if (!proms.length)
        return payload;
    return Promise.all(proms).then(() => {
        return payload;
    });
}
const $ZodObject = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodObject", (inst, def) => {
    // requires cast because technically $ZodObject doesn't extend
    $ZodType.init(inst, def);
    const desc = Object.getOwnPropertyDescriptor(def, "shape");
    // a cloned def carries its source's accessor, which knows the shape it answers from; adopting that keeps the clone's keys readable without running it
    const sh = desc?.get ? desc.get.raw : (def.shape ?? {});
    if (sh) {
        // Freezes the shape on first read, so its getters resolve once and every later read sees the same schemas.
        const get = () => {
            const newSh = { ...sh };
            Object.defineProperty(def, "shape", { value: newSh });
            get.raw = newSh;
            return newSh;
        };
        get.raw = sh;
        Object.defineProperty(def, "shape", { get });
    }
    const _normalized = core_util/* cached */.PO(() => normalizeDef(def));
    core_util/* defineLazyInternal */.v5(inst, "propValues", (zod) => {
        const shape = zod.def.shape;
        const propValues = {};
        for (const key in shape) {
            const field = shape[key]._zod;
            if (field.values) {
                if (!Object.prototype.hasOwnProperty.call(propValues, key)) {
                    core_util/* assignProp */.Vy(propValues, key, new Set());
                }
                for (const v of field.values)
                    propValues[key].add(v);
                // An omittable slot reads back as undefined at a discriminator lookup, so it has to claim undefined: two options that can both omit the key are not discriminable on it.
                if (field.optin !== undefined)
                    propValues[key].add(undefined);
            }
        }
        return propValues;
    });
    const isObject = core_util/* isObject */.Gv;
    const catchall = def.catchall;
    let value;
    const memo = core_core/* globalConfig */.cr.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        value ?? (value = _normalized.value);
        const input = payload.value;
        if (!isObject(input)) {
            payload.issues.push({
                expected: "object",
                code: "invalid_type",
                input,
                inst,
            });
            return payload;
        }
        payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
        const proms = [];
        const shape = value.shape;
        const abortEarly = ctx?.abortEarly;
        let seen = payload.issues.length;
        for (const key of value.allKeys) {
            if (abortEarly && payload.issues.length !== seen) {
                if (core_util/* aborted */.QH(payload, seen))
                    break;
                seen = payload.issues.length;
            }
            if (key === "__proto__")
                continue;
            const el = shape[key];
            const optin = el._zod.optin;
            const optout = el._zod.optout;
            const r = el._zod.run({ value: input[key], issues: [] }, ctx);
            if (r instanceof Promise) {
                proms.push(r.then((r) => handlePropertyResult(r, payload, key, input, optin, optout)));
            }
            else {
                handlePropertyResult(r, payload, key, input, optin, optout);
            }
        }
        if (!catchall) {
            return proms.length ? Promise.all(proms).then(() => payload) : payload;
        }
        return handleCatchall(proms, input, payload, ctx, _normalized.value, inst, abortEarly === true);
    };
});
const $ZodObjectJIT = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodObjectJIT", (inst, def) => {
    // requires cast because technically $ZodObject doesn't extend
    $ZodObject.init(inst, def);
    const superParse = inst._zod.parse;
    const _normalized = core_util/* cached */.PO(() => normalizeDef(def));
    const memo = core_core/* globalConfig */.cr.memoizer;
    const generateFastpass = (shape) => {
        const normalized = _normalized.value;
        const syms = normalized.symbolKeys;
        // a symbol has no source literal, so it is read as `syms[i]` off the closed-over scope
        const doc = new Doc(["payload", "ctx"], { shape, inst, memo, syms });
        const parseStr = (k) => `shape[${k}]._zod.run({ value: input[${k}], issues: [] }, ctx)`;
        // prefixes in place, like util.prefixIssues. newResult must land before the early return: a catchall runs after this and would otherwise write onto the caller's input
        const prefixStr = (id, k) => `
          let ${id}_ab = false;
          for (let i = 0; i < ${id}.issues.length; i++) {
            const iss = ${id}.issues[i];
            iss.path = iss.path ? [${k}, ...iss.path] : [${k}];
            payload.issues.push(iss);
            if (iss.continue !== true) ${id}_ab = true;
          }
          if (${id}_ab && ctx && ctx.abortEarly) {
            payload.value = newResult;
            return payload;
          }`;
        doc.write(`const input = payload.value;`);
        const ids = Object.create(null);
        let counter = 0;
        for (const key of normalized.allKeys) {
            ids[key] = `key_${counter++}`;
        }
        // A: preserve key order {
        doc.write(memo ? `const newResult = memo.alloc(inst, payload, {}, ctx);` : `const newResult = {};`);
        for (const key of normalized.allKeys) {
            if (key === "__proto__")
                continue;
            const id = ids[key];
            const k = typeof key === "symbol" ? `syms[${syms.indexOf(key)}]` : core_util/* esc */.UQ(key);
            const isPresent = `${k} in input`;
            const schema = shape[key];
            const optin = schema?._zod?.optin;
            const isOptionalIn = optin !== undefined;
            const isOptionalOut = schema?._zod?.optout === "optional";
            doc.write(`const ${id} = ${parseStr(k)};`);
            if (isOptionalIn && isOptionalOut) {
                // For optional-in/out schemas, ignore errors on absent keys — and, like the interpreted path, drop the value produced alongside them. The middle rung goes further: it permits absence without supplying anything in its place, so an absent key contributes nothing at all.
                const assign = optin === "optional" ? `${id}_present` : `${id}.value !== undefined || ${id}_present`;
                doc.write(`
        const ${id}_present = ${isPresent};
        if (!${id}.issues.length || ${id}_present) {
          if (${id}.issues.length) {${prefixStr(id, k)}
          }

          if (${assign}) {
            newResult[${k}] = ${id}.value;
          }
        }

      `);
            }
            else if (!isOptionalIn) {
                doc.write(`
        const ${id}_present = ${isPresent};
        if (${id}.issues.length) {${prefixStr(id, k)}
        }
        if (!${id}_present && !${id}.issues.length) {
          payload.issues.push({
            code: "invalid_type",
            expected: "nonoptional",
            input: undefined,
            path: [${k}]
          });
          if (ctx && ctx.abortEarly) {
            payload.value = newResult;
            return payload;
          }
        }

        if (${id}_present) {
          newResult[${k}] = ${id}.value;
        }

      `);
            }
            else {
                doc.write(`
        if (${id}.issues.length) {${prefixStr(id, k)}
        }
      `);
                if (optin === "defaulted") {
                    doc.write(`newResult[${k}] = ${id}.value;`);
                }
                else {
                    doc.write(`
        if (${id}.value !== undefined || ${isPresent}) {
          newResult[${k}] = ${id}.value;
        }
      `);
                }
            }
        }
        doc.write(`payload.value = newResult;`);
        doc.write(`return payload;`);
        // closing `shape` in is what pays: turbofan specializes the parser against that one shape object, so every `shape[k]._zod.run` folds to a known callee. as a parameter it stays a generic load and measures 13% slower even with the forwarding frame gone
        return doc.compile();
    };
    let fastpass;
    const isObject = core_util/* isObject */.Gv;
    const jit = !core_core/* globalConfig */.cr.jitless;
    const allowsEval = core_util/* allowsEval */.hI;
    const fastEnabled = jit && allowsEval.value; // && !def.catchall;
    const catchall = def.catchall;
    let value;
    inst._zod.parse = (payload, ctx) => {
        value ?? (value = _normalized.value);
        const input = payload.value;
        if (!isObject(input)) {
            payload.issues.push({
                expected: "object",
                code: "invalid_type",
                input,
                inst,
            });
            return payload;
        }
        if (jit && fastEnabled && ctx?.async === false && ctx.jitless !== true) {
            // always synchronous
            if (!fastpass)
                fastpass = generateFastpass(def.shape);
            payload = fastpass(payload, ctx);
            if (!catchall)
                return payload;
            return handleCatchall([], input, payload, ctx, value, inst, ctx?.abortEarly === true);
        }
        return superParse(payload, ctx);
    };
});
function handleUnionResults(results, final, inst, ctx) {
    for (const result of results) {
        if (result.issues.length === 0) {
            final.value = result.value;
            return final;
        }
    }
    const nonaborted = results.filter((r) => !core_util/* aborted */.QH(r));
    if (nonaborted.length === 1) {
        final.value = nonaborted[0].value;
        return nonaborted[0];
    }
    final.issues.push({
        code: "invalid_union",
        input: final.value,
        inst,
        errors: results.map((result) => result.issues.map((iss) => core_util/* finalizeIssue */.iR(iss, ctx, core_core/* config */.$W()))),
    });
    return final;
}
const $ZodUnion = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodUnion", (inst, def) => {
    $ZodType.init(inst, def);
    core_util/* defineLazyInternal */.v5(inst, "optin", (zod) => zod.def.options.some((o) => o._zod.optin === "defaulted")
        ? "defaulted"
        : zod.def.options.some((o) => o._zod.optin !== undefined)
            ? "optional"
            : undefined);
    core_util/* defineLazyInternal */.v5(inst, "optout", (zod) => zod.def.options.some((o) => o._zod.optout === "optional") ? "optional" : undefined);
    core_util/* defineLazyInternal */.v5(inst, "values", (zod) => {
        if (zod.def.options.every((o) => o._zod.values)) {
            return new Set(zod.def.options.flatMap((option) => Array.from(option._zod.values)));
        }
        return undefined;
    });
    core_util/* defineLazyInternal */.v5(inst, "pattern", (zod) => {
        if (zod.def.options.every((o) => o._zod.pattern)) {
            const patterns = zod.def.options.map((o) => o._zod.pattern);
            return new RegExp(`^(${patterns.map((p) => core_util/* cleanRegex */.p6(p.source)).join("|")})$`);
        }
        return undefined;
    });
    const first = def.options.length === 1 ? def.options[0]._zod.run : null;
    inst._zod.parse = (payload, ctx) => {
        if (first) {
            return first(payload, ctx);
        }
        let async = false;
        const results = [];
        for (const option of def.options) {
            const result = option._zod.run({
                value: payload.value,
                issues: [],
            }, ctx);
            if (result instanceof Promise) {
                results.push(result);
                async = true;
            }
            else {
                if (result.issues.length === 0)
                    return result;
                results.push(result);
            }
        }
        if (!async)
            return handleUnionResults(results, payload, inst, ctx);
        return Promise.all(results).then((results) => {
            return handleUnionResults(results, payload, inst, ctx);
        });
    };
});
function handleExclusiveUnionResults(results, final, inst, ctx) {
    const matches = [];
    for (let i = 0; i < results.length; i++) {
        if (results[i].issues.length === 0)
            matches.push(i);
    }
    if (matches.length === 1) {
        final.value = results[matches[0]].value;
        return final;
    }
    if (matches.length === 0) {
        // No matches - same as regular union
        final.issues.push({
            code: "invalid_union",
            input: final.value,
            inst,
            errors: results.map((result) => result.issues.map((iss) => util.finalizeIssue(iss, ctx, core.config()))),
        });
    }
    else {
        // Multiple matches - exclusive union failure
        final.issues.push({
            code: "invalid_union",
            input: final.value,
            inst,
            errors: [],
            inclusive: false,
            matches,
        });
    }
    return final;
}
const $ZodXor = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodXor", (inst, def) => {
    $ZodUnion.init(inst, def);
    def.inclusive = false;
    const first = def.options.length === 1 ? def.options[0]._zod.run : null;
    inst._zod.parse = (payload, ctx) => {
        if (first) {
            return first(payload, ctx);
        }
        let async = false;
        const results = [];
        for (const option of def.options) {
            const result = option._zod.run({
                value: payload.value,
                issues: [],
            }, ctx);
            if (result instanceof Promise) {
                results.push(result);
                async = true;
            }
            else {
                results.push(result);
            }
        }
        if (!async)
            return handleExclusiveUnionResults(results, payload, inst, ctx);
        return Promise.all(results).then((results) => {
            return handleExclusiveUnionResults(results, payload, inst, ctx);
        });
    };
})));
/** Returns the option whose discriminator claims `value`, or throws if ambiguous. */
function getDiscriminatedOption(union, value) {
    const internals = union._zod;
    let map = internals.bag.optionsMap;
    if (!map) {
        map = discriminatorMap(internals.def);
        internals.bag.optionsMap = map;
    }
    const option = map.get(value);
    if (option === null)
        throw new Error(`Ambiguous discriminator value "${String(value)}"`);
    return option;
}
function discriminatorMap(def) {
    const map = new Map();
    for (const option of def.options) {
        const values = option._zod.propValues?.[def.discriminator];
        if (!values || values.size === 0)
            throw new Error(`Invalid discriminated union option at index "${def.options.indexOf(option)}"`);
        for (const value of values) {
            if (map.has(value)) {
                if (value !== undefined)
                    throw new Error(`Duplicate discriminator value "${String(value)}"`);
                // keep the collision marked so a later member cannot reclaim it
                map.set(value, null);
            }
            else {
                map.set(value, option);
            }
        }
    }
    return map;
}
const $ZodDiscriminatedUnion = 
/*@__PURE__*/
(/* unused pure expression or super */ null && (core.$constructor("$ZodDiscriminatedUnion", (inst, def) => {
    def.inclusive = false;
    $ZodUnion.init(inst, def);
    const _super = inst._zod.parse;
    util.defineLazyInternal(inst, "propValues", (zod) => {
        const propValues = {};
        let undefinedCount = 0;
        for (const option of zod.def.options) {
            const pv = option._zod.propValues;
            if (!pv || Object.keys(pv).length === 0)
                throw new Error(`Invalid discriminated union option at index "${zod.def.options.indexOf(option)}"`);
            if (pv[zod.def.discriminator]?.has(undefined))
                undefinedCount++;
            for (const [k, v] of Object.entries(pv)) {
                if (!Object.prototype.hasOwnProperty.call(propValues, k)) {
                    util.assignProp(propValues, k, new Set());
                }
                for (const val of v) {
                    propValues[k].add(val);
                }
            }
        }
        if (!zod.def.unionFallback && undefinedCount > 1)
            propValues[zod.def.discriminator]?.delete(undefined);
        return propValues;
    });
    // Checked now rather than in the lookup map below, so an option that lacks the discriminator fails at the `discriminatedUnion` call instead of on the first object parsed. Options whose shape cannot be enumerated without resolving it — pipes and lazies — are left to the map.
    def.options.forEach((option, i) => {
        const propShape = util.rawShape(option._zod.def);
        if (propShape && !Object.prototype.hasOwnProperty.call(propShape, def.discriminator)) {
            throw new Error(`Invalid discriminated union option at index "${i}"`);
        }
    });
    const disc = util.cached(() => discriminatorMap(def));
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!util.isObject(input)) {
            payload.issues.push({
                code: "invalid_type",
                expected: "object",
                input,
                inst,
            });
            return payload;
        }
        const value = input?.[def.discriminator];
        const opt = disc.value.get(value);
        // forward metadata cannot choose an encoder for an absent tag
        if (opt && (value !== undefined || ctx.direction !== "backward")) {
            return opt._zod.run(payload, ctx);
        }
        // Fall back to union matching when the fast discriminator path fails:
        // - explicitly enabled via unionFallback, or
        // - during backward direction (encode), since codec-based discriminators have different values in forward vs backward directions
        if (def.unionFallback || ctx.direction === "backward") {
            return _super(payload, ctx);
        }
        // no matching discriminator
        payload.issues.push({
            code: "invalid_union",
            errors: [],
            note: "No matching discriminator",
            discriminator: def.discriminator,
            options: Array.from(disc.value.keys()).filter((value) => disc.value.get(value) !== null),
            input,
            path: [def.discriminator],
            inst,
        });
        return payload;
    };
})));
const $ZodIntersection = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodIntersection", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        const left = def.left._zod.run({ value: input, issues: [] }, ctx);
        const right = def.right._zod.run({ value: input, issues: [] }, ctx);
        const async = left instanceof Promise || right instanceof Promise;
        if (async) {
            return Promise.all([left, right]).then(([left, right]) => {
                return handleIntersectionResults(payload, left, right);
            });
        }
        return handleIntersectionResults(payload, left, right);
    };
});
function mergeValues(a, b) {
    // const aType = parse.t(a);
    // const bType = parse.t(b);
    if (a === b) {
        return { valid: true, data: a };
    }
    if (a instanceof Date && b instanceof Date && +a === +b) {
        return { valid: true, data: a };
    }
    if (core_util/* isPlainObject */.Qd(a) && core_util/* isPlainObject */.Qd(b)) {
        const bKeys = Object.keys(b);
        const sharedKeys = Object.keys(a).filter((key) => bKeys.indexOf(key) !== -1);
        const newObj = { ...a, ...b };
        if (Object.prototype.hasOwnProperty.call(newObj, "__proto__"))
            delete newObj.__proto__;
        for (const key of sharedKeys) {
            if (key === "__proto__")
                continue;
            const sharedValue = mergeValues(a[key], b[key]);
            if (!sharedValue.valid) {
                return {
                    valid: false,
                    mergeErrorPath: [key, ...sharedValue.mergeErrorPath],
                };
            }
            newObj[key] = sharedValue.data;
        }
        return { valid: true, data: newObj };
    }
    if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length !== b.length) {
            return { valid: false, mergeErrorPath: [] };
        }
        const newArray = [];
        for (let index = 0; index < a.length; index++) {
            const itemA = a[index];
            const itemB = b[index];
            const sharedValue = mergeValues(itemA, itemB);
            if (!sharedValue.valid) {
                return {
                    valid: false,
                    mergeErrorPath: [index, ...sharedValue.mergeErrorPath],
                };
            }
            newArray.push(sharedValue.data);
        }
        return { valid: true, data: newArray };
    }
    return { valid: false, mergeErrorPath: [] };
}
function handleIntersectionResults(result, left, right) {
    // Track which side(s) reject each key. A key rejection is reported only when BOTH sides reject it, so a key owned by one branch survives the other's key schema. strictObject reports these as unrecognized_keys; a record with an open key schema reports one invalid_key per key.
    const unrecKeys = new Map();
    let unrecIssue;
    const keyIssues = new Map();
    const collect = (iss, side) => {
        let keys;
        if (iss.code === "unrecognized_keys" && !iss.path?.length) {
            unrecIssue ?? (unrecIssue = iss);
            keys = iss.keys;
        }
        else if (iss.code === "invalid_key" && iss.origin === "record" && iss.path?.length === 1) {
            const k = String(iss.path[0]);
            if (!keyIssues.has(k))
                keyIssues.set(k, iss);
            keys = [k];
        }
        else {
            return false;
        }
        for (const k of keys) {
            if (!unrecKeys.has(k))
                unrecKeys.set(k, {});
            unrecKeys.get(k)[side] = true;
        }
        return true;
    };
    for (const iss of left.issues) {
        if (!collect(iss, "l"))
            result.issues.push(iss);
    }
    for (const iss of right.issues) {
        if (!collect(iss, "r"))
            result.issues.push(iss);
    }
    // Report only keys rejected by BOTH sides
    const bothKeys = [...unrecKeys].filter(([, f]) => f.l && f.r).map(([k]) => k);
    if (bothKeys.length) {
        const aggregated = unrecIssue ? bothKeys.filter((k) => unrecIssue.keys.includes(k)) : [];
        if (aggregated.length)
            result.issues.push({ ...unrecIssue, keys: aggregated });
        for (const k of bothKeys) {
            if (!aggregated.includes(k) && keyIssues.has(k))
                result.issues.push(keyIssues.get(k));
        }
    }
    const merged = mergeValues(left.value, right.value);
    if (!merged.valid) {
        if (core_util/* aborted */.QH(result))
            return result;
        throw new Error(`Unmergable intersection. Error path: ` + `${JSON.stringify(merged.mergeErrorPath)}`);
    }
    result.value = merged.data;
    return result;
}
const $ZodTuple = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodTuple", (inst, def) => {
    $ZodType.init(inst, def);
    const items = def.items;
    const memo = core_core/* globalConfig */.cr.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!Array.isArray(input)) {
            payload.issues.push({
                input,
                inst,
                expected: "tuple",
                code: "invalid_type",
            });
            return payload;
        }
        payload.value = memo ? memo.alloc(inst, payload, [], ctx) : [];
        const proms = [];
        const optinStart = getTupleOptStart(items, "optin");
        const optoutStart = getTupleOptStart(items, "optout");
        if (!def.rest) {
            if (input.length < optinStart) {
                payload.issues.push({
                    code: "too_small",
                    minimum: optinStart,
                    inclusive: true,
                    input,
                    inst,
                    origin: "array",
                });
                return payload;
            }
            if (input.length > items.length) {
                payload.issues.push({
                    code: "too_big",
                    maximum: items.length,
                    inclusive: true,
                    input,
                    inst,
                    origin: "array",
                });
            }
        }
        // Run every item in parallel, collecting results into an indexed array. The post-processing in `handleTupleResults` walks them in order so it can decide whether an absent optional-output error can truncate the tail or must be reported to preserve required output.
        const itemResults = new Array(items.length);
        // only tracked when there is a rest loop to skip
        const abortEarly = def.rest ? ctx?.abortEarly : undefined;
        let itemAborted = false;
        for (let i = 0; i < items.length; i++) {
            const r = items[i]._zod.run({ value: input[i], issues: [] }, ctx);
            if (r instanceof Promise) {
                proms.push(r.then((rr) => {
                    itemResults[i] = rr;
                }));
            }
            else {
                itemResults[i] = r;
                if (abortEarly && !itemAborted && r.issues.length)
                    itemAborted = core_util/* aborted */.QH(r);
            }
        }
        // sound because rest is non-empty exactly when every fixed index is present, the one case handleTupleResults cannot discard an item's issues
        if (def.rest && !itemAborted) {
            let i = items.length - 1;
            const rest = input.slice(items.length);
            let seen = payload.issues.length;
            for (const el of rest) {
                if (abortEarly && payload.issues.length !== seen) {
                    if (core_util/* aborted */.QH(payload, seen))
                        break;
                    seen = payload.issues.length;
                }
                i++;
                const result = def.rest._zod.run({ value: el, issues: [] }, ctx);
                if (result instanceof Promise) {
                    proms.push(result.then((r) => handleTupleResult(r, payload, i)));
                }
                else {
                    handleTupleResult(result, payload, i);
                }
            }
        }
        if (proms.length) {
            return Promise.all(proms).then(() => handleTupleResults(itemResults, payload, items, input, optoutStart));
        }
        return handleTupleResults(itemResults, payload, items, input, optoutStart);
    };
});
function getTupleOptStart(items, key) {
    for (let i = items.length - 1; i >= 0; i--) {
        // optin is a three-rung ladder so any rung above `undefined` permits an absent slot; optout stays two-valued.
        const omittable = key === "optin" ? items[i]._zod.optin !== undefined : items[i]._zod.optout === "optional";
        if (!omittable)
            return i + 1;
    }
    return 0;
}
function handleTupleResult(result, final, index) {
    if (result.issues.length) {
        final.issues.push(...core_util/* prefixIssues */.lQ(index, result.issues));
    }
    final.value[index] = result.value;
}
function handleTupleResults(itemResults, final, items, input, optoutStart) {
    // Walk results in order. Mirror $ZodObject's swallow-on-absent-optional rule, but only after `optoutStart`: the first index where the output tuple tail can be absent.
    for (let i = 0; i < items.length; i++) {
        const r = itemResults[i];
        const isPresent = i < input.length;
        // The array analog of `handlePropertyResult`'s absent-key early return: the middle rung permits absence without supplying anything in its place, so the tail truncates here instead of materializing whatever the item made of `undefined`.
        if (!isPresent && i >= optoutStart && items[i]._zod.optin === "optional") {
            final.value.length = i;
            break;
        }
        if (r.issues.length) {
            if (!isPresent && i >= optoutStart) {
                final.value.length = i;
                break;
            }
            final.issues.push(...core_util/* prefixIssues */.lQ(i, r.issues));
        }
        final.value[i] = r.value;
    }
    // Drop trailing slots that produced `undefined` for absent input
    // (the array analog of an absent optional key on an object). The
    // `i >= input.length` floor is critical: an explicit `undefined`
    // *inside* the input must be preserved even when the schema is
    // optional-out (e.g. `z.string().or(z.undefined())` accepting an
    // explicit undefined value).
    for (let i = final.value.length - 1; i >= input.length; i--) {
        if (items[i]._zod.optout === "optional" && final.value[i] === undefined) {
            final.value.length = i;
        }
        else {
            break;
        }
    }
    return final;
}
const $ZodRecord = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodRecord", (inst, def) => {
    $ZodType.init(inst, def);
    const memo = core_core/* globalConfig */.cr.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!core_util/* isPlainObject */.Qd(input)) {
            payload.issues.push({
                expected: "record",
                code: "invalid_type",
                input,
                inst,
            });
            return payload;
        }
        // no guard in either loop below: a record's invalid_key aborts but an enclosing intersection can reconcile it, so a stopped loop hides keys the sibling does not own and the intersection then rejects nothing
        const proms = [];
        const values = def.keyType._zod.values;
        if (values && !def.partial) {
            payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
            const recordKeys = new Set();
            for (const key of values) {
                if (typeof key === "string" || typeof key === "number" || typeof key === "symbol") {
                    recordKeys.add(typeof key === "number" ? key.toString() : key);
                    // A declared __proto__ is stripped but is not an unrecognized key.
                    if (key === "__proto__")
                        continue;
                    const keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
                    if (keyResult instanceof Promise) {
                        throw new Error("Async schemas not supported in object keys currently");
                    }
                    if (keyResult.issues.length) {
                        payload.issues.push({
                            code: "invalid_key",
                            origin: "record",
                            issues: keyResult.issues.map((iss) => core_util/* finalizeIssue */.iR(iss, ctx, core_core/* config */.$W())),
                            input: key,
                            path: [key],
                            inst,
                        });
                        continue;
                    }
                    const outKey = keyResult.value;
                    if (outKey === "__proto__")
                        continue;
                    const result = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
                    if (result instanceof Promise) {
                        proms.push(result.then((result) => {
                            if (result.issues.length) {
                                payload.issues.push(...core_util/* prefixIssues */.lQ(key, result.issues));
                            }
                            payload.value[outKey] = result.value;
                        }));
                    }
                    else {
                        if (result.issues.length) {
                            payload.issues.push(...core_util/* prefixIssues */.lQ(key, result.issues));
                        }
                        payload.value[outKey] = result.value;
                    }
                }
            }
            let unrecognized;
            for (const key in input) {
                if (!recordKeys.has(key)) {
                    if (def.mode === "loose") {
                        // skip __proto__ so it can't replace the result prototype via the assignment setter on the plain {} we build into
                        if (key === "__proto__")
                            continue;
                        payload.value[key] = input[key];
                    }
                    else {
                        unrecognized = unrecognized ?? [];
                        unrecognized.push(key);
                    }
                }
            }
            if (unrecognized && unrecognized.length > 0) {
                payload.issues.push({
                    code: "unrecognized_keys",
                    input,
                    inst,
                    keys: unrecognized,
                    continue: true,
                });
            }
        }
        else {
            payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
            // An enumerable key schema declares which keys the record owns, so a key outside the set is unrecognized. A non-enumerable one (regex, refine) is a constraint every key must satisfy, so a failing key is invalid. Only the former is reconcilable against the other side of an intersection.
            let unrecognized;
            // Reflect.ownKeys for Symbol-key support; filter non-enumerable to match z.object()
            for (const key of Reflect.ownKeys(input)) {
                if (key === "__proto__")
                    continue;
                if (!Object.prototype.propertyIsEnumerable.call(input, key))
                    continue;
                let keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
                if (keyResult instanceof Promise) {
                    throw new Error("Async schemas not supported in object keys currently");
                }
                // Numeric string fallback: if key is a numeric string and failed, retry with Number(key). This handles z.number(), z.literal([1, 2, 3]), and unions containing numeric literals
                const checkNumericKey = typeof key === "string" && number.test(key) && keyResult.issues.length;
                if (checkNumericKey) {
                    const retryResult = def.keyType._zod.run({ value: Number(key), issues: [] }, ctx);
                    if (retryResult instanceof Promise) {
                        throw new Error("Async schemas not supported in object keys currently");
                    }
                    if (retryResult.issues.length === 0) {
                        keyResult = retryResult;
                    }
                }
                if (keyResult.issues.length) {
                    if (def.mode === "loose") {
                        // Pass through unchanged
                        payload.value[key] = input[key];
                    }
                    else if (values) {
                        unrecognized = unrecognized ?? [];
                        unrecognized.push(key);
                    }
                    else {
                        // Default "strict" behavior: error on invalid key
                        payload.issues.push({
                            code: "invalid_key",
                            origin: "record",
                            issues: keyResult.issues.map((iss) => core_util/* finalizeIssue */.iR(iss, ctx, core_core/* config */.$W())),
                            input: key,
                            path: [key],
                            inst,
                        });
                    }
                    continue;
                }
                // the guard above tests the raw input key, but the key schema can normalize an ordinary key into __proto__; re-check the key we actually write under
                const outKey = keyResult.value;
                if (outKey === "__proto__")
                    continue;
                const result = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
                if (result instanceof Promise) {
                    proms.push(result.then((result) => {
                        if (result.issues.length) {
                            payload.issues.push(...core_util/* prefixIssues */.lQ(key, result.issues));
                        }
                        payload.value[outKey] = result.value;
                    }));
                }
                else {
                    if (result.issues.length) {
                        payload.issues.push(...core_util/* prefixIssues */.lQ(key, result.issues));
                    }
                    payload.value[outKey] = result.value;
                }
            }
            if (unrecognized && unrecognized.length > 0) {
                payload.issues.push({
                    code: "unrecognized_keys",
                    input,
                    inst,
                    keys: unrecognized,
                    continue: true,
                });
            }
        }
        if (proms.length) {
            return Promise.all(proms).then(() => payload);
        }
        return payload;
    };
});
const $ZodMap = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodMap", (inst, def) => {
    $ZodType.init(inst, def);
    const memo = core.globalConfig.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!(input instanceof Map)) {
            payload.issues.push({
                expected: "map",
                code: "invalid_type",
                input,
                inst,
            });
            return payload;
        }
        const proms = [];
        payload.value = memo ? memo.alloc(inst, payload, new Map(), ctx) : new Map();
        const abortEarly = ctx?.abortEarly;
        let seen = payload.issues.length;
        for (const [key, value] of input) {
            if (abortEarly && payload.issues.length !== seen) {
                if (util.aborted(payload, seen))
                    break;
                seen = payload.issues.length;
            }
            const keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
            const valueResult = def.valueType._zod.run({ value: value, issues: [] }, ctx);
            if (keyResult instanceof Promise || valueResult instanceof Promise) {
                proms.push(Promise.all([keyResult, valueResult]).then(([keyResult, valueResult]) => {
                    handleMapResult(keyResult, valueResult, payload, key, input, inst, ctx);
                }));
            }
            else {
                handleMapResult(keyResult, valueResult, payload, key, input, inst, ctx);
            }
        }
        if (proms.length)
            return Promise.all(proms).then(() => payload);
        return payload;
    };
    capSize(inst, mapSize);
})));
function handleMapResult(keyResult, valueResult, final, key, input, inst, ctx) {
    if (keyResult.issues.length) {
        if (util.propertyKeyTypes.has(typeof key)) {
            final.issues.push(...util.prefixIssues(key, keyResult.issues));
        }
        else {
            final.issues.push({
                code: "invalid_key",
                origin: "map",
                input,
                inst,
                issues: keyResult.issues.map((iss) => util.finalizeIssue(iss, ctx, core.config())),
            });
        }
    }
    if (valueResult.issues.length) {
        if (util.propertyKeyTypes.has(typeof key)) {
            final.issues.push(...util.prefixIssues(key, valueResult.issues));
        }
        else {
            final.issues.push({
                origin: "map",
                code: "invalid_element",
                input,
                inst,
                key: key,
                issues: valueResult.issues.map((iss) => util.finalizeIssue(iss, ctx, core.config())),
            });
        }
    }
    final.value.set(keyResult.value, valueResult.value);
}
const $ZodSet = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodSet", (inst, def) => {
    $ZodType.init(inst, def);
    const memo = core.globalConfig.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!(input instanceof Set)) {
            payload.issues.push({
                input,
                inst,
                expected: "set",
                code: "invalid_type",
            });
            return payload;
        }
        const proms = [];
        payload.value = memo ? memo.alloc(inst, payload, new Set(), ctx) : new Set();
        const abortEarly = ctx?.abortEarly;
        let seen = payload.issues.length;
        for (const item of input) {
            if (abortEarly && payload.issues.length !== seen) {
                if (util.aborted(payload, seen))
                    break;
                seen = payload.issues.length;
            }
            const result = def.valueType._zod.run({ value: item, issues: [] }, ctx);
            if (result instanceof Promise) {
                proms.push(result.then((result) => handleSetResult(result, payload)));
            }
            else
                handleSetResult(result, payload);
        }
        if (proms.length)
            return Promise.all(proms).then(() => payload);
        return payload;
    };
    capSize(inst, setSize);
})));
function handleSetResult(result, final) {
    if (result.issues.length) {
        final.issues.push(...result.issues);
    }
    final.value.add(result.value);
}
const $ZodEnum = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodEnum", (inst, def) => {
    $ZodType.init(inst, def);
    const values = core_util/* getEnumValues */.w5(def.entries);
    const valuesSet = new Set(values);
    inst._zod.values = valuesSet;
    core_util/* defineLazyInternal */.v5(inst, "pattern", (zod) => {
        const patternValues = core_util/* getEnumValues */.w5(zod.def.entries).filter((k) => core_util/* propertyKeyTypes */.qQ.has(typeof k));
        // unmatchable fallback, RE2-safe: an empty alternation would compile to /^()$/, which matches ""
        return new RegExp(patternValues.length ? `^(${patternValues.map((o) => core_util/* escapeRegex */.sD(o.toString())).join("|")})$` : "^[^\\s\\S]$");
    });
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (valuesSet.has(input)) {
            return payload;
        }
        payload.issues.push({
            code: "invalid_value",
            values,
            input,
            inst,
        });
        return payload;
    };
});
const $ZodLiteral = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodLiteral", (inst, def) => {
    $ZodType.init(inst, def);
    const values = new Set(def.values);
    inst._zod.values = values;
    core_util/* defineLazyInternal */.v5(inst, "pattern", (zod) => {
        const vals = zod.def.values;
        // unmatchable fallback, RE2-safe: an empty alternation would compile to /^()$/, which matches ""
        return new RegExp(vals.length
            ? `^(${vals
                .map((o) => typeof o === "string" ? core_util/* escapeRegex */.sD(o) : o ? core_util/* escapeRegex */.sD(o.toString()) : String(o))
                .join("|")})$`
            : "^[^\\s\\S]$");
    });
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (values.has(input)) {
            return payload;
        }
        payload.issues.push({
            code: "invalid_value",
            values: def.values,
            input,
            inst,
        });
        return payload;
    };
});
const $ZodFile = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodFile", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        // @ts-ignore
        if (input instanceof File)
            return payload;
        payload.issues.push({
            expected: "file",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodTransform = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodTransform", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.optin = "optional";
    core_core/* globalConfig */.cr.memoizer?.guard(inst);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            throw new core_core/* $ZodEncodeError */.cV(inst.constructor.name);
        }
        const _out = def.transform(payload.value, payload);
        if (ctx.async) {
            const output = _out instanceof Promise ? _out : Promise.resolve(_out);
            return output.then((output) => {
                payload.value = output;
                return payload;
            });
        }
        if (_out instanceof Promise) {
            throw new core_core/* $ZodAsyncError */.GT();
        }
        payload.value = _out;
        return payload;
    };
});
function handleOptionalResult(payload, result) {
    // A substituting schema that still failed has no usable answer; yield undefined. Its issues are simply dropped: it ran on a payload of its own, so there is no shared array to truncate and nothing of the caller's to lose with it.
    payload.value = result.issues.length ? undefined : result.value;
    return payload;
}
const $ZodOptional = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodOptional", (inst, def) => {
    $ZodType.init(inst, def);
    // .optional() propagates absence rather than substituting for it, so a defaulted inner keeps its rung.
    core_util/* defineLazyInternal */.v5(inst, "optin", (zod) => zod.def.innerType._zod.optin === "defaulted" ? "defaulted" : "optional");
    inst._zod.optout = "optional";
    core_util/* defineLazyInternal */.v5(inst, "values", (zod) => {
        const values = zod.def.innerType._zod.values;
        return values ? new Set([...values, undefined]) : undefined;
    });
    core_util/* defineLazyInternal */.v5(inst, "pattern", (zod) => {
        const pattern = zod.def.innerType._zod.pattern;
        return pattern ? new RegExp(`^(${core_util/* cleanRegex */.p6(pattern.source)})?$`) : undefined;
    });
    inst._zod.parse = (payload, ctx) => {
        if (payload.value === undefined) {
            // Only the top rung substitutes a value for absence; everything else leaves it intact, which is what .optional() means.
            if (def.innerType._zod.optin !== "defaulted")
                return payload;
            // Its own payload, for the same reason $ZodCatch gets one: a pipe forwards an unrecognized key through the caller's issues array, and this must not read that as the substituting schema failing and drop it.
            const result = def.innerType._zod.run({ value: payload.value, issues: [] }, ctx);
            if (result instanceof Promise)
                return result.then((result) => handleOptionalResult(payload, result));
            return handleOptionalResult(payload, result);
        }
        return def.innerType._zod.run(payload, ctx);
    };
});
const $ZodExactOptional = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodExactOptional", (inst, def) => {
    // Call parent init - inherits optin/optout = "optional"
    $ZodOptional.init(inst, def);
    // Override values/pattern to NOT add undefined
    core_util/* defineLazyInternal */.v5(inst, "values", (zod) => zod.def.innerType._zod.values);
    core_util/* defineLazyInternal */.v5(inst, "pattern", (zod) => zod.def.innerType._zod.pattern);
    // Override parse to just delegate (no undefined handling)
    inst._zod.parse = (payload, ctx) => {
        return def.innerType._zod.run(payload, ctx);
    };
});
const $ZodNullable = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodNullable", (inst, def) => {
    $ZodType.init(inst, def);
    core_util/* defineLazyInternal */.v5(inst, "optin", (zod) => zod.def.innerType._zod.optin);
    core_util/* defineLazyInternal */.v5(inst, "optout", (zod) => zod.def.innerType._zod.optout);
    core_util/* defineLazyInternal */.v5(inst, "pattern", (zod) => {
        const pattern = zod.def.innerType._zod.pattern;
        return pattern ? new RegExp(`^(${core_util/* cleanRegex */.p6(pattern.source)}|null)$`) : undefined;
    });
    core_util/* defineLazyInternal */.v5(inst, "values", (zod) => {
        return zod.def.innerType._zod.values ? new Set([...zod.def.innerType._zod.values, null]) : undefined;
    });
    inst._zod.parse = (payload, ctx) => {
        // Forward direction (decode): allow null to pass through
        if (payload.value === null)
            return payload;
        return def.innerType._zod.run(payload, ctx);
    };
});
const $ZodDefault = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodDefault", (inst, def) => {
    $ZodType.init(inst, def);
    // inst._zod.qin = "true";
    inst._zod.optin = "defaulted";
    core_util/* defineLazyInternal */.v5(inst, "values", (zod) => zod.def.innerType._zod.values);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            return def.innerType._zod.run(payload, ctx);
        }
        // Forward direction (decode): apply defaults for undefined input
        if (payload.value === undefined) {
            payload.value = def.defaultValue;
            /**
             * $ZodDefault returns the default value immediately in forward direction.
             * It doesn't pass the default value into the validator ("prefault"). There's no reason to pass the default value through validation. The validity of the default is enforced by TypeScript statically. Otherwise, it's the responsibility of the user to ensure the default is valid. In the case of pipes with divergent in/out types, you can specify the default on the `in` schema of your ZodPipe to set a "prefault" for the pipe.   */
            return payload;
        }
        // Forward direction: continue with default handling
        const result = def.innerType._zod.run(payload, ctx);
        if (result instanceof Promise) {
            return result.then((result) => handleDefaultResult(result, def));
        }
        return handleDefaultResult(result, def);
    };
});
function handleDefaultResult(payload, def) {
    if (payload.value === undefined) {
        payload.value = def.defaultValue;
    }
    return payload;
}
const $ZodPrefault = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodPrefault", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.optin = "defaulted";
    core_util/* defineLazyInternal */.v5(inst, "values", (zod) => zod.def.innerType._zod.values);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            return def.innerType._zod.run(payload, ctx);
        }
        // Forward direction (decode): apply prefault for undefined input
        if (payload.value === undefined) {
            payload.value = def.defaultValue;
        }
        return def.innerType._zod.run(payload, ctx);
    };
});
const $ZodNonOptional = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodNonOptional", (inst, def) => {
    $ZodType.init(inst, def);
    core_util/* defineLazyInternal */.v5(inst, "values", (zod) => {
        const v = zod.def.innerType._zod.values;
        return v ? new Set([...v].filter((x) => x !== undefined)) : undefined;
    });
    inst._zod.parse = (payload, ctx) => {
        const result = def.innerType._zod.run(payload, ctx);
        if (result instanceof Promise) {
            return result.then((result) => handleNonOptionalResult(result, inst));
        }
        return handleNonOptionalResult(result, inst);
    };
});
function handleNonOptionalResult(payload, inst) {
    if (!payload.issues.length && payload.value === undefined) {
        payload.issues.push({
            code: "invalid_type",
            expected: "nonoptional",
            input: payload.value,
            inst,
        });
    }
    return payload;
}
const $ZodSuccess = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodSuccess", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            throw new core.$ZodEncodeError("ZodSuccess");
        }
        const result = def.innerType._zod.run(payload, ctx);
        if (result instanceof Promise) {
            return result.then((result) => {
                payload.value = result.issues.length === 0;
                return payload;
            });
        }
        payload.value = result.issues.length === 0;
        return payload;
    };
})));
function handleCatchResult(payload, result, def, ctx) {
    if (!result.issues.length) {
        payload.value = result.value;
        // The value carries up, so the flag describing it has to carry with it: a back-edge into a node still being parsed must not be frozen by an enclosing readonly, and its checks belong to the node itself. Guarded so the ordinary case adds no own property.
        if (result.memo)
            payload.memo = true;
        return payload;
    }
    // Spread the inner's own payload, not ours: `value` has to stay the input the catch was handed, and the inner ran on a payload of its own so its issues are already private to this call.
    payload.value = def.catchValue({
        ...result,
        value: payload.value,
        error: {
            issues: result.issues.map((iss) => core_util/* finalizeIssue */.iR(iss, ctx, core_core/* config */.$W())),
        },
        input: payload.value,
    });
    return payload;
}
const $ZodCatch = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCatch", (inst, def) => {
    $ZodType.init(inst, def);
    core_util/* defineLazyInternal */.v5(inst, "optin", (zod) => zod.def.innerType._zod.optin === "defaulted" ? "defaulted" : "optional");
    core_util/* defineLazyInternal */.v5(inst, "optout", (zod) => zod.def.innerType._zod.optout);
    core_util/* defineLazyInternal */.v5(inst, "values", (zod) => zod.def.innerType._zod.values);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            return def.innerType._zod.run(payload, ctx);
        }
        // Forward direction (decode): apply catch logic
        const result = def.innerType._zod.run({ value: payload.value, issues: [] }, ctx);
        if (result instanceof Promise) {
            return result.then((result) => handleCatchResult(payload, result, def, ctx));
        }
        return handleCatchResult(payload, result, def, ctx);
    };
});
const $ZodNaN = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodNaN", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        if (typeof payload.value !== "number" || !Number.isNaN(payload.value)) {
            payload.issues.push({
                input: payload.value,
                inst,
                expected: "nan",
                code: "invalid_type",
            });
            return payload;
        }
        return payload;
    };
})));
const $ZodPipe = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodPipe", (inst, def) => {
    $ZodType.init(inst, def);
    core_util/* defineLazyInternal */.v5(inst, "values", (zod) => zod.def.in._zod.values);
    core_util/* defineLazyInternal */.v5(inst, "optin", (zod) => zod.def.in._zod.optin);
    core_util/* defineLazyInternal */.v5(inst, "optout", (zod) => zod.def.out._zod.optout);
    core_util/* defineLazyInternal */.v5(inst, "propValues", (zod) => zod.def.in._zod.propValues);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            const right = def.out._zod.run(payload, ctx);
            if (right instanceof Promise) {
                return right.then((right) => handlePipeResult(right, def.in, ctx));
            }
            return handlePipeResult(right, def.in, ctx);
        }
        const left = def.in._zod.run(payload, ctx);
        if (left instanceof Promise) {
            return left.then((left) => handlePipeResult(left, def.out, ctx));
        }
        return handlePipeResult(left, def.out, ctx);
    };
});
function handlePipeResult(left, next, ctx) {
    // Any issue stops the pipe, so a failing refinement never feeds its transform. An unrecognized key is the exception: it describes the input's extra properties, not the value being piped, and an enclosing intersection may yet reconcile it.
    if (left.issues.some((iss) => iss.code !== "unrecognized_keys")) {
        // prevent further checks
        left.aborted = true;
        return left;
    }
    return next._zod.run({ value: left.value, issues: left.issues }, ctx);
}
const $ZodCodec = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCodec", (inst, def) => {
    $ZodType.init(inst, def);
    util.defineLazyInternal(inst, "values", (zod) => zod.def.in._zod.values);
    util.defineLazyInternal(inst, "optin", (zod) => zod.def.in._zod.optin);
    util.defineLazyInternal(inst, "optout", (zod) => zod.def.out._zod.optout);
    util.defineLazyInternal(inst, "propValues", (zod) => zod.def.in._zod.propValues);
    inst._zod.parse = (payload, ctx) => {
        const direction = ctx.direction || "forward";
        if (direction === "forward") {
            const left = def.in._zod.run(payload, ctx);
            if (left instanceof Promise) {
                return left.then((left) => handleCodecAResult(left, def, ctx));
            }
            return handleCodecAResult(left, def, ctx);
        }
        else {
            const right = def.out._zod.run(payload, ctx);
            if (right instanceof Promise) {
                return right.then((right) => handleCodecAResult(right, def, ctx));
            }
            return handleCodecAResult(right, def, ctx);
        }
    };
})));
function handleCodecAResult(result, def, ctx) {
    if (result.issues.length) {
        // prevent further checks
        result.aborted = true;
        return result;
    }
    const direction = ctx.direction || "forward";
    if (direction === "forward") {
        const transformed = def.transform(result.value, result);
        if (transformed instanceof Promise) {
            return transformed.then((value) => handleCodecTxResult(result, value, def.out, ctx));
        }
        return handleCodecTxResult(result, transformed, def.out, ctx);
    }
    else {
        const transformed = def.reverseTransform(result.value, result);
        if (transformed instanceof Promise) {
            return transformed.then((value) => handleCodecTxResult(result, value, def.in, ctx));
        }
        return handleCodecTxResult(result, transformed, def.in, ctx);
    }
}
function handleCodecTxResult(left, value, nextSchema, ctx) {
    // Check if transform added any issues
    if (left.issues.length) {
        left.aborted = true;
        return left;
    }
    return nextSchema._zod.run({ value, issues: left.issues }, ctx);
}
const $ZodPreprocess = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodPreprocess", (inst, def) => {
    $ZodPipe.init(inst, def);
})));
const $ZodReadonly = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodReadonly", (inst, def) => {
    $ZodType.init(inst, def);
    core_util/* defineLazyInternal */.v5(inst, "propValues", (zod) => zod.def.innerType._zod.propValues);
    core_util/* defineLazyInternal */.v5(inst, "values", (zod) => zod.def.innerType._zod.values);
    core_util/* defineLazyInternal */.v5(inst, "optin", (zod) => zod.def.innerType?._zod?.optin);
    core_util/* defineLazyInternal */.v5(inst, "optout", (zod) => zod.def.innerType?._zod?.optout);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            return def.innerType._zod.run(payload, ctx);
        }
        const result = def.innerType._zod.run(payload, ctx);
        if (result instanceof Promise) {
            return result.then(handleReadonlyResult);
        }
        return handleReadonlyResult(result);
    };
});
function handleReadonlyResult(payload) {
    // A repeat visit hands back a node that is still being built; freezing it here would make the rest of its keys fail to assign.
    if (!payload.memo)
        payload.value = Object.freeze(payload.value);
    return payload;
}
// a leaf's pattern source with its own checks folded in: the last pattern-carrying check wins, else length bounds narrow the catch-all, else an integer format narrows the number form. the fold lives here instead of on `_zod.pattern` so a bundle without template literals never pays for it
function leafPattern(schema) {
    const def = schema._zod.def;
    let pattern = def.pattern;
    let isInt = !!def.format?.includes("int");
    let minimum;
    let maximum;
    for (const ch of def.checks ?? []) {
        const d = ch._zod.def;
        if (d.pattern)
            pattern = d.pattern;
        isInt || (isInt = !!d.format?.includes("int"));
        const lo = d.minimum ?? d.length;
        const hi = d.maximum ?? d.length;
        if (lo !== undefined && (minimum === undefined || lo > minimum))
            minimum = lo;
        if (hi !== undefined && (maximum === undefined || hi < maximum))
            maximum = hi;
    }
    if (pattern)
        return pattern.source;
    // an empty range matches nothing at runtime, and `{8,5}` is not a legal quantifier
    if (minimum !== undefined && maximum !== undefined && minimum > maximum)
        return "(?!)";
    if (minimum !== undefined || maximum !== undefined)
        return regexes.string({ minimum, maximum }).source;
    const own = schema._zod.pattern;
    return (isInt && own === regexes.number ? regexes.integer : own)?.source;
}
// a part's pattern source. a wrapper's pattern embeds its inner pattern's source verbatim, so the folded form is substituted in place without knowing the wrapper's own composition; a union's options are joined the way the union builds its own pattern
function partPattern(schema) {
    const def = schema._zod.def;
    const own = schema._zod.pattern?.source;
    // lazy resolves its inner on the internals, not the def
    const inner = def.innerType ?? schema._zod.innerType;
    if (inner) {
        const before = inner._zod.pattern?.source;
        const after = partPattern(inner);
        if (own && before && after && after !== before) {
            return own.replace(util.cleanRegex(before), () => util.cleanRegex(after));
        }
        return own;
    }
    if (def.options) {
        const sources = def.options.map(partPattern);
        if (sources.every(Boolean))
            return `^(${sources.map((s) => util.cleanRegex(s)).join("|")})$`;
    }
    return leafPattern(schema);
}
const $ZodTemplateLiteral = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodTemplateLiteral", (inst, def) => {
    $ZodType.init(inst, def);
    const regexParts = [];
    for (const part of def.parts) {
        if (typeof part === "object" && part !== null) {
            // is Zod schema
            const source = partPattern(part);
            if (!source) {
                throw new Error(`Invalid template literal part, no pattern found: ${[...part._zod.traits].shift()}`);
            }
            regexParts.push(util.cleanRegex(source));
        }
        else if (part === null || util.primitiveTypes.has(typeof part)) {
            regexParts.push(util.escapeRegex(`${part}`));
        }
        else {
            throw new Error(`Invalid template literal part: ${part}`);
        }
    }
    inst._zod.pattern = new RegExp(`^${regexParts.join("")}$`);
    inst._zod.parse = (payload, _ctx) => {
        if (typeof payload.value !== "string") {
            payload.issues.push({
                input: payload.value,
                inst,
                expected: "string",
                code: "invalid_type",
            });
            return payload;
        }
        inst._zod.pattern.lastIndex = 0;
        if (!inst._zod.pattern.test(payload.value)) {
            payload.issues.push({
                input: payload.value,
                inst,
                code: "invalid_format",
                format: def.format ?? "template_literal",
                pattern: inst._zod.pattern.source,
            });
            return payload;
        }
        return payload;
    };
})));
const $ZodFunction = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodFunction", (inst, def) => {
    $ZodType.init(inst, def);
    // Defined, not assigned: the classic prototype exposes `_def` as a getter with no setter.
    Object.defineProperty(inst, "_def", { value: def });
    inst._zod.def = def;
    inst.implement = (func) => {
        if (typeof func !== "function") {
            throw new Error("implement() must be called with a function");
        }
        // Defined inline so the closure stays anonymous: binding it to a `const` first names it, which costs 256 bytes per implemented function.
        return Object.defineProperty(function (...args) {
            const parsedArgs = inst._def.input ? parse(inst._def.input, args) : args;
            const result = Reflect.apply(func, this, parsedArgs);
            if (inst._def.output) {
                return parse(inst._def.output, result);
            }
            return result;
        }, "_zod", { value: inst._zod, enumerable: false });
    };
    inst.implementAsync = (func) => {
        if (typeof func !== "function") {
            throw new Error("implementAsync() must be called with a function");
        }
        return Object.defineProperty(async function (...args) {
            const parsedArgs = inst._def.input ? await parseAsync(inst._def.input, args) : args;
            const result = await Reflect.apply(func, this, parsedArgs);
            if (inst._def.output) {
                return await parseAsync(inst._def.output, result);
            }
            return result;
        }, "_zod", { value: inst._zod, enumerable: false });
    };
    inst._zod.parse = (payload, _ctx) => {
        if (typeof payload.value !== "function") {
            payload.issues.push({
                code: "invalid_type",
                expected: "function",
                input: payload.value,
                inst,
            });
            return payload;
        }
        // Check if output is a promise type to determine if we should use async implementation
        const hasPromiseOutput = inst._def.output && inst._def.output._zod.def.type === "promise";
        if (hasPromiseOutput) {
            payload.value = inst.implementAsync(payload.value);
        }
        else {
            payload.value = inst.implement(payload.value);
        }
        return payload;
    };
    inst.input = (...args) => {
        const F = inst.constructor;
        if (Array.isArray(args[0])) {
            return new F({
                type: "function",
                input: new $ZodTuple({
                    type: "tuple",
                    items: args[0],
                    rest: args[1],
                }),
                output: inst._def.output,
            });
        }
        return new F({
            type: "function",
            input: args[0],
            output: inst._def.output,
        });
    };
    inst.output = (output) => {
        const F = inst.constructor;
        return new F({
            type: "function",
            input: inst._def.input,
            output,
        });
    };
    return inst;
})));
const $ZodPromise = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodPromise", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, ctx) => {
        return Promise.resolve(payload.value).then((inner) => def.innerType._zod.run({ value: inner, issues: [] }, ctx));
    };
})));
const $ZodLazy = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodLazy", (inst, def) => {
    $ZodType.init(inst, def);
    // Cache the resolved inner type on the shared `def` so all clones of this lazy (e.g. via `.describe()`/`.meta()`) share the same inner instance, preserving identity for cycle detection on recursive schemas.
    util.defineLazy(inst._zod, "innerType", () => {
        const d = def;
        if (!d._cachedInner)
            d._cachedInner = def.getter();
        return d._cachedInner;
    });
    util.defineLazyInternal(inst, "pattern", (zod) => zod.innerType?._zod?.pattern);
    util.defineLazyInternal(inst, "propValues", (zod) => zod.innerType?._zod?.propValues);
    util.defineLazyInternal(inst, "optin", (zod) => zod.innerType?._zod?.optin ?? undefined);
    util.defineLazyInternal(inst, "optout", (zod) => zod.innerType?._zod?.optout ?? undefined);
    inst._zod.parse = (payload, ctx) => {
        const inner = inst._zod.innerType;
        return inner._zod.run(payload, ctx);
    };
})));
const $ZodCustom = /*@__PURE__*/ core_core/* $constructor */.xI("$ZodCustom", (inst, def) => {
    $ZodCheck.init(inst, def);
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _) => {
        return payload;
    };
    inst._zod.check = (payload) => {
        const input = payload.value;
        const r = def.fn(input);
        if (r instanceof Promise) {
            return r.then((r) => handleRefineResult(r, payload, input, inst));
        }
        handleRefineResult(r, payload, input, inst);
        return;
    };
});
function handleRefineResult(result, payload, input, inst) {
    if (!result) {
        const _iss = {
            code: "custom",
            input,
            inst, // incorporates params.error into issue reporting
            path: [...(inst._zod.def.path ?? [])], // incorporates params.error into issue reporting
            continue: !inst._zod.def.abort,
            // params: inst._zod.def.params,
        };
        if (inst._zod.def.params)
            _iss.params = inst._zod.def.params;
        payload.issues.push(core_util/* issue */.sn(_iss));
    }
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/registries.js
var _a;
const $output = /*@__PURE__*/ (/* unused pure expression or super */ null && (Symbol("ZodOutput")));
const $input = /*@__PURE__*/ (/* unused pure expression or super */ null && (Symbol("ZodInput")));
class $ZodRegistry {
    constructor() {
        this._map = new WeakMap();
        this._idmap = new Map();
    }
    add(schema, ..._meta) {
        const meta = _meta[0];
        this._map.set(schema, meta);
        if (meta && typeof meta === "object" && "id" in meta) {
            this._idmap.set(meta.id, schema);
        }
        return this;
    }
    clear() {
        this._map = new WeakMap();
        this._idmap = new Map();
        return this;
    }
    remove(schema) {
        const meta = this._map.get(schema);
        if (meta && typeof meta === "object" && "id" in meta) {
            this._idmap.delete(meta.id);
        }
        this._map.delete(schema);
        return this;
    }
    get(schema) {
        // return this._map.get(schema) as any;
        // inherit metadata
        const p = schema._zod.parent;
        if (p) {
            const pm = { ...(this.get(p) ?? {}) };
            delete pm.id; // do not inherit id
            const f = { ...pm, ...this._map.get(schema) };
            return Object.keys(f).length ? f : undefined;
        }
        return this._map.get(schema);
    }
    has(schema) {
        return this._map.has(schema);
    }
}
// registries
function registry() {
    return new $ZodRegistry();
}
(_a = globalThis).__zod_globalRegistry ?? (_a.__zod_globalRegistry = registry());
const globalRegistry = globalThis.__zod_globalRegistry;

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/api.js




function snapshotChecks(def) {
    if (def.checks)
        def.checks = [...def.checks];
    return def;
}
// @__NO_SIDE_EFFECTS__
function _string(Class, params) {
    return new Class(snapshotChecks({ type: "string", ...core_util/* normalizeParams */.A2(params) }));
}
// @__NO_SIDE_EFFECTS__
function _coercedString(Class, params) {
    return new Class(snapshotChecks({ type: "string", coerce: true, ...util.normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _email(Class, params) {
    return new Class({
        type: "string",
        format: "email",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _guid(Class, params) {
    return new Class({
        type: "string",
        format: "guid",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uuid(Class, params) {
    return new Class({
        type: "string",
        format: "uuid",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uuidv4(Class, params) {
    return new Class({
        type: "string",
        format: "uuid",
        check: "string_format",
        abort: false,
        version: "v4",
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uuidv6(Class, params) {
    return new Class({
        type: "string",
        format: "uuid",
        check: "string_format",
        abort: false,
        version: "v6",
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uuidv7(Class, params) {
    return new Class({
        type: "string",
        format: "uuid",
        check: "string_format",
        abort: false,
        version: "v7",
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _url(Class, params) {
    return new Class({
        type: "string",
        format: "url",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function api_emoji(Class, params) {
    return new Class({
        type: "string",
        format: "emoji",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _nanoid(Class, params) {
    return new Class({
        type: "string",
        format: "nanoid",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
/**
 * @deprecated CUID v1 is deprecated by its authors due to information leakage
 * (timestamps embedded in the id). Use {@link _cuid2} instead.
 * See https://github.com/paralleldrive/cuid.
 */
// @__NO_SIDE_EFFECTS__
function _cuid(Class, params) {
    return new Class({
        type: "string",
        format: "cuid",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _cuid2(Class, params) {
    return new Class({
        type: "string",
        format: "cuid2",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _ulid(Class, params) {
    return new Class({
        type: "string",
        format: "ulid",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _xid(Class, params) {
    return new Class({
        type: "string",
        format: "xid",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _ksuid(Class, params) {
    return new Class({
        type: "string",
        format: "ksuid",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _ipv4(Class, params) {
    return new Class({
        type: "string",
        format: "ipv4",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _ipv6(Class, params) {
    return new Class({
        type: "string",
        format: "ipv6",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _mac(Class, params) {
    return new Class({
        type: "string",
        format: "mac",
        check: "string_format",
        abort: false,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _cidrv4(Class, params) {
    return new Class({
        type: "string",
        format: "cidrv4",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _cidrv6(Class, params) {
    return new Class({
        type: "string",
        format: "cidrv6",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _base64(Class, params) {
    return new Class({
        type: "string",
        format: "base64",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _base64url(Class, params) {
    return new Class({
        type: "string",
        format: "base64url",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _e164(Class, params) {
    return new Class({
        type: "string",
        format: "e164",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _creditCard(Class, params) {
    return new Class({
        type: "string",
        format: "credit_card",
        check: "string_format",
        abort: false,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _iban(Class, params) {
    return new Class({
        type: "string",
        format: "iban",
        check: "string_format",
        abort: false,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _jwt(Class, params) {
    return new Class({
        type: "string",
        format: "jwt",
        check: "string_format",
        abort: false,
        ...core_util/* normalizeParams */.A2(params),
    });
}
const TimePrecision = {
    Any: null,
    Minute: -1,
    Second: 0,
    Millisecond: 3,
    Microsecond: 6,
};
// @__NO_SIDE_EFFECTS__
function _isoDateTime(Class, params) {
    return new Class({
        type: "string",
        format: "datetime",
        check: "string_format",
        offset: false,
        local: false,
        precision: null,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _isoDate(Class, params) {
    return new Class({
        type: "string",
        format: "date",
        check: "string_format",
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _isoTime(Class, params) {
    return new Class({
        type: "string",
        format: "time",
        check: "string_format",
        precision: null,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _isoDuration(Class, params) {
    return new Class({
        type: "string",
        format: "duration",
        check: "string_format",
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _number(Class, params) {
    return new Class(snapshotChecks({ type: "number", checks: [], ...core_util/* normalizeParams */.A2(params) }));
}
// @__NO_SIDE_EFFECTS__
function _coercedNumber(Class, params) {
    return new Class(snapshotChecks({ type: "number", coerce: true, checks: [], ...util.normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _int(Class, params) {
    return new Class({
        type: "number",
        check: "number_format",
        abort: false,
        format: "safeint",
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _float32(Class, params) {
    return new Class({
        type: "number",
        check: "number_format",
        abort: false,
        format: "float32",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _float64(Class, params) {
    return new Class({
        type: "number",
        check: "number_format",
        abort: false,
        format: "float64",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _int32(Class, params) {
    return new Class({
        type: "number",
        check: "number_format",
        abort: false,
        format: "int32",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uint32(Class, params) {
    return new Class({
        type: "number",
        check: "number_format",
        abort: false,
        format: "uint32",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _boolean(Class, params) {
    return new Class({
        type: "boolean",
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _coercedBoolean(Class, params) {
    return new Class({
        type: "boolean",
        coerce: true,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _bigint(Class, params) {
    return new Class({
        type: "bigint",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _coercedBigint(Class, params) {
    return new Class({
        type: "bigint",
        coerce: true,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _int64(Class, params) {
    return new Class({
        type: "bigint",
        check: "bigint_format",
        abort: false,
        format: "int64",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uint64(Class, params) {
    return new Class({
        type: "bigint",
        check: "bigint_format",
        abort: false,
        format: "uint64",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _symbol(Class, params) {
    return new Class({
        type: "symbol",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function api_undefined(Class, params) {
    return new Class({
        type: "undefined",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function api_null(Class, params) {
    return new Class({
        type: "null",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _any(Class) {
    return new Class({
        type: "any",
    });
}
// @__NO_SIDE_EFFECTS__
function _unknown(Class) {
    return new Class({
        type: "unknown",
    });
}
// @__NO_SIDE_EFFECTS__
function _never(Class, params) {
    return new Class({
        type: "never",
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _void(Class, params) {
    return new Class({
        type: "void",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _date(Class, params) {
    return new Class({
        type: "date",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _coercedDate(Class, params) {
    return new Class({
        type: "date",
        coerce: true,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _nan(Class, params) {
    return new Class({
        type: "nan",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _lt(value, params) {
    return new $ZodCheckLessThan({
        check: "less_than",
        ...core_util/* normalizeParams */.A2(params),
        value,
        inclusive: false,
    });
}
// @__NO_SIDE_EFFECTS__
function _lte(value, params) {
    return new $ZodCheckLessThan({
        check: "less_than",
        ...core_util/* normalizeParams */.A2(params),
        value,
        inclusive: true,
    });
}

// @__NO_SIDE_EFFECTS__
function _gt(value, params) {
    return new $ZodCheckGreaterThan({
        check: "greater_than",
        ...core_util/* normalizeParams */.A2(params),
        value,
        inclusive: false,
    });
}
// @__NO_SIDE_EFFECTS__
function _gte(value, params) {
    return new $ZodCheckGreaterThan({
        check: "greater_than",
        ...core_util/* normalizeParams */.A2(params),
        value,
        inclusive: true,
    });
}

// @__NO_SIDE_EFFECTS__
function _positive(params) {
    return _gt(0, params);
}
// negative
// @__NO_SIDE_EFFECTS__
function _negative(params) {
    return _lt(0, params);
}
// nonpositive
// @__NO_SIDE_EFFECTS__
function _nonpositive(params) {
    return _lte(0, params);
}
// nonnegative
// @__NO_SIDE_EFFECTS__
function _nonnegative(params) {
    return _gte(0, params);
}
// @__NO_SIDE_EFFECTS__
function _multipleOf(value, params) {
    return new $ZodCheckMultipleOf({
        check: "multiple_of",
        ...core_util/* normalizeParams */.A2(params),
        value,
    });
}
// @__NO_SIDE_EFFECTS__
function _maxSize(maximum, params) {
    return new checks.$ZodCheckMaxSize({
        check: "max_size",
        ...util.normalizeParams(params),
        maximum,
    });
}
// @__NO_SIDE_EFFECTS__
function _minSize(minimum, params) {
    return new checks.$ZodCheckMinSize({
        check: "min_size",
        ...util.normalizeParams(params),
        minimum,
    });
}
// @__NO_SIDE_EFFECTS__
function _size(size, params) {
    return new checks.$ZodCheckSizeEquals({
        check: "size_equals",
        ...util.normalizeParams(params),
        size,
    });
}
// @__NO_SIDE_EFFECTS__
function _maxLength(maximum, params) {
    const ch = new $ZodCheckMaxLength({
        check: "max_length",
        ...core_util/* normalizeParams */.A2(params),
        maximum,
    });
    return ch;
}
// @__NO_SIDE_EFFECTS__
function _minLength(minimum, params) {
    return new $ZodCheckMinLength({
        check: "min_length",
        ...core_util/* normalizeParams */.A2(params),
        minimum,
    });
}
// @__NO_SIDE_EFFECTS__
function _length(length, params) {
    return new $ZodCheckLengthEquals({
        check: "length_equals",
        ...core_util/* normalizeParams */.A2(params),
        length,
    });
}
// @__NO_SIDE_EFFECTS__
function _regex(pattern, params) {
    return new $ZodCheckRegex({
        check: "string_format",
        format: "regex",
        ...core_util/* normalizeParams */.A2(params),
        pattern,
    });
}
// @__NO_SIDE_EFFECTS__
function _lowercase(params) {
    return new $ZodCheckLowerCase({
        check: "string_format",
        format: "lowercase",
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uppercase(params) {
    return new $ZodCheckUpperCase({
        check: "string_format",
        format: "uppercase",
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _includes(includes, params) {
    return new $ZodCheckIncludes({
        check: "string_format",
        format: "includes",
        ...core_util/* normalizeParams */.A2(params),
        includes,
    });
}
// @__NO_SIDE_EFFECTS__
function _startsWith(prefix, params) {
    return new $ZodCheckStartsWith({
        check: "string_format",
        format: "starts_with",
        ...core_util/* normalizeParams */.A2(params),
        prefix,
    });
}
// @__NO_SIDE_EFFECTS__
function _endsWith(suffix, params) {
    return new $ZodCheckEndsWith({
        check: "string_format",
        format: "ends_with",
        ...core_util/* normalizeParams */.A2(params),
        suffix,
    });
}
// @__NO_SIDE_EFFECTS__
function _property(property, schema, params) {
    return new checks.$ZodCheckProperty({
        check: "property",
        property,
        schema,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _properties(shape, params) {
    return new $ZodCheckProperties({
        check: "properties",
        shape,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _mime(types, params) {
    return new checks.$ZodCheckMimeType({
        check: "mime_type",
        mime: types,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _overwrite(tx) {
    return new $ZodCheckOverwrite({
        check: "overwrite",
        tx,
    });
}
// normalize
// @__NO_SIDE_EFFECTS__
function _normalize(form) {
    return _overwrite((input) => input.normalize(form));
}
// trim
// @__NO_SIDE_EFFECTS__
function _trim() {
    return _overwrite((input) => input.trim());
}
// toLowerCase
// @__NO_SIDE_EFFECTS__
function _toLowerCase() {
    return _overwrite((input) => input.toLowerCase());
}
// toUpperCase
// @__NO_SIDE_EFFECTS__
function _toUpperCase() {
    return _overwrite((input) => input.toUpperCase());
}
// slugify
// @__NO_SIDE_EFFECTS__
function _slugify() {
    return _overwrite((input) => core_util/* slugify */.Yv(input));
}
// @__NO_SIDE_EFFECTS__
function _array(Class, element, params) {
    return new Class({
        type: "array",
        element,
        // get element() {
        //   return element;
        // },
        ...core_util/* normalizeParams */.A2(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _union(Class, options, params) {
    return new Class({
        type: "union",
        options,
        ...util.normalizeParams(params),
    });
}
function _xor(Class, options, params) {
    return new Class({
        type: "union",
        options,
        inclusive: false,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _discriminatedUnion(Class, discriminator, options, params) {
    return new Class({
        type: "union",
        options: options,
        discriminator,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _intersection(Class, left, right) {
    return new Class({
        type: "intersection",
        left,
        right,
    });
}
// export function _tuple(
//   Class: util.SchemaClass<schemas.$ZodTuple>,
//   items: [],
//   params?: string | $ZodTupleParams
// ): schemas.$ZodTuple<[], null>;
// @__NO_SIDE_EFFECTS__
function _tuple(Class, items, _paramsOrRest, _params) {
    const hasRest = _paramsOrRest instanceof schemas.$ZodType;
    const params = hasRest ? _params : _paramsOrRest;
    const rest = hasRest ? _paramsOrRest : null;
    return new Class({
        type: "tuple",
        items,
        rest,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _record(Class, keyType, valueType, params) {
    return new Class({
        type: "record",
        keyType,
        valueType,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _map(Class, keyType, valueType, params) {
    return new Class({
        type: "map",
        keyType,
        valueType,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _set(Class, valueType, params) {
    return new Class({
        type: "set",
        valueType,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _enum(Class, values, params) {
    const entries = Array.isArray(values) ? Object.fromEntries(values.map((v) => [v, v])) : values;
    // if (Array.isArray(values)) {
    //   for (const value of values) {
    //     entries[value] = value;
    //   }
    // } else {
    //   Object.assign(entries, values);
    // }
    // const entries: util.EnumLike = {};
    // for (const val of values) {
    //   entries[val] = val;
    // }
    return new Class({
        type: "enum",
        entries,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
/** @deprecated This API has been merged into `z.enum()`. Use `z.enum()` instead.
 *
 * ```ts
 * enum Colors { red, green, blue }
 * z.enum(Colors);
 * ```
 */
function _nativeEnum(Class, entries, params) {
    return new Class({
        type: "enum",
        entries,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _literal(Class, value, params) {
    return new Class({
        type: "literal",
        values: Array.isArray(value) ? value : [value],
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _file(Class, params) {
    return new Class({
        type: "file",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _transform(Class, fn) {
    return new Class({
        type: "transform",
        transform: fn,
    });
}
// @__NO_SIDE_EFFECTS__
function _optional(Class, innerType) {
    return new Class({
        type: "optional",
        innerType,
    });
}
// @__NO_SIDE_EFFECTS__
function _nullable(Class, innerType) {
    return new Class({
        type: "nullable",
        innerType,
    });
}
// @__NO_SIDE_EFFECTS__
function _default(Class, innerType, defaultValue) {
    return new Class({
        type: "default",
        innerType,
        get defaultValue() {
            return typeof defaultValue === "function" ? defaultValue() : util.shallowClone(defaultValue);
        },
    });
}
// @__NO_SIDE_EFFECTS__
function _nonoptional(Class, innerType, params) {
    return new Class({
        type: "nonoptional",
        innerType,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _success(Class, innerType) {
    return new Class({
        type: "success",
        innerType,
    });
}
// @__NO_SIDE_EFFECTS__
function _catch(Class, innerType, catchValue) {
    return new Class({
        type: "catch",
        innerType,
        catchValue: (typeof catchValue === "function" ? catchValue : util.constantCatch(catchValue)),
    });
}
// @__NO_SIDE_EFFECTS__
function _pipe(Class, in_, out) {
    return new Class({
        type: "pipe",
        in: in_,
        out,
    });
}
// @__NO_SIDE_EFFECTS__
function _readonly(Class, innerType) {
    return new Class({
        type: "readonly",
        innerType,
    });
}
// @__NO_SIDE_EFFECTS__
function _templateLiteral(Class, parts, params) {
    return new Class({
        type: "template_literal",
        parts,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _lazy(Class, getter) {
    return new Class({
        type: "lazy",
        getter,
    });
}
// @__NO_SIDE_EFFECTS__
function _promise(Class, innerType) {
    return new Class({
        type: "promise",
        innerType,
    });
}
// @__NO_SIDE_EFFECTS__
function _custom(Class, fn, _params) {
    const norm = util.normalizeParams(_params);
    norm.abort ?? (norm.abort = true); // default to abort:false
    const schema = new Class({
        type: "custom",
        check: "custom",
        fn: fn,
        ...norm,
    });
    return schema;
}
// same as _custom but defaults to abort:false
// @__NO_SIDE_EFFECTS__
function _refine(Class, fn, _params) {
    const schema = new Class({
        type: "custom",
        check: "custom",
        fn: fn,
        ...core_util/* normalizeParams */.A2(_params),
    });
    return schema;
}
// @__NO_SIDE_EFFECTS__
function _superRefine(fn, params) {
    const ch = _check((payload) => {
        payload.addIssue = (issue) => {
            if (typeof issue === "string") {
                payload.issues.push(core_util/* issue */.sn(issue, payload.value, ch._zod.def));
            }
            else {
                // for Zod 3 backwards compatibility
                const _issue = issue;
                if (_issue.fatal)
                    _issue.continue = false;
                _issue.code ?? (_issue.code = "custom");
                if (!("input" in _issue))
                    _issue.input = payload.value;
                _issue.inst ?? (_issue.inst = ch);
                _issue.continue ?? (_issue.continue = !ch._zod.def.abort); // abort is always undefined, so this is always true...
                payload.issues.push(core_util/* issue */.sn(_issue));
            }
        };
        return fn(payload.value, payload);
    }, params);
    return ch;
}
// @__NO_SIDE_EFFECTS__
function _check(fn, params) {
    const ch = new $ZodCheck({
        check: "custom",
        ...core_util/* normalizeParams */.A2(params),
    });
    ch._zod.check = fn;
    return ch;
}
// @__NO_SIDE_EFFECTS__
function describe(description) {
    const ch = new $ZodCheck({ check: "describe" });
    ch._zod.onattach = [
        (inst) => {
            const existing = globalRegistry.get(inst) ?? {};
            globalRegistry.add(inst, { ...existing, description });
        },
    ];
    ch._zod.check = () => { }; // no-op check
    return ch;
}
// @__NO_SIDE_EFFECTS__
function meta(metadata) {
    const ch = new $ZodCheck({ check: "meta" });
    ch._zod.onattach = [
        (inst) => {
            const existing = globalRegistry.get(inst) ?? {};
            globalRegistry.add(inst, { ...existing, ...metadata });
        },
    ];
    ch._zod.check = () => { }; // no-op check
    return ch;
}
// @__NO_SIDE_EFFECTS__
function _stringbool(Classes, _params) {
    const params = util.normalizeParams(_params);
    let truthyArray = params.truthy ?? ["true", "1", "yes", "on", "y", "enabled"];
    let falsyArray = params.falsy ?? ["false", "0", "no", "off", "n", "disabled"];
    if (params.case !== "sensitive") {
        truthyArray = truthyArray.map((v) => (typeof v === "string" ? v.toLowerCase() : v));
        falsyArray = falsyArray.map((v) => (typeof v === "string" ? v.toLowerCase() : v));
    }
    const truthySet = new Set(truthyArray);
    const falsySet = new Set(falsyArray);
    const _Codec = Classes.Codec ?? schemas.$ZodCodec;
    const _Boolean = Classes.Boolean ?? schemas.$ZodBoolean;
    const _String = Classes.String ?? schemas.$ZodString;
    const stringSchema = new _String({ type: "string", error: params.error });
    const booleanSchema = new _Boolean({ type: "boolean", error: params.error });
    const codec = new _Codec({
        type: "pipe",
        in: stringSchema,
        out: booleanSchema,
        transform: ((input, payload) => {
            let data = input;
            if (params.case !== "sensitive")
                data = data.toLowerCase();
            if (truthySet.has(data)) {
                return true;
            }
            else if (falsySet.has(data)) {
                return false;
            }
            else {
                payload.issues.push({
                    code: "invalid_value",
                    expected: "stringbool",
                    values: [...truthySet, ...falsySet],
                    input: payload.value,
                    inst: codec,
                    continue: false,
                });
                return {};
            }
        }),
        reverseTransform: ((input, _payload) => {
            if (input === true) {
                return truthyArray[0] || "true";
            }
            else {
                return falsyArray[0] || "false";
            }
        }),
        error: params.error,
    });
    codec._zod.bag.truthy = truthyArray;
    codec._zod.bag.falsy = falsyArray;
    codec._zod.bag.case = params.case ?? "insensitive";
    return codec;
}
// @__NO_SIDE_EFFECTS__
function _stringFormat(Class, format, fnOrRegex, _params = {}) {
    const params = util.normalizeParams(_params);
    const def = {
        check: "string_format",
        type: "string",
        format,
        fn: typeof fnOrRegex === "function" ? fnOrRegex : (val) => fnOrRegex.test(val),
        ...params,
    };
    if (fnOrRegex instanceof RegExp) {
        def.pattern = fnOrRegex;
    }
    const inst = new Class(def);
    return inst;
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/to-json-schema.js


function assignProps(target, ...sources) {
    for (const source of sources) {
        for (const key of Reflect.ownKeys(source)) {
            if (Object.prototype.propertyIsEnumerable.call(source, key)) {
                (0,core_util/* assignProp */.Vy)(target, key, source[key]);
            }
        }
    }
    return target;
}
// function initializeContext<T extends schemas.$ZodType>(inputs: JSONSchemaGeneratorParams<T>): ToJSONSchemaContext<T> {
//   return {
//     processor: inputs.processor,
//     metadataRegistry: inputs.metadata ?? globalRegistry,
//     target: inputs.target ?? "draft-2020-12",
//     unrepresentable: inputs.unrepresentable ?? "throw",
//   };
// }
function to_json_schema_initializeContext(params) {
    // Normalize target: convert old non-hyphenated versions to hyphenated versions
    let target = params?.target ?? "draft-2020-12";
    if (target === "draft-4")
        target = "draft-04";
    if (target === "draft-7")
        target = "draft-07";
    return {
        processors: params.processors ?? {},
        metadataRegistry: params?.metadata ?? globalRegistry,
        target,
        unrepresentable: params?.unrepresentable ?? "throw",
        override: params?.override ?? (() => { }),
        io: params?.io ?? "output",
        counter: 0,
        seen: new Map(),
        sharedDefsExtractedFor: undefined,
        sharedEmitDoneFor: undefined,
        cycles: params?.cycles ?? "ref",
        reused: params?.reused ?? "inline",
        intersections: [],
        deferred: [],
        external: params?.external ?? undefined,
    };
}
/**
 * Applies the `unrepresentable` setting at a site that has no JSON Schema equivalent. Throws
 * `message` unless the setting (or the handler's return value) says otherwise. Returns `true` if a
 * custom JSON Schema was written into `json`, in which case the caller must not write its own.
 */
function handleUnrepresentable(schema, ctx, json, params, message) {
    const result = typeof ctx.unrepresentable === "function"
        ? ctx.unrepresentable({ zodSchema: schema, path: params.path, message })
        : ctx.unrepresentable;
    if (result === "any")
        return false;
    if (result === undefined || result === "throw")
        throw new Error(message);
    Object.assign(json, result);
    return true;
}
// never rename this back to `process`: bundler polyfills inject a top-level `const process` that a lexical declaration of the same name collides with (#6397)
function to_json_schema_processSchema(schema, ctx, _params = { path: [], schemaPath: [] }) {
    var _a;
    const def = schema._zod.def;
    // check for schema in seens
    const seen = ctx.seen.get(schema);
    if (seen) {
        seen.count++;
        // check if cycle
        const isCycle = _params.schemaPath.includes(schema);
        if (isCycle) {
            seen.cycle = _params.path;
        }
        return seen.schema;
    }
    // initialize
    const result = { schema: {}, count: 1, cycle: undefined, path: _params.path };
    ctx.seen.set(schema, result);
    ctx.sharedDefsExtractedFor = undefined;
    ctx.sharedEmitDoneFor = undefined;
    // custom method overrides default behavior
    const overrideSchema = schema._zod.toJSONSchema?.();
    if (overrideSchema) {
        result.schema = overrideSchema;
    }
    else {
        const params = {
            ..._params,
            schemaPath: [..._params.schemaPath, schema],
            path: _params.path,
        };
        if (schema._zod.processJSONSchema) {
            schema._zod.processJSONSchema(ctx, result.schema, params);
        }
        else {
            const _json = result.schema;
            const processor = ctx.processors[def.type];
            if (!processor) {
                throw new Error(`[toJSONSchema]: Non-representable type encountered: ${def.type}`);
            }
            processor(schema, ctx, _json, params);
        }
        const parent = schema._zod.parent;
        if (parent) {
            // Also set ref if processor didn't (for inheritance)
            if (!result.ref)
                result.ref = parent;
            to_json_schema_processSchema(parent, ctx, params);
            ctx.seen.get(parent).isParent = true;
        }
    }
    // metadata
    const meta = ctx.metadataRegistry.get(schema);
    if (meta)
        assignProps(result.schema, meta);
    if (ctx.io === "input" && isTransforming(schema)) {
        // examples/defaults only apply to output type of pipe
        delete result.schema.examples;
        delete result.schema.default;
    }
    // set prefault as default
    if (ctx.io === "input" && "_prefault" in result.schema)
        (_a = result.schema).default ?? (_a.default = result.schema._prefault);
    delete result.schema._prefault;
    // pulling fresh from ctx.seen in case it was overwritten
    const _result = ctx.seen.get(schema);
    return _result.schema;
}
/** @deprecated Renamed to `processSchema`. An export alias declares no binding, so it is safe to keep. */

// Escape a reference token for use in a JSON Pointer fragment (RFC 6901): `~` becomes `~0` and `/` becomes `~1`. The `~` replacement must run first.
function encodeJSONPointerSegment(segment) {
    return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
function to_json_schema_extractDefs(ctx, schema
// params: EmitParams
) {
    // iterate over seen map;
    const root = ctx.seen.get(schema);
    if (!root)
        throw new Error("Unprocessed schema. This is a bug in Zod.");
    // With `external` set, every registered schema resolves through the external branch of `makeURI`, so the root branch below produces the same ref the external branch would — this pass is identical whichever schema it is called with, and only needs to run once.
    if (ctx.external && ctx.sharedDefsExtractedFor === ctx.external)
        return;
    // Track ids to detect duplicates across different schemas
    const idToSchema = new Map();
    for (const entry of ctx.seen.entries()) {
        const id = ctx.metadataRegistry.get(entry[0])?.id;
        if (id) {
            const existing = idToSchema.get(id);
            if (existing && existing !== entry[0]) {
                throw new Error(`Duplicate schema id "${id}" detected during JSON Schema conversion. Two different schemas cannot share the same id when converted together.`);
            }
            idToSchema.set(id, entry[0]);
        }
    }
    // returns a ref to the schema defId will be empty if the ref points to an external schema (or #)
    const makeURI = (entry) => {
        // comparing the seen objects because sometimes multiple schemas map to the same seen object. e.g. lazy
        // external is configured
        const defsSegment = ctx.target === "draft-2020-12" ? "$defs" : "definitions";
        if (ctx.external) {
            const externalId = ctx.external.registry.get(entry[0])?.id; // ?? "__shared";// `__schema${ctx.counter++}`;
            // check if schema is in the external registry
            const uriGenerator = ctx.external.uri ?? ((id) => id);
            if (externalId) {
                return { ref: uriGenerator(externalId) };
            }
            // otherwise, add to __shared
            const id = entry[1].defId ?? entry[1].schema.id ?? `schema${ctx.counter++}`;
            entry[1].defId = id; // set defId so it will be reused if needed
            return { defId: id, ref: `${uriGenerator("__shared")}#/${defsSegment}/${encodeJSONPointerSegment(id)}` };
        }
        const uriPrefix = `#`;
        const defUriPrefix = `${uriPrefix}/${defsSegment}/`;
        // an id-less root has nowhere to be extracted to, so it stays inline and self-references as `#`
        if (entry[1] === root && !entry[1].schema.id) {
            return { ref: uriPrefix };
        }
        // self-contained schema
        const defId = entry[1].schema.id ?? `__schema${ctx.counter++}`;
        return { defId, ref: defUriPrefix + encodeJSONPointerSegment(defId) };
    };
    // stored cached version in `def` property remove all properties, set $ref
    const extractToDef = (entry) => {
        // if the schema is already a reference, do not extract it
        if (entry[1].schema.$ref) {
            return;
        }
        const seen = entry[1];
        const { ref, defId } = makeURI(entry);
        seen.def = { ...seen.schema };
        // defId won't be set if the schema is a reference to an external schema or if the schema is the root schema
        if (defId)
            seen.defId = defId;
        // wipe away all properties except $ref
        const schema = seen.schema;
        for (const key in schema) {
            delete schema[key];
        }
        schema.$ref = ref;
    };
    // throw on cycles
    // break cycles
    if (ctx.cycles === "throw") {
        for (const entry of ctx.seen.entries()) {
            const seen = entry[1];
            if (seen.cycle) {
                throw new Error("Cycle detected: " +
                    `#/${seen.cycle?.join("/")}/<root>` +
                    '\n\nSet the `cycles` parameter to `"ref"` to resolve cyclical schemas with defs.');
            }
        }
    }
    // extract schemas into $defs
    for (const entry of ctx.seen.entries()) {
        const seen = entry[1];
        // convert root schema to # $ref
        if (schema === entry[0]) {
            extractToDef(entry); // this has special handling for the root schema
            continue;
        }
        // extract schemas that are in the external registry
        if (ctx.external) {
            const ext = ctx.external.registry.get(entry[0])?.id;
            if (schema !== entry[0] && ext) {
                extractToDef(entry);
                continue;
            }
        }
        // extract schemas with `id` meta
        const id = ctx.metadataRegistry.get(entry[0])?.id;
        if (id) {
            extractToDef(entry);
            continue;
        }
        // break cycles
        if (seen.cycle) {
            // any
            extractToDef(entry);
            continue;
        }
        // extract reused schemas
        if (seen.count > 1) {
            if (ctx.reused === "ref") {
                extractToDef(entry);
            }
        }
    }
    if (ctx.external)
        ctx.sharedDefsExtractedFor = ctx.external;
}
/** Rewrites `anyOf: [{type: "a"}, {type: "b"}]` to `type: ["a", "b"]`, which every JSON Schema draft treats as equivalent and most consumers render far better for the nullable case. Only branches that are a bare type assertion qualify — anything carrying a constraint, `$ref`, `const` or metadata is left alone. Runs after `flattenRef`, so a branch an override decorated or `$defs` extraction turned into a `$ref` is no longer bare and correctly stays in `anyOf`. `oneOf` is excluded: `integer` and `number` overlap, so "exactly one" and "at least one" are not the same there. OpenAPI 3.0 is excluded: its `type` must be a single string. */
function compactTypeUnion(schema) {
    const options = schema.anyOf;
    if (!Array.isArray(options) || options.length === 0 || schema.type !== undefined)
        return;
    const types = [];
    for (const option of options) {
        if (!option || typeof option !== "object")
            return;
        // A branch that is itself a compactible union folds into this one — nested `anyOf` and a flat `type` array say the same thing. Compacting it first also makes the result independent of the order this pass walks the seen map in.
        compactTypeUnion(option);
        const keys = Object.keys(option);
        if (keys.length !== 1 || keys[0] !== "type")
            return;
        const type = option.type;
        for (const member of Array.isArray(type) ? type : [type]) {
            if (typeof member !== "string")
                return;
            if (!types.includes(member))
                types.push(member);
        }
    }
    delete schema.anyOf;
    // A `type` array must be non-empty and unique (metaschema); a single member is spelled as a bare string.
    schema.type = types.length === 1 ? types[0] : types;
}
/** Keywords `foldIntersection` knows how to combine. Anything else — `$ref`, `patternProperties`,
 * an annotation like `description` — makes a member unfoldable, so a constraint this does not
 * understand leaves the `allOf` alone instead of being silently dropped or misattributed. */
const FOLDABLE_KEYS = new Set(["type", "properties", "required", "additionalProperties"]);
const UNION_KEYS = ["oneOf", "anyOf"];
/** A member's constraint on a key it does not declare itself. A `catchall` states one; `false`, an absent `additionalProperties`, and the empty schema a loose object emits state nothing. */
function undeclaredConstraint(member) {
    const extra = member.additionalProperties;
    if (extra === undefined || extra === false || typeof extra !== "object" || extra === null)
        return null;
    return Object.keys(extra).length ? extra : null;
}
/** Combines object members into the single object they describe together, or returns `null` if any of them carries a keyword outside {@link FOLDABLE_KEYS}. */
function foldObjects(members) {
    const objects = [];
    for (const member of members) {
        // A boolean subschema is legal JSON Schema and carries no keywords to fold.
        if (typeof member !== "object" || member.type !== "object")
            return null;
        for (const key in member) {
            if (!FOLDABLE_KEYS.has(key))
                return null;
        }
        objects.push(member);
    }
    const properties = {};
    const required = new Set();
    for (const object of objects) {
        for (const key in object.properties) {
            // `in` would report a `__proto__` key as already present via the prototype chain and skip it.
            if (Object.prototype.hasOwnProperty.call(properties, key))
                continue;
            // Every member constrains this key: the ones that declare it say how, and a `catchall` member constrains it too even though it does not name it. The key has to satisfy all of them, which is the same intersection one level down.
            const parts = [];
            for (const other of objects) {
                const part = other.properties?.[key] ?? undeclaredConstraint(other);
                if (part === null || part === undefined)
                    continue;
                if (!parts.some((seen) => JSON.stringify(seen) === JSON.stringify(part)))
                    parts.push(part);
            }
            const merged = parts.length === 1
                ? parts[0]
                : (foldObjects(parts) ?? { allOf: parts });
            (0,core_util/* assignProp */.Vy)(properties, key, merged);
        }
        for (const key of object.required ?? [])
            required.add(key);
    }
    const folded = { type: "object", properties };
    if (required.size)
        folded.required = [...required];
    // A key no member declares is rejected only when every member rejects it, so the fold is closed only when every member is. Otherwise it carries whatever the `catchall` members demand of such a key.
    if (objects.every((object) => object.additionalProperties === false)) {
        folded.additionalProperties = false;
    }
    else {
        const constraints = [];
        for (const object of objects) {
            const constraint = undeclaredConstraint(object);
            if (constraint && !constraints.some((seen) => JSON.stringify(seen) === JSON.stringify(constraint)))
                constraints.push(constraint);
        }
        if (constraints.length === 1)
            folded.additionalProperties = constraints[0];
        else if (constraints.length > 1)
            folded.additionalProperties = { allOf: constraints };
    }
    return folded;
}
/** `additionalProperties` in an `allOf` member sees only that member's own `properties`, so two
 * closed object members reject each other's keys and the schema validates nothing. Zod's parser
 * pools the key sets instead — `handleIntersectionResults` reports a key as unrecognized only when
 * *every* side rejects it — so the emitted schema has to pool them too, and folding the members
 * into one object is the encoding that says so on every target.
 *
 * This runs from `finalize`, after `extractDefs`, which is what keeps it clear of the `$ref`
 * machinery: a member extracted into `$defs` is already a `$ref` by now and declines to fold, so it
 * keeps its reference and its own closedness rather than being inlined as a stale copy. */
function foldIntersection(json) {
    const allOf = json.allOf;
    if (!Array.isArray(allOf) || allOf.length < 2)
        return;
    // An `override` runs before this pass and may have written object keywords onto the intersection itself. Those are deliberate, so decline rather than overwrite them.
    for (const key of FOLDABLE_KEYS)
        if (key in json)
            return;
    // An intersection distributes over a union: `A & (X | Y)` is `(A & X) | (A & Y)`. Only the first union is distributed over; a second one stays among the members every branch folds against, where it fails the object check and declines the whole intersection rather than multiplying out.
    const unions = allOf.filter((m) => UNION_KEYS.some((k) => Array.isArray(m[k])));
    let folded = null;
    if (!unions.length) {
        folded = foldObjects(allOf);
    }
    else {
        const union = unions[0];
        const keyword = UNION_KEYS.find((k) => Array.isArray(union[k]));
        if (Object.keys(union).length !== 1)
            return;
        const rest = allOf.filter((m) => m !== union);
        const branches = union[keyword].map((branch) => foldObjects([...rest, branch]));
        if (branches.some((b) => !b))
            return;
        folded = { [keyword]: branches };
    }
    if (!folded)
        return;
    delete json.allOf;
    assignProps(json, folded);
}
function to_json_schema_finalize(ctx, schema) {
    const root = ctx.seen.get(schema);
    if (!root)
        throw new Error("Unprocessed schema. This is a bug in Zod.");
    // flatten refs - inherit properties from parent schemas
    const flattenRef = (zodSchema) => {
        const seen = ctx.seen.get(zodSchema);
        // already processed
        if (seen.ref === null)
            return;
        const schema = seen.def ?? seen.schema;
        const _cached = { ...schema };
        const ref = seen.ref;
        seen.ref = null; // prevent infinite recursion
        if (ref) {
            flattenRef(ref);
            const refSeen = ctx.seen.get(ref);
            const refSchema = refSeen.schema;
            // merge referenced schema into current
            if (refSchema.$ref && (ctx.target === "draft-07" || ctx.target === "draft-04" || ctx.target === "openapi-3.0")) {
                // older drafts can't combine $ref with other properties
                schema.allOf = schema.allOf ?? [];
                schema.allOf.push(refSchema);
            }
            else {
                assignProps(schema, refSchema);
            }
            // restore child's own properties (child wins)
            assignProps(schema, _cached);
            const isParentRef = zodSchema._zod.parent === ref;
            // For parent chain, child is a refinement - remove parent-only properties
            if (isParentRef) {
                for (const key in schema) {
                    if (key === "$ref" || key === "allOf")
                        continue;
                    if (!(key in _cached)) {
                        delete schema[key];
                    }
                }
            }
            // When ref was extracted to $defs, remove properties that match the definition
            if (refSchema.$ref && refSeen.def) {
                for (const key in schema) {
                    if (key === "$ref" || key === "allOf")
                        continue;
                    if (key in refSeen.def && JSON.stringify(schema[key]) === JSON.stringify(refSeen.def[key])) {
                        delete schema[key];
                    }
                }
            }
        }
        // If parent was extracted (has $ref), propagate $ref to this schema. This handles cases like: readonly().meta({id}).describe() where processor sets ref to innerType but parent should be referenced
        const parent = zodSchema._zod.parent;
        if (parent && parent !== ref) {
            // Ensure parent is processed first so its def has inherited properties
            flattenRef(parent);
            const parentSeen = ctx.seen.get(parent);
            if (parentSeen?.schema.$ref) {
                schema.$ref = parentSeen.schema.$ref;
                // De-duplicate with parent's definition
                if (parentSeen.def) {
                    for (const key in schema) {
                        if (key === "$ref" || key === "allOf")
                            continue;
                        if (key in parentSeen.def && JSON.stringify(schema[key]) === JSON.stringify(parentSeen.def[key])) {
                            delete schema[key];
                        }
                    }
                }
            }
        }
        // execute overrides
        ctx.override({
            zodSchema: zodSchema,
            jsonSchema: schema,
            path: seen.path ?? [],
        });
    };
    // Flattening walks the whole map and clears each `ref` as it goes, so a second call over the same map is a no-op scan. Skip it outright once it has run for a registry conversion.
    if (!ctx.external || ctx.sharedEmitDoneFor !== ctx.external) {
        for (const entry of [...ctx.seen.entries()].reverse()) {
            flattenRef(entry[0]);
        }
        if (ctx.target !== "openapi-3.0") {
            for (const entry of ctx.seen.entries()) {
                compactTypeUnion(entry[1].def ?? entry[1].schema);
            }
        }
        for (const rewrite of ctx.deferred)
            rewrite();
        // After flattening, every member that was extracted is a `$ref`, so the fold sees the final shape. A schema that inherits an intersection — through `z.lazy`, or any `ref` chain — holds the same `allOf` array, so fold by array identity to catch every copy.
        if (ctx.intersections.length) {
            const carriers = new Map();
            for (const seen of ctx.seen.values()) {
                for (const json of [seen.schema, seen.def]) {
                    const allOf = json?.allOf;
                    if (!Array.isArray(allOf))
                        continue;
                    const existing = carriers.get(allOf);
                    if (existing)
                        existing.push(json);
                    else
                        carriers.set(allOf, [json]);
                }
            }
            for (const allOf of ctx.intersections) {
                for (const json of carriers.get(allOf) ?? [])
                    foldIntersection(json);
            }
        }
    }
    const result = {};
    if (ctx.target === "draft-2020-12") {
        result.$schema = "https://json-schema.org/draft/2020-12/schema";
    }
    else if (ctx.target === "draft-07") {
        result.$schema = "http://json-schema.org/draft-07/schema#";
    }
    else if (ctx.target === "draft-04") {
        result.$schema = "http://json-schema.org/draft-04/schema#";
    }
    else if (ctx.target === "openapi-3.0") {
        // OpenAPI 3.0 schema objects should not include a $schema property
    }
    else {
        // Arbitrary string values are allowed but won't have a $schema property set
    }
    if (ctx.external?.uri) {
        const id = ctx.external.registry.get(schema)?.id;
        if (!id)
            throw new Error("Schema is missing an `id` property");
        result.$id = ctx.external.uri(id);
    }
    // when the root was extracted into $defs, `root.schema` is the `$ref` wrapper and `root.def` is the body that now lives under $defs
    assignProps(result, root.defId ? root.schema : (root.def ?? root.schema));
    // The `id` in `.meta()` is a Zod-specific registration tag used to extract schemas into $defs — it is not user-facing JSON Schema metadata. Strip it from the output body where it would otherwise leak. The id is preserved implicitly via the $defs key (and via $ref paths).
    const rootMetaId = ctx.metadataRegistry.get(schema)?.id;
    if (rootMetaId !== undefined && result.id === rootMetaId)
        delete result.id;
    // build defs object. With `external`, `defs` is the shared object every schema writes into, so the same entries are reassigned on every call. Without it, `defs` is fresh per call and must be rebuilt.
    const defs = ctx.external?.defs ?? {};
    if (!ctx.external || ctx.sharedEmitDoneFor !== ctx.external) {
        for (const entry of ctx.seen.entries()) {
            const seen = entry[1];
            if (seen.def && seen.defId) {
                if (seen.def.id === seen.defId)
                    delete seen.def.id;
                (0,core_util/* assignProp */.Vy)(defs, seen.defId, seen.def);
            }
        }
    }
    if (ctx.external)
        ctx.sharedEmitDoneFor = ctx.external;
    // set definitions in result
    if (ctx.external) {
    }
    else {
        if (Object.keys(defs).length > 0) {
            if (ctx.target === "draft-2020-12") {
                result.$defs = defs;
            }
            else {
                result.definitions = defs;
            }
        }
    }
    try {
        // this "finalizes" this schema and ensures all cycles are removed each call to finalize() is functionally independent though the seen map is shared
        const finalized = JSON.parse(JSON.stringify(result));
        Object.defineProperty(finalized, "~standard", {
            value: {
                ...schema["~standard"],
                jsonSchema: {
                    input: createStandardJSONSchemaMethod(schema, "input", ctx.processors),
                    output: createStandardJSONSchemaMethod(schema, "output", ctx.processors),
                },
            },
            enumerable: false,
            writable: false,
        });
        return finalized;
    }
    catch (_err) {
        throw new Error("Error converting schema to JSON.");
    }
}
function isTransforming(_schema, _ctx) {
    const ctx = _ctx ?? { seen: new Set() };
    if (ctx.seen.has(_schema))
        return false;
    ctx.seen.add(_schema);
    const def = _schema._zod.def;
    if (def.type === "transform")
        return true;
    if (def.type === "array")
        return isTransforming(def.element, ctx);
    if (def.type === "set")
        return isTransforming(def.valueType, ctx);
    if (def.type === "lazy")
        return isTransforming(def.getter(), ctx);
    if (def.type === "promise" ||
        def.type === "optional" ||
        def.type === "nonoptional" ||
        def.type === "nullable" ||
        def.type === "readonly" ||
        def.type === "default" ||
        def.type === "prefault" ||
        def.type === "catch") {
        return isTransforming(def.innerType, ctx);
    }
    if (def.type === "intersection") {
        return isTransforming(def.left, ctx) || isTransforming(def.right, ctx);
    }
    if (def.type === "record" || def.type === "map") {
        return isTransforming(def.keyType, ctx) || isTransforming(def.valueType, ctx);
    }
    if (def.type === "pipe") {
        if (_schema._zod.traits.has("$ZodCodec"))
            return true;
        return isTransforming(def.in, ctx) || isTransforming(def.out, ctx);
    }
    if (def.type === "object") {
        for (const key in def.shape) {
            if (isTransforming(def.shape[key], ctx))
                return true;
        }
        return false;
    }
    if (def.type === "union") {
        for (const option of def.options) {
            if (isTransforming(option, ctx))
                return true;
        }
        return false;
    }
    if (def.type === "tuple") {
        for (const item of def.items) {
            if (isTransforming(item, ctx))
                return true;
        }
        if (def.rest && isTransforming(def.rest, ctx))
            return true;
        return false;
    }
    return false;
}
/**
 * Creates a toJSONSchema method for a schema instance.
 * This encapsulates the logic of initializing context, processing, extracting defs, and finalizing.
 */
const createToJSONSchemaMethod = (schema, processors = {}) => (params) => {
    const ctx = to_json_schema_initializeContext({ ...params, processors });
    to_json_schema_processSchema(schema, ctx);
    to_json_schema_extractDefs(ctx, schema);
    return to_json_schema_finalize(ctx, schema);
};
const createStandardJSONSchemaMethod = (schema, io, processors = {}) => (params) => {
    const { libraryOptions, target } = params ?? {};
    const ctx = to_json_schema_initializeContext({ ...(libraryOptions ?? {}), target, io, processors });
    to_json_schema_processSchema(schema, ctx);
    to_json_schema_extractDefs(ctx, schema);
    return to_json_schema_finalize(ctx, schema);
};

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/json-schema-processors.js




const narrowMin = (agg, key, value) => {
    if (agg[key] === undefined || value > agg[key])
        agg[key] = value;
};
const narrowMax = (agg, key, value) => {
    if (agg[key] === undefined || value < agg[key])
        agg[key] = value;
};
const narrowBoth = (agg, value) => {
    narrowMin(agg, "minimum", value);
    narrowMax(agg, "maximum", value);
};
const addDivisor = (agg, value) => {
    agg.multipleOf ?? (agg.multipleOf = []);
    if (!agg.multipleOf.includes(value))
        agg.multipleOf.push(value);
};
const addPattern = (agg, pattern) => {
    agg.patterns ?? (agg.patterns = new Set());
    agg.patterns.add(pattern);
};
const intersectMime = (agg, mime) => {
    agg.mime = agg.mime ? agg.mime.filter((m) => mime.includes(m)) : [...mime];
};
// last-wins, matching the bag's historical write order; the flag keeps an integer format from being lost to a later float one
const setFormat = (agg, format) => {
    agg.format = format;
    if (format.includes("int"))
        agg.isInt = true;
};
const minContributor = (agg, def) => narrowMin(agg, "minimum", def.minimum);
const maxContributor = (agg, def) => narrowMax(agg, "maximum", def.maximum);
const formatContributor = (ranges) => (agg, def) => {
    setFormat(agg, def.format);
    const [minimum, maximum] = ranges[def.format];
    narrowMin(agg, "minimum", minimum);
    narrowMax(agg, "maximum", maximum);
};
const contributors = {
    greater_than: (agg, def) => narrowMin(agg, def.inclusive ? "minimum" : "exclusiveMinimum", def.value),
    less_than: (agg, def) => narrowMax(agg, def.inclusive ? "maximum" : "exclusiveMaximum", def.value),
    multiple_of: (agg, def) => addDivisor(agg, def.value),
    number_format: formatContributor(core_util/* NUMBER_FORMAT_RANGES */.zH),
    bigint_format: formatContributor(core_util/* BIGINT_FORMAT_RANGES */.NR),
    min_length: minContributor,
    max_length: maxContributor,
    length_equals: (agg, def) => narrowBoth(agg, def.length),
    min_size: minContributor,
    max_size: maxContributor,
    size_equals: (agg, def) => narrowBoth(agg, def.size),
    string_format: (agg, def) => {
        setFormat(agg, def.format);
        if (def.pattern)
            addPattern(agg, def.pattern);
        if (def.format === "base64" || def.format === "base64url")
            agg.contentEncoding = def.format;
        if (def.local || def.precision === -1)
            agg.laxFormat = true;
    },
    mime_type: (agg, def) => intersectMime(agg, def.mime),
};
function aggregateChecks(schema) {
    const agg = {};
    const def = schema._zod.def;
    // a format schema is its own first check, same rule as $ZodType init
    const list = schema._zod.traits.has("$ZodCheck")
        ? [schema, ...(def.checks ?? [])]
        : (def.checks ?? []);
    for (const ch of list)
        contributors[ch._zod.def.check]?.(agg, ch._zod.def);
    // reconcile with the bag so third-party onattach contributions still land; first-party residue is never tighter than the fold, so merging it back is idempotent for one and additive for the other
    const bag = schema._zod.bag;
    if (bag.minimum !== undefined)
        narrowMin(agg, "minimum", bag.minimum);
    if (bag.exclusiveMinimum !== undefined)
        narrowMin(agg, "exclusiveMinimum", bag.exclusiveMinimum);
    if (bag.maximum !== undefined)
        narrowMax(agg, "maximum", bag.maximum);
    if (bag.exclusiveMaximum !== undefined)
        narrowMax(agg, "exclusiveMaximum", bag.exclusiveMaximum);
    if (bag.multipleOf !== undefined)
        addDivisor(agg, bag.multipleOf);
    if (bag.format !== undefined) {
        agg.format ?? (agg.format = bag.format);
        if (bag.format.includes("int"))
            agg.isInt = true;
    }
    if (bag.mime)
        intersectMime(agg, bag.mime);
    for (const pattern of bag.patterns ?? [])
        addPattern(agg, pattern);
    return agg;
}
const formatMap = {
    guid: "uuid",
    url: "uri",
    datetime: "date-time",
    json_string: "json-string",
    regex: "", // do not set
};
// ==================== SIMPLE TYPE PROCESSORS ====================
// the runtime patterns are lax so parse paths never overflow the regex stack; the emitted schema swaps in the exact block forms, which zod itself never executes
const exactPatterns = new Map([
    [base64Charset, base64],
    [base64urlCharset, base64url],
]);
const exactPattern = (p) => exactPatterns.get(p) ?? p;
const stringProcessor = (schema, ctx, _json, _params) => {
    const json = _json;
    json.type = "string";
    const { minimum, maximum, format, patterns, contentEncoding, laxFormat } = aggregateChecks(schema);
    if (typeof minimum === "number")
        json.minLength = minimum;
    if (typeof maximum === "number")
        json.maxLength = maximum;
    // custom pattern overrides format
    if (format) {
        json.format = formatMap[format] ?? format;
        if (json.format === "")
            delete json.format; // empty format is not valid
        // `z.iso.time()` is never full-time, and `laxFormat` carries the datetime shapes that also accept what their keyword forbids
        if (format === "time" || laxFormat) {
            delete json.format;
        }
    }
    if (contentEncoding)
        json.contentEncoding = contentEncoding;
    if (patterns && patterns.size > 0) {
        const patternList = [...patterns].map(exactPattern);
        if (patternList.length === 1)
            json.pattern = patternList[0].source;
        else if (patternList.length > 1) {
            json.allOf = [
                ...patternList.map((regex) => ({
                    ...(ctx.target === "draft-07" || ctx.target === "draft-04" || ctx.target === "openapi-3.0"
                        ? { type: "string" }
                        : {}),
                    pattern: regex.source,
                })),
            ];
        }
    }
};
const numberProcessor = (schema, ctx, _json, params) => {
    const json = _json;
    const { minimum, maximum, multipleOf, exclusiveMaximum, exclusiveMinimum, isInt } = aggregateChecks(schema);
    json.type = isInt ? "integer" : "number";
    // when both minimum and exclusiveMinimum exist, pick the more restrictive one
    const exMin = typeof exclusiveMinimum === "number" && exclusiveMinimum >= (minimum ?? Number.NEGATIVE_INFINITY);
    const exMax = typeof exclusiveMaximum === "number" && exclusiveMaximum <= (maximum ?? Number.POSITIVE_INFINITY);
    const legacy = ctx.target === "draft-04" || ctx.target === "openapi-3.0";
    if (exMin) {
        if (legacy) {
            json.minimum = exclusiveMinimum;
            json.exclusiveMinimum = true;
        }
        else {
            json.exclusiveMinimum = exclusiveMinimum;
        }
    }
    else if (typeof minimum === "number") {
        json.minimum = minimum;
    }
    if (exMax) {
        if (legacy) {
            json.maximum = exclusiveMaximum;
            json.exclusiveMaximum = true;
        }
        else {
            json.exclusiveMaximum = exclusiveMaximum;
        }
    }
    else if (typeof maximum === "number") {
        json.maximum = maximum;
    }
    if (multipleOf) {
        // JSON Schema requires a divisor strictly greater than zero, and a non-finite one does not survive JSON at all. A negative divisor accepts exactly what its absolute value accepts, so it still maps; zero, NaN and Infinity have no keyword form.
        const divisors = new Set();
        for (const divisor of multipleOf) {
            if (Number.isFinite(divisor) && divisor !== 0)
                divisors.add(Math.abs(divisor));
            else
                handleUnrepresentable(schema, ctx, json, params, `A multipleOf divisor of ${divisor} cannot be represented in JSON Schema`);
        }
        // chained divisors are a conjunction the keyword cannot carry alone, so extras ride an allOf, same as stacked patterns
        const [first, ...rest] = divisors;
        if (first !== undefined)
            json.multipleOf = first;
        if (rest.length)
            json.allOf = [...(json.allOf ?? []), ...rest.map((m) => ({ multipleOf: m }))];
    }
};
const booleanProcessor = (_schema, _ctx, json, _params) => {
    json.type = "boolean";
};
const bigintProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "BigInt cannot be represented in JSON Schema");
};
const symbolProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Symbols cannot be represented in JSON Schema");
};
const nullProcessor = (_schema, ctx, json, _params) => {
    if (ctx.target === "openapi-3.0") {
        json.type = "string";
        json.nullable = true;
        json.enum = [null];
    }
    else {
        json.type = "null";
    }
};
const undefinedProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Undefined cannot be represented in JSON Schema");
};
const voidProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Void cannot be represented in JSON Schema");
};
const neverProcessor = (_schema, _ctx, json, _params) => {
    json.not = {};
};
const anyProcessor = (_schema, _ctx, _json, _params) => {
    // empty schema accepts anything
};
const unknownProcessor = (_schema, _ctx, _json, _params) => {
    // empty schema accepts anything
};
const dateProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Date cannot be represented in JSON Schema");
};
const enumProcessor = (schema, _ctx, json, _params) => {
    const def = schema._zod.def;
    const values = (0,core_util/* getEnumValues */.w5)(def.entries);
    // an empty enum accepts nothing, same as z.never()
    if (values.length === 0) {
        json.not = {};
        return;
    }
    // Number enums can have both string and number values
    if (values.every((v) => typeof v === "number"))
        json.type = "number";
    if (values.every((v) => typeof v === "string"))
        json.type = "string";
    json.enum = values;
};
const literalProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    // a literal with no values accepts nothing, same as z.never()
    if (def.values.length === 0) {
        json.not = {};
        return;
    }
    const vals = [];
    for (const val of def.values) {
        if (val === undefined) {
            // a custom schema replaces the whole literal, so there is nothing left to accumulate
            if (handleUnrepresentable(schema, ctx, json, params, "Literal `undefined` cannot be represented in JSON Schema"))
                return;
            // otherwise do not add to vals
        }
        else if (typeof val === "bigint") {
            if (handleUnrepresentable(schema, ctx, json, params, "BigInt literals cannot be represented in JSON Schema"))
                return;
            vals.push(Number(val));
        }
        else {
            vals.push(val);
        }
    }
    if (vals.length === 0) {
        // do nothing (an undefined literal was stripped)
    }
    else if (vals.length === 1) {
        const val = vals[0];
        json.type = val === null ? "null" : typeof val;
        if (ctx.target === "draft-04" || ctx.target === "openapi-3.0") {
            json.enum = [val];
        }
        else {
            json.const = val;
        }
    }
    else {
        if (vals.every((v) => typeof v === "number"))
            json.type = "number";
        if (vals.every((v) => typeof v === "string"))
            json.type = "string";
        if (vals.every((v) => typeof v === "boolean"))
            json.type = "boolean";
        if (vals.every((v) => v === null))
            json.type = "null";
        json.enum = vals;
    }
};
const nanProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "NaN cannot be represented in JSON Schema");
};
const templateLiteralProcessor = (schema, _ctx, json, _params) => {
    const _json = json;
    const pattern = schema._zod.pattern;
    if (!pattern)
        throw new Error("Pattern not found in template literal");
    _json.type = "string";
    _json.pattern = pattern.source;
};
const fileProcessor = (schema, _ctx, json, _params) => {
    const _json = json;
    _json.type = "string";
    _json.format = "binary";
    _json.contentEncoding = "binary";
    const { minimum, maximum, mime } = aggregateChecks(schema);
    if (minimum !== undefined)
        _json.minLength = minimum;
    if (maximum !== undefined)
        _json.maxLength = maximum;
    if (!mime)
        return;
    // an empty intersection means the mime checks share no value, so nothing passes at runtime; `anyOf` must be non-empty, so the false schema is `not: {}`
    if (mime.length === 0)
        _json.not = {};
    else if (mime.length === 1)
        _json.contentMediaType = mime[0];
    // only contentMediaType differs, so the shared props stay at the root
    else
        _json.anyOf = mime.map((m) => ({ contentMediaType: m }));
};
const successProcessor = (_schema, _ctx, json, _params) => {
    json.type = "boolean";
};
const customProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Custom types cannot be represented in JSON Schema");
};
const functionProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Function types cannot be represented in JSON Schema");
};
const transformProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Transforms cannot be represented in JSON Schema");
};
const mapProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Map cannot be represented in JSON Schema");
};
const setProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Set cannot be represented in JSON Schema");
};
// ==================== COMPOSITE TYPE PROCESSORS ====================
const arrayProcessor = (schema, ctx, _json, params) => {
    const json = _json;
    const def = schema._zod.def;
    const { minimum, maximum } = aggregateChecks(schema);
    if (typeof minimum === "number")
        json.minItems = minimum;
    if (typeof maximum === "number")
        json.maxItems = maximum;
    json.type = "array";
    json.items = to_json_schema_processSchema(def.element, ctx, {
        ...params,
        path: [...params.path, "items"],
    });
};
// Transform and catch set `optin = "optional"` at runtime so the parser lets them observe an
// absent key, but their declared input type stays required. An input JSON Schema describes the
// declared type, so resolve past them to the schema that actually carries the optionality.
// Used by both `objectProcessor` (for `required`) and `tupleProcessor` (for `minItems`); see
// wiki/optionality.md, "The JSON Schema emitter reads the *static* value".
function inputOptin(schema) {
    const def = schema._zod.def;
    if (def.type === "pipe" && def.in._zod.traits.has("$ZodTransform")) {
        return inputOptin(def.out);
    }
    if (def.type === "catch") {
        return inputOptin(def.innerType);
    }
    return schema._zod.optin;
}
const objectProcessor = (schema, ctx, _json, params) => {
    const json = _json;
    const def = schema._zod.def;
    const shape = def.shape;
    // dropping it while still emitting `additionalProperties: false` would emit a schema that rejects data this one requires
    const symbolKeys = Object.getOwnPropertySymbols(shape);
    if (symbolKeys.length &&
        handleUnrepresentable(schema, ctx, json, params, "Symbol keys cannot be represented in JSON Schema")) {
        return;
    }
    json.type = "object";
    json.properties = {};
    for (const key in shape) {
        // assignProp so a __proto__ key becomes an own property instead of hitting the inherited setter on the plain {} we build into
        (0,core_util/* assignProp */.Vy)(json.properties, key, to_json_schema_processSchema(shape[key], ctx, {
            ...params,
            path: [...params.path, "properties", key],
        }));
    }
    // required keys
    const requiredKeys = [];
    for (const key of Object.keys(shape)) {
        const field = def.shape[key];
        if (ctx.io === "input" ? inputOptin(field) === undefined : field._zod.optout === undefined) {
            requiredKeys.push(key);
        }
    }
    if (requiredKeys.length > 0) {
        json.required = requiredKeys;
    }
    // catchall
    if (def.catchall?._zod.def.type === "never") {
        // strict
        json.additionalProperties = false;
    }
    else if (!def.catchall) {
        // regular
        if (ctx.io === "output")
            json.additionalProperties = false;
    }
    else if (def.catchall) {
        json.additionalProperties = to_json_schema_processSchema(def.catchall, ctx, {
            ...params,
            path: [...params.path, "additionalProperties"],
        });
    }
};
const unionProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    // Exclusive unions (inclusive === false) use oneOf (exactly one match) instead of anyOf (one or more matches). This includes both z.xor() and discriminated unions
    const isExclusive = def.inclusive === false;
    const options = def.options.map((x, i) => to_json_schema_processSchema(x, ctx, {
        ...params,
        path: [...params.path, isExclusive ? "oneOf" : "anyOf", i],
    }));
    if (isExclusive) {
        json.oneOf = options;
    }
    else {
        json.anyOf = options;
    }
};
const intersectionProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    const a = to_json_schema_processSchema(def.left, ctx, {
        ...params,
        path: [...params.path, "allOf", 0],
    });
    const b = to_json_schema_processSchema(def.right, ctx, {
        ...params,
        path: [...params.path, "allOf", 1],
    });
    const isSimpleIntersection = (val) => "allOf" in val && Object.keys(val).length === 1;
    const allOf = [
        ...(isSimpleIntersection(a) ? a.allOf : [a]),
        ...(isSimpleIntersection(b) ? b.allOf : [b]),
    ];
    json.allOf = allOf;
    // Recorded innermost first, so a nested intersection has already folded by the time this one is considered. The array is the handle rather than the schema, because a wrapper that inherits this schema shares the same array; `finalize` folds every object holding it. See `foldIntersection`.
    ctx.intersections.push(allOf);
};
const tupleProcessor = (schema, ctx, _json, params) => {
    const json = _json;
    const def = schema._zod.def;
    json.type = "array";
    const prefixPath = ctx.target === "draft-2020-12" ? "prefixItems" : "items";
    const restPath = ctx.target === "draft-2020-12" ? "items" : ctx.target === "openapi-3.0" ? "items" : "additionalItems";
    const prefixItems = def.items.map((x, i) => to_json_schema_processSchema(x, ctx, {
        ...params,
        path: [...params.path, prefixPath, i],
    }));
    const rest = def.rest
        ? to_json_schema_processSchema(def.rest, ctx, {
            ...params,
            path: [...params.path, restPath, ...(ctx.target === "openapi-3.0" ? [def.items.length] : [])],
        })
        : null;
    let minItems = def.items.length;
    while (minItems > 0) {
        const item = def.items[minItems - 1];
        const optional = ctx.io === "input" ? inputOptin(item) !== undefined : item._zod.optout === "optional";
        if (!optional)
            break;
        minItems--;
    }
    const maxItems = def.items.length;
    const isClosed = !def.rest;
    if (ctx.target === "draft-2020-12") {
        json.prefixItems = prefixItems;
        if (isClosed) {
            json.items = false;
        }
        else if (rest) {
            json.items = rest;
        }
        if (minItems > 0)
            json.minItems = minItems;
        if (isClosed)
            json.maxItems = maxItems;
    }
    else if (ctx.target === "openapi-3.0") {
        json.items = {
            anyOf: prefixItems,
        };
        if (rest) {
            json.items.anyOf.push(rest);
        }
        if (minItems > 0)
            json.minItems = minItems;
        if (isClosed)
            json.maxItems = maxItems;
    }
    else {
        json.items = prefixItems;
        if (isClosed) {
            json.additionalItems = false;
        }
        else if (rest) {
            json.additionalItems = rest;
        }
        if (minItems > 0)
            json.minItems = minItems;
        if (isClosed)
            json.maxItems = maxItems;
    }
    // explicit user-defined length checks take precedence
    const { minimum, maximum } = aggregateChecks(schema);
    if (typeof minimum === "number")
        json.minItems = minimum;
    if (typeof maximum === "number")
        json.maxItems = maximum;
};
/** JSON object keys are always strings, so a numeric record key schema is re-expressed over the
 * numeric-string form the record parser matches. Deferred to `finalize`, after the flatten: a key
 * behind a wrapper only carries its own `type` before then, and a union key only has its branches.
 *
 * A numeric bound cannot apply to a property name, so `minimum` and its siblings are dropped rather
 * than carried over: keeping them beside `type: "string"` reproduces the match-nothing schema this
 * exists to fix. A key that carries one therefore emits wider than the record parses — `z.record(z.number().min(5), V)`
 * accepts `"3"` — which is the deliberate trade, since throwing on it would reject an ordinary schema
 * outright. */
function stringifyKeyNames(bySchema, json, visited) {
    // an extracted key that rewrites cannot go on sharing its definition — the string form a key position needs is not the number form every other reference wants — so it inlines. One that does not rewrite keeps the `$ref`.
    if (json.$ref) {
        // a recursive key holds its own reference inside its definition, so a node already on the path is left alone rather than resolved again
        if (visited.has(json))
            return json;
        visited.add(json);
        const def = bySchema.get(json)?.def;
        if (!def)
            return json;
        const inlined = stringifyKeyNames(bySchema, def, visited);
        return inlined === def ? json : inlined;
    }
    for (const keyword of ["anyOf", "oneOf"]) {
        const branches = json[keyword];
        if (!Array.isArray(branches))
            continue;
        const mapped = branches.map((branch) => stringifyKeyNames(bySchema, branch, visited));
        // rebuilding regardless would detach a key that had nothing to re-express, dropping its `$ref` and leaking the internal `id`
        if (mapped.some((branch, i) => branch !== branches[i]))
            json = { ...json, [keyword]: mapped };
    }
    // a member that already admits a string leaves the key unconstrained, so the node's own type re-expresses only when every member is numeric
    const types = Array.isArray(json.type) ? json.type : [json.type];
    const numericType = !types.includes("string") && types.some((t) => t === "number" || t === "integer");
    // a heterogeneous key carries no type at all, so its numeric members are caught here instead
    const values = json.enum ?? (json.const !== undefined ? [json.const] : undefined);
    if (!numericType && !values?.some((v) => typeof v === "number"))
        return json;
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, format, id, ...rest } = json;
    if (rest.enum)
        rest.enum = rest.enum.map((v) => (typeof v === "number" ? String(v) : v));
    else if (typeof rest.const === "number")
        rest.const = String(rest.const);
    // a heterogeneous key keeps its absent type: the stringified members already say what a key may be
    if (!numericType)
        return rest;
    rest.type = "string";
    if (!values)
        rest.pattern = (types.includes("number") ? number : integer).source;
    return rest;
}
/** Every record of one conversion, so the carriers are found in a single pass rather than once per record. */
const pendingRecords = new WeakMap();
function rewriteKeyNames(ctx) {
    // an extracted key is resolved by the object `extractToDef` left in its place, so the map is built once rather than searched per reference. `_zod.toJSONSchema` can hand the same object to two schemas, so the first entry carrying a body wins, as a search would have found it.
    const bySchema = new Map();
    for (const entry of ctx.seen.values()) {
        if (entry.def && !bySchema.has(entry.schema))
            bySchema.set(entry.schema, entry);
    }
    const rewrites = new Map();
    for (const record of pendingRecords.get(ctx) ?? []) {
        const seen = ctx.seen.get(record);
        const names = (seen?.def ?? seen?.schema)?.propertyNames;
        if (!names || names === true || rewrites.has(names))
            continue;
        const rewritten = stringifyKeyNames(bySchema, names, new Set());
        if (rewritten !== names)
            rewrites.set(names, rewritten);
    }
    if (!rewrites.size)
        return;
    // the flatten has already copied each record's own properties onto every wrapper by reference, and an extracted body is another such copy, so every carrier holding a rewritten key is updated together
    for (const entry of ctx.seen.values()) {
        for (const carrier of [entry.schema, entry.def]) {
            const rewritten = carrier && rewrites.get(carrier.propertyNames);
            if (rewritten)
                carrier.propertyNames = rewritten;
        }
    }
}
const recordProcessor = (schema, ctx, _json, params) => {
    const json = _json;
    const def = schema._zod.def;
    json.type = "object";
    // For looseRecord with regex patterns, use patternProperties. This correctly represents "only validate keys matching the pattern" semantics and composes well with allOf (intersections)
    const keyType = def.keyType;
    const patterns = aggregateChecks(keyType).patterns;
    if (def.mode === "loose" && patterns && patterns.size > 0) {
        // Use patternProperties for looseRecord with regex patterns
        const valueSchema = to_json_schema_processSchema(def.valueType, ctx, {
            ...params,
            path: [...params.path, "patternProperties", "*"],
        });
        json.patternProperties = {};
        for (const pattern of patterns) {
            (0,core_util/* assignProp */.Vy)(json.patternProperties, exactPattern(pattern).source, valueSchema);
        }
    }
    else {
        // Default behavior: use propertyNames + additionalProperties
        if (ctx.target === "draft-07" || ctx.target === "draft-2020-12") {
            json.propertyNames = to_json_schema_processSchema(def.keyType, ctx, {
                ...params,
                path: [...params.path, "propertyNames"],
            });
            let pending = pendingRecords.get(ctx);
            if (!pending) {
                pending = [];
                pendingRecords.set(ctx, pending);
                ctx.deferred.push(() => rewriteKeyNames(ctx));
            }
            pending.push(schema);
        }
        json.additionalProperties = to_json_schema_processSchema(def.valueType, ctx, {
            ...params,
            path: [...params.path, "additionalProperties"],
        });
    }
    // Add required for keys with discrete values (enum, literal, etc.)
    const keyValues = keyType._zod.values;
    // Every key shares one value schema, so an optional-in value makes the whole key set omittable on input. Output keeps them: the exhaustive branch assigns every key, even one whose value came back undefined.
    const omittableOnInput = ctx.io === "input" && inputOptin(def.valueType) !== undefined;
    if (keyValues && !def.partial && !omittableOnInput) {
        const validKeyValues = [...keyValues].filter((v) => typeof v === "string" || typeof v === "number");
        if (validKeyValues.length > 0) {
            json.required = validKeyValues.map(String);
        }
    }
};
const nullableProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    const inner = to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    if (ctx.target === "openapi-3.0") {
        seen.ref = def.innerType;
        json.nullable = true;
    }
    else {
        json.anyOf = [inner, { type: "null" }];
    }
};
const nonoptionalProcessor = (schema, ctx, _json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
};
/** Round-trips a default value through JSON so the emitted schema is guaranteed to be valid JSON.
 * A BigInt has no reliable encoding, so it goes through `unrepresentable` like any other
 * unrepresentable value. Returns a sentinel when the caller must not write a default of its own. */
const UNREPRESENTABLE_DEFAULT = Symbol();
function serializeDefaultValue(value, schema, ctx, json, params) {
    let unrepresentable = false;
    const serialized = JSON.stringify(value, (_, val) => {
        if (typeof val !== "bigint")
            return val;
        unrepresentable = true;
        return null;
    });
    if (!unrepresentable)
        return JSON.parse(serialized);
    handleUnrepresentable(schema, ctx, json, params, "BigInt defaults cannot be represented in JSON Schema");
    return UNREPRESENTABLE_DEFAULT;
}
const defaultProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
    const value = serializeDefaultValue(def.defaultValue, schema, ctx, json, params);
    if (value !== UNREPRESENTABLE_DEFAULT)
        json.default = value;
};
const prefaultProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
    if (ctx.io !== "input")
        return;
    const value = serializeDefaultValue(def.defaultValue, schema, ctx, json, params);
    if (value !== UNREPRESENTABLE_DEFAULT)
        json._prefault = value;
};
const catchProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
    let catchValue;
    try {
        catchValue = def.catchValue(undefined);
    }
    catch {
        handleUnrepresentable(schema, ctx, json, params, "Dynamic catch values are not supported in JSON Schema");
        return;
    }
    json.default = catchValue;
};
const pipeProcessor = (schema, ctx, _json, params) => {
    const def = schema._zod.def;
    const inIsTransform = def.in._zod.traits.has("$ZodTransform");
    const innerType = ctx.io === "input" ? (inIsTransform ? def.out : def.in) : def.out;
    to_json_schema_processSchema(innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = innerType;
};
const readonlyProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
    json.readOnly = true;
};
const promiseProcessor = (schema, ctx, _json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
};
const optionalProcessor = (schema, ctx, _json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
};
const lazyProcessor = (schema, ctx, _json, params) => {
    const innerType = schema._zod.innerType;
    to_json_schema_processSchema(innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = innerType;
};
// ==================== ALL PROCESSORS ====================
const allProcessors = {
    string: stringProcessor,
    number: numberProcessor,
    boolean: booleanProcessor,
    bigint: bigintProcessor,
    symbol: symbolProcessor,
    null: nullProcessor,
    undefined: undefinedProcessor,
    void: voidProcessor,
    never: neverProcessor,
    any: anyProcessor,
    unknown: unknownProcessor,
    date: dateProcessor,
    enum: enumProcessor,
    literal: literalProcessor,
    nan: nanProcessor,
    template_literal: templateLiteralProcessor,
    file: fileProcessor,
    success: successProcessor,
    custom: customProcessor,
    function: functionProcessor,
    transform: transformProcessor,
    map: mapProcessor,
    set: setProcessor,
    array: arrayProcessor,
    object: objectProcessor,
    union: unionProcessor,
    intersection: intersectionProcessor,
    tuple: tupleProcessor,
    record: recordProcessor,
    nullable: nullableProcessor,
    nonoptional: nonoptionalProcessor,
    default: defaultProcessor,
    prefault: prefaultProcessor,
    catch: catchProcessor,
    pipe: pipeProcessor,
    readonly: readonlyProcessor,
    promise: promiseProcessor,
    optional: optionalProcessor,
    lazy: lazyProcessor,
};
function toJSONSchema(input, params) {
    if ("_idmap" in input) {
        // Registry case
        const registry = input;
        const ctx = initializeContext({ ...params, processors: allProcessors });
        const defs = {};
        // First pass: process all schemas to build the seen map
        for (const entry of registry._idmap.entries()) {
            const [_, schema] = entry;
            processSchema(schema, ctx);
        }
        const schemas = {};
        const external = {
            registry,
            uri: params?.uri,
            defs,
        };
        // Update the context with external configuration
        ctx.external = external;
        // Second pass: emit each schema
        for (const entry of registry._idmap.entries()) {
            const [key, schema] = entry;
            extractDefs(ctx, schema);
            assignProp(schemas, key, finalize(ctx, schema));
        }
        if (Object.keys(defs).length > 0) {
            const defsSegment = ctx.target === "draft-2020-12" ? "$defs" : "definitions";
            schemas.__shared = {
                [defsSegment]: defs,
            };
        }
        return { schemas };
    }
    // Single schema case
    const ctx = initializeContext({ ...params, processors: allProcessors });
    processSchema(input, ctx);
    extractDefs(ctx, input);
    return finalize(ctx, input);
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/locales/en.js

const error = () => {
    const Sizable = {
        string: { unit: "characters", verb: "to have" },
        file: { unit: "bytes", verb: "to have" },
        array: { unit: "items", verb: "to have" },
        set: { unit: "items", verb: "to have" },
        map: { unit: "entries", verb: "to have" },
    };
    function getSizing(origin) {
        return Sizable[origin] ?? null;
    }
    const FormatDictionary = {
        regex: "input",
        email: "email address",
        url: "URL",
        emoji: "emoji",
        uuid: "UUID",
        uuidv4: "UUIDv4",
        uuidv6: "UUIDv6",
        nanoid: "nanoid",
        guid: "GUID",
        cuid: "cuid",
        cuid2: "cuid2",
        ulid: "ULID",
        xid: "XID",
        ksuid: "KSUID",
        datetime: "ISO datetime",
        date: "ISO date",
        time: "ISO time",
        duration: "ISO duration",
        ipv4: "IPv4 address",
        ipv6: "IPv6 address",
        mac: "MAC address",
        cidrv4: "IPv4 range",
        cidrv6: "IPv6 range",
        base64: "base64-encoded string",
        base64url: "base64url-encoded string",
        json_string: "JSON string",
        e164: "E.164 number",
        currency_code: "currency code",
        credit_card: "credit card number",
        iban: "IBAN",
        jwt: "JWT",
        template_literal: "input",
    };
    // type names: missing keys = do not translate (use raw value via ?? fallback)
    const TypeDictionary = {
        // Compatibility: "nan" -> "NaN" for display
        nan: "NaN",
        // All other type names omitted - they fall back to raw values via ?? operator
    };
    function getTypeName(type, input) {
        if (type === "number" && typeof input === "number" && !Number.isFinite(input)) {
            return String(input);
        }
        return TypeDictionary[type] ?? type;
    }
    return (issue) => {
        switch (issue.code) {
            case "invalid_type": {
                const expected = getTypeName(issue.expected);
                const receivedType = core_util/* parsedType */.GW(issue.input);
                const received = getTypeName(receivedType, issue.input);
                return `Invalid input: expected ${expected}, received ${received}`;
            }
            case "invalid_value":
                if (issue.values.length === 1)
                    return `Invalid input: expected ${core_util/* stringifyPrimitive */.B7(issue.values[0])}`;
                return `Invalid option: expected one of ${core_util/* joinValues */.jw(issue.values, "|")}`;
            case "too_big": {
                const adj = issue.exact ? "exactly " : issue.inclusive ? "<=" : "<";
                const sizing = getSizing(issue.origin);
                if (sizing)
                    return `Too big: expected ${issue.origin ?? "value"} to have ${adj}${issue.maximum.toString()} ${sizing.unit ?? "elements"}`;
                return `Too big: expected ${issue.origin ?? "value"} to be ${adj}${issue.maximum.toString()}`;
            }
            case "too_small": {
                const adj = issue.exact ? "exactly " : issue.inclusive ? ">=" : ">";
                const sizing = getSizing(issue.origin);
                if (sizing) {
                    return `Too small: expected ${issue.origin} to have ${adj}${issue.minimum.toString()} ${sizing.unit}`;
                }
                return `Too small: expected ${issue.origin} to be ${adj}${issue.minimum.toString()}`;
            }
            case "invalid_format": {
                const _issue = issue;
                if (_issue.format === "starts_with") {
                    return `Invalid string: must start with "${_issue.prefix}"`;
                }
                if (_issue.format === "ends_with")
                    return `Invalid string: must end with "${_issue.suffix}"`;
                if (_issue.format === "includes")
                    return `Invalid string: must include "${_issue.includes}"`;
                if (_issue.format === "regex")
                    return `Invalid string: must match pattern ${_issue.pattern}`;
                return `Invalid ${FormatDictionary[_issue.format] ?? issue.format}`;
            }
            case "not_multiple_of":
                return `Invalid number: must be a multiple of ${issue.divisor}`;
            case "unrecognized_keys":
                return `Unrecognized key${issue.keys.length > 1 ? "s" : ""}: ${core_util/* joinValues */.jw(issue.keys, ", ")}`;
            case "invalid_key":
                return `Invalid key in ${issue.origin}`;
            case "invalid_union":
                if (issue.options && Array.isArray(issue.options) && issue.options.length > 0) {
                    const opts = issue.options.map((o) => `'${o}'`).join(" | ");
                    return `Invalid discriminator value. Expected ${opts}`;
                }
                if (issue.inclusive === false) {
                    return "Invalid input: more than one option matched";
                }
                return "Invalid input";
            case "invalid_element":
                return `Invalid value in ${issue.origin}`;
            default:
                return `Invalid input`;
        }
    };
};
/* harmony default export */ function en() {
    return {
        localeError: error(),
    };
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/errors.js


/* Computing the message eagerly is expensive (pretty-printed JSON of all
 * issues), so defer it until first read. The accessor functions and
 * descriptors are shared across instances to keep error construction
 * cheap; the computed message is cached on the internals object. The
 * setter preserves plain assignment semantics for consumers that
 * overwrite `message`. */
function _getMessage() {
    const internals = this._zod;
    internals.message ?? (internals.message = JSON.stringify(internals.def, core_util/* jsonStringifyReplacer */.k8, 2));
    return internals.message;
}
function _setMessage(value) {
    this._zod.message = value;
}
const _messageDesc = {
    get: _getMessage,
    set: _setMessage,
    enumerable: true,
    configurable: true,
};
const _issuesDesc = { value: undefined, enumerable: false };
/* Prototypes that already carry the lazy `toString`. Seeded with the
 * intrinsics so that `init` on a foreign object — it accepts any object —
 * can never install an accessor onto a prototype we do not own. */
const _installedToString = /* @__PURE__ */ new WeakSet([Object.prototype, Error.prototype]);
const initializer = (inst, def) => {
    inst.name = "$ZodError";
    // `_zod` is already non-enumerable: $constructor's init defined it with this same descriptor
    _issuesDesc.value = def;
    Object.defineProperty(inst, "issues", _issuesDesc);
    // Clear the shared slot; a retained `value` pins the last error's issues.
    _issuesDesc.value = undefined;
    Object.defineProperty(inst, "message", _messageDesc);
    /* `toString` lives as a non-enumerable lazy getter on the shared
     * prototype; on first access it caches a per-instance closure so
     * detached usage still works. */
    const proto = Object.getPrototypeOf(inst);
    if (!_installedToString.has(proto)) {
        _installedToString.add(proto);
        Object.defineProperty(proto, "toString", {
            configurable: true,
            enumerable: false,
            get() {
                const value = () => this.message;
                Object.defineProperty(this, "toString", { value, configurable: true, writable: true });
                return value;
            },
            set(value) {
                Object.defineProperty(this, "toString", { value, configurable: true, writable: true });
            },
        });
    }
};
const $ZodError = (0,core_core/* $constructor */.xI)("$ZodError", initializer);
const $ZodRealError = (0,core_core/* $constructor */.xI)("$ZodError", initializer, undefined, {
    Parent: Error,
});
/** Get-or-create `obj[key]` as an own data property. A path segment naming an inherited member
 * ("toString", "constructor") would otherwise read through to the prototype, and assigning
 * "__proto__" would hit the setter instead of creating a key. */
function node(obj, key, make) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) {
        if (key === "__proto__") {
            Object.defineProperty(obj, key, { value: make(), writable: true, enumerable: true, configurable: true });
        }
        else {
            obj[key] = make();
        }
    }
    return obj[key];
}
function flattenError(error, mapper = (issue) => issue.message) {
    const fieldErrors = {};
    const formErrors = [];
    for (const sub of error.issues) {
        if (sub.path.length > 0) {
            node(fieldErrors, sub.path[0], () => []).push(mapper(sub));
        }
        else {
            formErrors.push(mapper(sub));
        }
    }
    return { formErrors, fieldErrors };
}
function formatError(error, mapper = (issue) => issue.message) {
    const fieldErrors = { _errors: [] };
    const processError = (error, path = []) => {
        for (const issue of error.issues) {
            if (issue.code === "invalid_union" && issue.errors.length) {
                issue.errors.map((issues) => processError({ issues }, [...path, ...issue.path]));
            }
            else if (issue.code === "invalid_key") {
                processError({ issues: issue.issues }, [...path, ...issue.path]);
            }
            else if (issue.code === "invalid_element") {
                processError({ issues: issue.issues }, [...path, ...issue.path]);
            }
            else {
                const fullpath = [...path, ...issue.path];
                if (fullpath.length === 0) {
                    fieldErrors._errors.push(mapper(issue));
                }
                else {
                    let curr = fieldErrors;
                    let i = 0;
                    while (i < fullpath.length) {
                        const el = fullpath[i];
                        const terminal = i === fullpath.length - 1;
                        // `_errors` is reserved by this legacy format, so merge a matching path segment into the current node instead of treating its array as a child.
                        if (el === "_errors") {
                            if (terminal)
                                curr._errors.push(mapper(issue));
                            i++;
                            continue;
                        }
                        // A path element may collide with an inherited property name such as
                        // "__proto__" or "constructor". Truthiness checks read the prototype
                        // (so no node is created, then ._errors.push throws), and bracket
                        // assignment of "__proto__" hits the setter instead of creating an
                        // own key. Guard the read with hasOwnProperty and create the node
                        // with defineProperty so any path element becomes a real own key.
                        if (!Object.prototype.hasOwnProperty.call(curr, el)) {
                            Object.defineProperty(curr, el, {
                                value: { _errors: [] },
                                enumerable: true,
                                writable: true,
                                configurable: true,
                            });
                        }
                        const node = curr[el];
                        if (terminal) {
                            node._errors.push(mapper(issue));
                        }
                        curr = node;
                        i++;
                    }
                }
            }
        }
    };
    processError(error);
    return fieldErrors;
}
function treeifyError(error, mapper = (issue) => issue.message) {
    const result = { errors: [] };
    const processError = (error, path = []) => {
        var _a;
        for (const issue of error.issues) {
            if (issue.code === "invalid_union" && issue.errors.length) {
                // regular union error
                issue.errors.map((issues) => processError({ issues }, [...path, ...issue.path]));
            }
            else if (issue.code === "invalid_key") {
                processError({ issues: issue.issues }, [...path, ...issue.path]);
            }
            else if (issue.code === "invalid_element") {
                processError({ issues: issue.issues }, [...path, ...issue.path]);
            }
            else {
                const fullpath = [...path, ...issue.path];
                if (fullpath.length === 0) {
                    result.errors.push(mapper(issue));
                    continue;
                }
                let curr = result;
                let i = 0;
                while (i < fullpath.length) {
                    const el = fullpath[i];
                    const terminal = i === fullpath.length - 1;
                    if (typeof el === "string") {
                        curr.properties ?? (curr.properties = {});
                        // el may collide with an inherited property name ("__proto__",
                        // "constructor", ...); ??= reads the prototype so the node is never
                        // created and curr.errors.push throws. Guard with hasOwnProperty and
                        // create the node with defineProperty so "__proto__" becomes a real
                        // own key rather than invoking the prototype setter.
                        if (!Object.prototype.hasOwnProperty.call(curr.properties, el)) {
                            Object.defineProperty(curr.properties, el, {
                                value: { errors: [] },
                                enumerable: true,
                                writable: true,
                                configurable: true,
                            });
                        }
                        curr = curr.properties[el];
                    }
                    else {
                        curr.items ?? (curr.items = []);
                        (_a = curr.items)[el] ?? (_a[el] = { errors: [] });
                        curr = curr.items[el];
                    }
                    if (terminal) {
                        curr.errors.push(mapper(issue));
                    }
                    i++;
                }
            }
        }
    };
    processError(error);
    return result;
}
/** Format a ZodError as a human-readable string in the following form.
 *
 * From
 *
 * ```ts
 * ZodError {
 *   issues: [
 *     {
 *       expected: 'string',
 *       code: 'invalid_type',
 *       path: [ 'username' ],
 *       message: 'Invalid input: expected string'
 *     },
 *     {
 *       expected: 'number',
 *       code: 'invalid_type',
 *       path: [ 'favoriteNumbers', 1 ],
 *       message: 'Invalid input: expected number'
 *     }
 *   ];
 * }
 * ```
 *
 * to
 *
 * ```
 * username
 *   ✖ Expected number, received string at "username
 * favoriteNumbers[0]
 *   ✖ Invalid input: expected number
 * ```
 */
function toDotPath(_path) {
    const segs = [];
    const path = _path.map((seg) => (typeof seg === "object" ? seg.key : seg));
    for (const seg of path) {
        if (typeof seg === "number")
            segs.push(`[${seg}]`);
        else if (typeof seg === "symbol")
            segs.push(`[${JSON.stringify(String(seg))}]`);
        else if (/[^\w$]/.test(seg))
            segs.push(`[${JSON.stringify(seg)}]`);
        else {
            if (segs.length)
                segs.push(".");
            segs.push(seg);
        }
    }
    return segs.join("");
}
function prettifyError(error) {
    const lines = [];
    // sort by path length
    const issues = [...error.issues].sort((a, b) => (a.path ?? []).length - (b.path ?? []).length);
    // Process each issue
    for (const issue of issues) {
        lines.push(`✖ ${issue.message}`);
        if (issue.path?.length)
            lines.push(`  → at ${toDotPath(issue.path)}`);
    }
    // Convert Map to formatted string
    return lines.join("\n");
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/parse.js



// Always both keys, so the `_params` read site in `_parse` sees one object shape rather than two.
function finalizeParams(callee, params) {
    return { callee: params?.callee ?? callee, Err: params?.Err };
}
const _parse = (_Err) => {
    const fn = (schema, value, _ctx, _params) => {
        const ctx = _ctx ? { ..._ctx, async: false } : { async: false };
        const result = schema._zod.run({ value, issues: [] }, ctx);
        if (result instanceof Promise) {
            throw new core_core/* $ZodAsyncError */.GT();
        }
        if (result.issues.length) {
            const e = new (_params?.Err ?? _Err)(result.issues.map((iss) => core_util/* finalizeIssue */.iR(iss, ctx, core_core/* config */.$W())));
            core_util/* captureStackTrace */.gx(e, _params?.callee ?? fn);
            throw e;
        }
        return result.value;
    };
    return fn;
};
const parse_parse = /* @__PURE__*/ _parse($ZodRealError);
const _parseAsync = (_Err) => {
    const fn = async (schema, value, _ctx, params) => {
        const ctx = _ctx ? { ..._ctx, async: true } : { async: true };
        let result = schema._zod.run({ value, issues: [] }, ctx);
        if (result instanceof Promise)
            result = await result;
        if (result.issues.length) {
            const e = new (params?.Err ?? _Err)(result.issues.map((iss) => core_util/* finalizeIssue */.iR(iss, ctx, core_core/* config */.$W())));
            core_util/* captureStackTrace */.gx(e, params?.callee ?? fn);
            throw e;
        }
        return result.value;
    };
    return fn;
};
const parse_parseAsync = /* @__PURE__*/ _parseAsync($ZodRealError);
const _safeParse = (_Err) => (schema, value, _ctx) => {
    const ctx = _ctx ? { ..._ctx, async: false } : { async: false };
    const result = schema._zod.run({ value, issues: [] }, ctx);
    if (result instanceof Promise) {
        throw new core_core/* $ZodAsyncError */.GT();
    }
    return result.issues.length ? failure(_Err, result.issues, ctx) : { success: true, data: result.value };
};
const safeParse = /* @__PURE__*/ _safeParse($ZodRealError);
// the error is built on the first read of `error`: finalizing the issues and constructing the instance is most of a failing parse, and a caller that only branches on `success` never pays it. a getter in the literal keeps this small; the alternative, one shared accessor descriptor plus a hidden state slot, reads ~15% faster but costs ~75 B gzipped in every bundle
function failure(Err, issues, ctx) {
    let error;
    return {
        success: false,
        get error() {
            if (!error) {
                error = new Err(issues.map((iss) => core_util/* finalizeIssue */.iR(iss, ctx, core_core/* config */.$W())));
                // finalizeIssue drops `input`, so the built error holds nothing; keeping the raw issues past this point pins the parsed value for the life of the result
                issues = undefined;
                ctx = undefined;
            }
            return error;
        },
        set error(e) {
            error = e;
            // a replacement makes the getter's branch unreachable, so the captures have to go here too
            issues = undefined;
            ctx = undefined;
        },
    };
}
const _safeParseAsync = (_Err) => async (schema, value, _ctx) => {
    const ctx = _ctx ? { ..._ctx, async: true } : { async: true };
    let result = schema._zod.run({ value, issues: [] }, ctx);
    if (result instanceof Promise)
        result = await result;
    return result.issues.length ? failure(_Err, result.issues, ctx) : { success: true, data: result.value };
};
const safeParseAsync = /* @__PURE__*/ _safeParseAsync($ZodRealError);
// registry mirrors of the compiler's sentinels, so this module never imports the compiler
const COMPILE_INVALID = /* @__PURE__ */ Symbol.for("zod.compile.invalid");
const COMPILE_FALLBACK = /* @__PURE__ */ Symbol.for("zod.compile.fallback");
// Deliberately tiny, because v8 will not inline a body carrying the fallback's object literals and throw. Everything that is not the compiled happy path lives in validateFallback, and that split is worth ~35% on a compiled schema.
const validate = ((schema, value, _ctx) => {
    const validator = schema._zod.bag.validator;
    if (validator !== undefined) {
        if (validator(value) !== COMPILE_INVALID)
            return true;
        // a definite sentinel means the runtime would reject, so skip the re-parse; a ctx can still change the answer
        if (validator.definite === true && _ctx === undefined)
            return false;
    }
    return validateFallback(schema, value, _ctx);
});
function validateFallback(schema, value, _ctx) {
    const ctx = _ctx
        ? { ..._ctx, async: false, abortEarly: true }
        : { async: false, abortEarly: true };
    const fallbackRun = schema._zod.bag.fallbackRun;
    let result;
    if (fallbackRun) {
        // skip nested fast paths on the fallback, so user callbacks keep the at-most-twice bound
        ctx[COMPILE_FALLBACK] = true;
        result = fallbackRun({ value, issues: [] }, ctx);
    }
    else {
        result = schema._zod.run({ value, issues: [] }, ctx);
    }
    if (result instanceof Promise) {
        throw new core_core/* $ZodAsyncError */.GT();
    }
    return result.issues.length === 0;
}
// no fast path: the compiler keeps async parses on the runtime, because a promise-returning callback that is not declared async compiles to a throw
const parse_validateAsync = async (schema, value, _ctx) => {
    const ctx = _ctx
        ? { ..._ctx, async: true, abortEarly: true }
        : { async: true, abortEarly: true };
    let result = schema._zod.run({ value, issues: [] }, ctx);
    if (result instanceof Promise)
        result = await result;
    return result.issues.length === 0;
};
const _encode = (_Err) => {
    const parse = _parse(_Err);
    const fn = (schema, value, _ctx, _params) => {
        const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
        return parse(schema, value, ctx, finalizeParams(fn, _params));
    };
    return fn;
};
const encode = /* @__PURE__*/ _encode($ZodRealError);
const _decode = (_Err) => {
    const parse = _parse(_Err);
    const fn = (schema, value, _ctx, _params) => {
        return parse(schema, value, _ctx, finalizeParams(fn, _params));
    };
    return fn;
};
const decode = /* @__PURE__*/ _decode($ZodRealError);
const _encodeAsync = (_Err) => {
    const parseAsync = _parseAsync(_Err);
    const fn = async (schema, value, _ctx, _params) => {
        const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
        return (await parseAsync(schema, value, ctx, finalizeParams(fn, _params)));
    };
    return fn;
};
const encodeAsync = /* @__PURE__*/ _encodeAsync($ZodRealError);
const _decodeAsync = (_Err) => {
    const parseAsync = _parseAsync(_Err);
    const fn = async (schema, value, _ctx, _params) => {
        return await parseAsync(schema, value, _ctx, finalizeParams(fn, _params));
    };
    return fn;
};
const decodeAsync = /* @__PURE__*/ _decodeAsync($ZodRealError);
const _safeEncode = (_Err) => (schema, value, _ctx) => {
    const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
    return _safeParse(_Err)(schema, value, ctx);
};
const safeEncode = /* @__PURE__*/ _safeEncode($ZodRealError);
const _safeDecode = (_Err) => (schema, value, _ctx) => {
    return _safeParse(_Err)(schema, value, _ctx);
};
const safeDecode = /* @__PURE__*/ _safeDecode($ZodRealError);
const _safeEncodeAsync = (_Err) => async (schema, value, _ctx) => {
    const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
    return _safeParseAsync(_Err)(schema, value, ctx);
};
const safeEncodeAsync = /* @__PURE__*/ _safeEncodeAsync($ZodRealError);
const _safeDecodeAsync = (_Err) => async (schema, value, _ctx) => {
    return _safeParseAsync(_Err)(schema, value, _ctx);
};
const safeDecodeAsync = /* @__PURE__*/ _safeDecodeAsync($ZodRealError);

;// CONCATENATED MODULE: ./node_modules/zod/v4/classic/errors.js



/* Prototypes that already carry the lazy helper methods. Seeded with the
 * intrinsics so that `init` on a foreign object — it accepts any object —
 * can never install an accessor onto a prototype we do not own. */
const _installedErrorProtos = /* @__PURE__ */ new WeakSet([Object.prototype, Error.prototype]);
/* Helper methods live as non-enumerable lazy getters on the shared
 * prototype instead of own properties on every instance. On first
 * access the getter allocates the per-instance closure and caches it
 * as a non-enumerable own property, so detached usage still works and
 * the allocation only happens for methods actually touched. */
function _lazyMethod(proto, key, make) {
    Object.defineProperty(proto, key, {
        configurable: true,
        enumerable: false,
        get() {
            const value = make(this);
            Object.defineProperty(this, key, { value, configurable: true, writable: true });
            return value;
        },
        set(value) {
            Object.defineProperty(this, key, { value, configurable: true, writable: true });
        },
    });
}
const errors_initializer = (inst, issues) => {
    $ZodError.init(inst, issues);
    inst.name = "ZodError";
    const proto = Object.getPrototypeOf(inst);
    if (_installedErrorProtos.has(proto))
        return;
    _installedErrorProtos.add(proto);
    _lazyMethod(proto, "format", (self) => (mapper) => formatError(self, mapper));
    _lazyMethod(proto, "flatten", (self) => (mapper) => flattenError(self, mapper));
    _lazyMethod(proto, "addIssue", (self) => (issue) => {
        self.issues.push(issue);
        self.message = JSON.stringify(self.issues, core_util/* jsonStringifyReplacer */.k8, 2);
    });
    _lazyMethod(proto, "addIssues", (self) => (issues) => {
        self.issues.push(...issues);
        self.message = JSON.stringify(self.issues, core_util/* jsonStringifyReplacer */.k8, 2);
    });
    Object.defineProperty(proto, "isEmpty", {
        configurable: true,
        enumerable: false,
        get() {
            return this.issues.length === 0;
        },
    });
};
const ZodError = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodError", errors_initializer)));
const ZodRealError = /*@__PURE__*/ core_core/* $constructor */.xI("ZodError", errors_initializer, undefined, {
    Parent: Error,
});
// /** @deprecated Use `z.core.$ZodErrorMapCtx` instead. */
// export type ErrorMapCtx = core.$ZodErrorMapCtx;

;// CONCATENATED MODULE: ./node_modules/zod/v4/classic/parse.js


const classic_parse_parse = /* @__PURE__ */ _parse(ZodRealError);
const classic_parse_parseAsync = /* @__PURE__ */ _parseAsync(ZodRealError);
const parse_safeParse = /* @__PURE__ */ _safeParse(ZodRealError);
const parse_safeParseAsync = /* @__PURE__ */ _safeParseAsync(ZodRealError);

// Codec functions
const parse_encode = /* @__PURE__ */ _encode(ZodRealError);
const parse_decode = /* @__PURE__ */ _decode(ZodRealError);
const parse_encodeAsync = /* @__PURE__ */ _encodeAsync(ZodRealError);
const parse_decodeAsync = /* @__PURE__ */ _decodeAsync(ZodRealError);
const parse_safeEncode = /* @__PURE__ */ _safeEncode(ZodRealError);
const parse_safeDecode = /* @__PURE__ */ _safeDecode(ZodRealError);
const parse_safeEncodeAsync = /* @__PURE__ */ _safeEncodeAsync(ZodRealError);
const parse_safeDecodeAsync = /* @__PURE__ */ _safeDecodeAsync(ZodRealError);

;// CONCATENATED MODULE: ./node_modules/zod/v4/classic/schemas.js








// Register English as the default locale on first ZodType construction. Hooked into the `ZodType` `$constructor` (rather than a top-level `config(en())` in `external.ts`) so bundlers honoring `sideEffects: false` can't tree-shake it out — see #5953, #5725. An explicit `z.config(z.locales.xx())` call wins regardless of order, since this only sets the default when none is present.
function _ensureDefaultLocale() {
    if (!core_core/* globalConfig */.cr.localeError)
        core_core/* config */.$W(en());
}
// the default memoizer is read by the core container init, which runs before `ZodType.init`, so each container calls this first
function _ensureDefaultMemoizer() {
    if (!core_core/* globalConfig */.cr.memoizer)
        core_core/* config */.$W({ memoizer: memoizer() });
}
const ZodType = /*@__PURE__*/ core_core/* $constructor */.xI("ZodType", (inst, def) => {
    _ensureDefaultLocale();
    $ZodType.init(inst, def);
    inst.def = def;
    inst.type = def.type;
    return inst;
}, {
    check(...chks) {
        const def = this.def;
        return this.clone(core_util/* mergeDefs */.zM(def, {
            checks: [
                ...(def.checks ?? []),
                ...chks.map((ch) => typeof ch === "function" ? { _zod: { check: ch, def: { check: "custom" }, onattach: [] } } : ch),
            ],
        }), { parent: true });
    },
    with(...chks) {
        return this.check(...chks);
    },
    clone(def, params) {
        return core_util/* clone */.o8(this, def, params);
    },
    brand() {
        return this;
    },
    register(reg, meta) {
        reg.add(this, meta);
        return this;
    },
    refine(check, params) {
        return this.check(refine(check, params));
    },
    superRefine(refinement, params) {
        return this.check(superRefine(refinement, params));
    },
    overwrite(fn) {
        return this.check(_overwrite(fn));
    },
    optional() {
        return optional(this);
    },
    exactOptional() {
        return exactOptional(this);
    },
    nullable() {
        return nullable(this);
    },
    nullish() {
        return optional(nullable(this));
    },
    nonoptional(params) {
        return nonoptional(this, params);
    },
    array() {
        return array(this);
    },
    or(arg) {
        return union([this, arg]);
    },
    and(arg) {
        return intersection(this, arg);
    },
    transform(tx) {
        return pipe(this, transform(tx));
    },
    default(d) {
        return schemas_default(this, d);
    },
    prefault(d) {
        return prefault(this, d);
    },
    catch(params) {
        return schemas_catch(this, params);
    },
    pipe(target) {
        return pipe(this, target);
    },
    readonly() {
        return readonly(this);
    },
    describe(description) {
        const cl = this.clone();
        globalRegistry.add(cl, { description });
        return cl;
    },
    meta(...args) {
        // overloaded: meta() returns the registered metadata, meta(data) returns a clone with `data` registered. The mapped type picks up the second overload, so we accept variadic any-args and return `any` to satisfy both at runtime.
        if (args.length === 0)
            return globalRegistry.get(this);
        const cl = this.clone();
        globalRegistry.add(cl, args[0]);
        return cl;
    },
    isOptional() {
        return this.safeParse(undefined).success;
    },
    isNullable() {
        return this.safeParse(null).success;
    },
    apply(fn, ...args) {
        return args.length === 0 ? fn(this) : fn(this, ...args);
    },
    // Overrides core's `~standard` to add `jsonSchema`. Must stay a prototype entry: redefining it per instance demotes instances to dictionary mode.
    get "~standard"() {
        return core_util/* hide */.jD(this, "~standard", {
            ...standardProps(this),
            jsonSchema: {
                input: createStandardJSONSchemaMethod(this, "input"),
                output: createStandardJSONSchemaMethod(this, "output"),
            },
        });
    },
    set "~standard"(value) {
        core_util/* own */.qh(this, "~standard", value);
    },
    parse: function _parse(data, params) {
        return classic_parse_parse(this, data, params, { callee: _parse });
    },
    parseAsync: async function _parseAsync(data, params) {
        return await classic_parse_parseAsync(this, data, params, { callee: _parseAsync });
    },
    safeParse(data, params) {
        return parse_safeParse(this, data, params);
    },
    async safeParseAsync(data, params) {
        return parse_safeParseAsync(this, data, params);
    },
    // `spa` is an alias: same function object as `safeParseAsync`, as before.
    get spa() {
        return this?.safeParseAsync;
    },
    set spa(value) {
        core_util/* own */.qh(this, "spa", value);
    },
    validate(data, params) {
        return validate(this, data, params);
    },
    validateAsync(data, params) {
        return parse_validateAsync(this, data, params);
    },
    encode: function _encode(data, params) {
        return parse_encode(this, data, params, { callee: _encode });
    },
    decode: function _decode(data, params) {
        return parse_decode(this, data, params, { callee: _decode });
    },
    encodeAsync: async function _encodeAsync(data, params) {
        return await parse_encodeAsync(this, data, params, { callee: _encodeAsync });
    },
    decodeAsync: async function _decodeAsync(data, params) {
        return await parse_decodeAsync(this, data, params, { callee: _decodeAsync });
    },
    safeEncode(data, params) {
        return parse_safeEncode(this, data, params);
    },
    safeDecode(data, params) {
        return parse_safeDecode(this, data, params);
    },
    async safeEncodeAsync(data, params) {
        return parse_safeEncodeAsync(this, data, params);
    },
    async safeDecodeAsync(data, params) {
        return parse_safeDecodeAsync(this, data, params);
    },
    toJSONSchema(params) {
        return createToJSONSchemaMethod(this, {})(params);
    },
    // Reads through to the registry on every access, so it must not cache.
    get description() {
        return globalRegistry.get(this)?.description;
    },
    // No setter: `schema._def = x` throws, as it did when `_def` was a non-writable own property.
    get _def() {
        return this._zod.def;
    },
});
/** @internal */
const _ZodString = /*@__PURE__*/ core_core/* $constructor */.xI("_ZodString", (inst, def) => {
    $ZodString.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => stringProcessor(inst, ctx, json, params);
}, 
/*@__PURE__*/ core_util/* derived */.un({
    format: (inst) => aggregateChecks(inst).format ?? null,
    minLength: (inst) => aggregateChecks(inst).minimum ?? null,
    maxLength: (inst) => aggregateChecks(inst).maximum ?? null,
}, {
    regex(...args) {
        return this.check(_regex(...args));
    },
    includes(...args) {
        return this.check(_includes(...args));
    },
    startsWith(...args) {
        return this.check(_startsWith(...args));
    },
    endsWith(...args) {
        return this.check(_endsWith(...args));
    },
    min(...args) {
        return this.check(_minLength(...args));
    },
    max(...args) {
        return this.check(_maxLength(...args));
    },
    length(...args) {
        return this.check(_length(...args));
    },
    nonempty(...args) {
        return this.check(_minLength(1, ...args));
    },
    lowercase(params) {
        return this.check(_lowercase(params));
    },
    uppercase(params) {
        return this.check(_uppercase(params));
    },
    trim() {
        return this.check(_trim());
    },
    normalize(...args) {
        return this.check(_normalize(...args));
    },
    toLowerCase() {
        return this.check(_toLowerCase());
    },
    toUpperCase() {
        return this.check(_toUpperCase());
    },
    slugify() {
        return this.check(_slugify());
    },
}));
const ZodString = /*@__PURE__*/ core_core/* $constructor */.xI("ZodString", (inst, def) => {
    $ZodString.init(inst, def);
    _ZodString.init(inst, def);
}, {
    email(params) {
        return this.check(_email(ZodEmail, params));
    },
    url(params) {
        return this.check(_url(ZodURL, params));
    },
    jwt(params) {
        return this.check(_jwt(ZodJWT, params));
    },
    emoji(params) {
        return this.check(api_emoji(ZodEmoji, params));
    },
    guid(params) {
        return this.check(_guid(ZodGUID, params));
    },
    uuid(params) {
        return this.check(_uuid(ZodUUID, params));
    },
    uuidv4(params) {
        return this.check(_uuidv4(ZodUUID, params));
    },
    uuidv6(params) {
        return this.check(_uuidv6(ZodUUID, params));
    },
    uuidv7(params) {
        return this.check(_uuidv7(ZodUUID, params));
    },
    nanoid(params) {
        return this.check(_nanoid(ZodNanoID, params));
    },
    cuid(params) {
        return this.check(_cuid(ZodCUID, params));
    },
    cuid2(params) {
        return this.check(_cuid2(ZodCUID2, params));
    },
    ulid(params) {
        return this.check(_ulid(ZodULID, params));
    },
    base64(params) {
        return this.check(_base64(ZodBase64, params));
    },
    base64url(params) {
        return this.check(_base64url(ZodBase64URL, params));
    },
    xid(params) {
        return this.check(_xid(ZodXID, params));
    },
    ksuid(params) {
        return this.check(_ksuid(ZodKSUID, params));
    },
    ipv4(params) {
        return this.check(_ipv4(ZodIPv4, params));
    },
    ipv6(params) {
        return this.check(_ipv6(ZodIPv6, params));
    },
    cidrv4(params) {
        return this.check(_cidrv4(ZodCIDRv4, params));
    },
    cidrv6(params) {
        return this.check(_cidrv6(ZodCIDRv6, params));
    },
    e164(params) {
        return this.check(_e164(ZodE164, params));
    },
    datetime(params) {
        return this.check(_isoDateTime(ZodISODateTime, params));
    },
    date(params) {
        return this.check(_isoDate(ZodISODate, params));
    },
    time(params) {
        return this.check(_isoTime(ZodISOTime, params));
    },
    duration(params) {
        return this.check(_isoDuration(ZodISODuration, params));
    },
});
function schemas_string(params) {
    return _string(ZodString, params);
}
const ZodStringFormat = /*@__PURE__*/ core_core/* $constructor */.xI("ZodStringFormat", (inst, def) => {
    $ZodStringFormat.init(inst, def);
    _ZodString.init(inst, def);
});
const ZodISODateTime = /*@__PURE__*/ core_core/* $constructor */.xI("ZodISODateTime", (inst, def) => {
    $ZodISODateTime.init(inst, def);
    ZodStringFormat.init(inst, def);
});
const ZodISODate = /*@__PURE__*/ core_core/* $constructor */.xI("ZodISODate", (inst, def) => {
    $ZodISODate.init(inst, def);
    ZodStringFormat.init(inst, def);
});
const ZodISOTime = /*@__PURE__*/ core_core/* $constructor */.xI("ZodISOTime", (inst, def) => {
    $ZodISOTime.init(inst, def);
    ZodStringFormat.init(inst, def);
});
const ZodISODuration = /*@__PURE__*/ core_core/* $constructor */.xI("ZodISODuration", (inst, def) => {
    $ZodISODuration.init(inst, def);
    ZodStringFormat.init(inst, def);
});
const ZodEmail = /*@__PURE__*/ core_core/* $constructor */.xI("ZodEmail", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodEmail.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_email(params) {
    return core._email(ZodEmail, params);
}
const ZodGUID = /*@__PURE__*/ core_core/* $constructor */.xI("ZodGUID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodGUID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_guid(params) {
    return core._guid(ZodGUID, params);
}
const ZodUUID = /*@__PURE__*/ core_core/* $constructor */.xI("ZodUUID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodUUID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_uuid(params) {
    return core._uuid(ZodUUID, params);
}
function uuidv4(params) {
    return core._uuidv4(ZodUUID, params);
}
// ZodUUIDv6
function uuidv6(params) {
    return core._uuidv6(ZodUUID, params);
}
// ZodUUIDv7
function uuidv7(params) {
    return core._uuidv7(ZodUUID, params);
}
const ZodURL = /*@__PURE__*/ core_core/* $constructor */.xI("ZodURL", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodURL.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function url(params) {
    return core._url(ZodURL, params);
}
function httpUrl(params) {
    return core._url(ZodURL, {
        protocol: regexes.httpProtocol,
        hostname: regexes.domain,
        ...util.normalizeParams(params),
    });
}
const ZodEmoji = /*@__PURE__*/ core_core/* $constructor */.xI("ZodEmoji", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodEmoji.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_emoji(params) {
    return core._emoji(ZodEmoji, params);
}
const ZodNanoID = /*@__PURE__*/ core_core/* $constructor */.xI("ZodNanoID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodNanoID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_nanoid(params) {
    return core._nanoid(ZodNanoID, params);
}
/**
 * @deprecated CUID v1 is deprecated by its authors due to information leakage
 * (timestamps embedded in the id). Use {@link ZodCUID2} instead.
 * See https://github.com/paralleldrive/cuid.
 */
const ZodCUID = /*@__PURE__*/ core_core/* $constructor */.xI("ZodCUID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodCUID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
/**
 * Validates a CUID v1 string.
 *
 * @deprecated CUID v1 is deprecated by its authors due to information leakage
 * (timestamps embedded in the id). Use {@link cuid2 | `z.cuid2()`} instead.
 * See https://github.com/paralleldrive/cuid.
 */
function schemas_cuid(params) {
    return core._cuid(ZodCUID, params);
}
const ZodCUID2 = /*@__PURE__*/ core_core/* $constructor */.xI("ZodCUID2", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodCUID2.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_cuid2(params) {
    return core._cuid2(ZodCUID2, params);
}
const ZodULID = /*@__PURE__*/ core_core/* $constructor */.xI("ZodULID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodULID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_ulid(params) {
    return core._ulid(ZodULID, params);
}
const ZodXID = /*@__PURE__*/ core_core/* $constructor */.xI("ZodXID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodXID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_xid(params) {
    return core._xid(ZodXID, params);
}
const ZodKSUID = /*@__PURE__*/ core_core/* $constructor */.xI("ZodKSUID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodKSUID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_ksuid(params) {
    return core._ksuid(ZodKSUID, params);
}
const ZodIPv4 = /*@__PURE__*/ core_core/* $constructor */.xI("ZodIPv4", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodIPv4.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_ipv4(params) {
    return core._ipv4(ZodIPv4, params);
}
const ZodMAC = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodMAC", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    core.$ZodMAC.init(inst, def);
    ZodStringFormat.init(inst, def);
})));
function schemas_mac(params) {
    return core._mac(ZodMAC, params);
}
const ZodIPv6 = /*@__PURE__*/ core_core/* $constructor */.xI("ZodIPv6", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodIPv6.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_ipv6(params) {
    return core._ipv6(ZodIPv6, params);
}
const ZodCIDRv4 = /*@__PURE__*/ core_core/* $constructor */.xI("ZodCIDRv4", (inst, def) => {
    $ZodCIDRv4.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_cidrv4(params) {
    return core._cidrv4(ZodCIDRv4, params);
}
const ZodCIDRv6 = /*@__PURE__*/ core_core/* $constructor */.xI("ZodCIDRv6", (inst, def) => {
    $ZodCIDRv6.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_cidrv6(params) {
    return core._cidrv6(ZodCIDRv6, params);
}
const ZodBase64 = /*@__PURE__*/ core_core/* $constructor */.xI("ZodBase64", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodBase64.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_base64(params) {
    return core._base64(ZodBase64, params);
}
const ZodBase64URL = /*@__PURE__*/ core_core/* $constructor */.xI("ZodBase64URL", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodBase64URL.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_base64url(params) {
    return core._base64url(ZodBase64URL, params);
}
const ZodE164 = /*@__PURE__*/ core_core/* $constructor */.xI("ZodE164", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodE164.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_e164(params) {
    return core._e164(ZodE164, params);
}
const ZodCreditCard = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodCreditCard", (inst, def) => {
    core.$ZodCreditCard.init(inst, def);
    ZodStringFormat.init(inst, def);
})));
function schemas_creditCard(params) {
    return core._creditCard(ZodCreditCard, params);
}
const ZodIBAN = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodIBAN", (inst, def) => {
    core.$ZodIBAN.init(inst, def);
    ZodStringFormat.init(inst, def);
})));
function schemas_iban(params) {
    return core._iban(ZodIBAN, params);
}
const ZodJWT = /*@__PURE__*/ core_core/* $constructor */.xI("ZodJWT", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodJWT.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function jwt(params) {
    return core._jwt(ZodJWT, params);
}
const ZodCustomStringFormat = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodCustomStringFormat", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    core.$ZodCustomStringFormat.init(inst, def);
    ZodStringFormat.init(inst, def);
})));
function stringFormat(format, fnOrRegex, _params = {}) {
    return core._stringFormat(ZodCustomStringFormat, format, fnOrRegex, _params);
}
function schemas_hostname(_params) {
    return core._stringFormat(ZodCustomStringFormat, "hostname", regexes.hostname, _params);
}
function schemas_hex(_params) {
    return core._stringFormat(ZodCustomStringFormat, "hex", regexes.hex, _params);
}
function schemas_currencyCode(_params) {
    return core._stringFormat(ZodCustomStringFormat, "currency_code", regexes.currencyCode, _params);
}
function hash(alg, params) {
    const enc = params?.enc ?? "hex";
    const format = `${alg}_${enc}`;
    const regex = core.regexes[format];
    if (!regex)
        throw new Error(`Unrecognized hash format: ${format}`);
    return core._stringFormat(ZodCustomStringFormat, format, regex, params);
}
const ZodNumber = /*@__PURE__*/ core_core/* $constructor */.xI("ZodNumber", (inst, def) => {
    $ZodNumber.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => numberProcessor(inst, ctx, json, params);
    inst.isFinite = true;
}, 
/*@__PURE__*/ core_util/* derived */.un({
    minValue: (inst) => {
        const { minimum, exclusiveMinimum } = aggregateChecks(inst);
        return Math.max(minimum ?? Number.NEGATIVE_INFINITY, exclusiveMinimum ?? Number.NEGATIVE_INFINITY);
    },
    maxValue: (inst) => {
        const { maximum, exclusiveMaximum } = aggregateChecks(inst);
        return Math.min(maximum ?? Number.POSITIVE_INFINITY, exclusiveMaximum ?? Number.POSITIVE_INFINITY);
    },
    isInt: (inst) => {
        const { isInt, multipleOf } = aggregateChecks(inst);
        return !!isInt || !!multipleOf?.some(Number.isSafeInteger);
    },
    format: (inst) => aggregateChecks(inst).format ?? null,
}, {
    gt(value, params) {
        return this.check(_gt(value, params));
    },
    gte(value, params) {
        return this.check(_gte(value, params));
    },
    min(value, params) {
        return this.check(_gte(value, params));
    },
    lt(value, params) {
        return this.check(_lt(value, params));
    },
    lte(value, params) {
        return this.check(_lte(value, params));
    },
    max(value, params) {
        return this.check(_lte(value, params));
    },
    int(params) {
        return this.check(schemas_int(params));
    },
    safe(params) {
        return this.check(schemas_int(params));
    },
    positive(params) {
        return this.check(_gt(0, params));
    },
    nonnegative(params) {
        return this.check(_gte(0, params));
    },
    negative(params) {
        return this.check(_lt(0, params));
    },
    nonpositive(params) {
        return this.check(_lte(0, params));
    },
    multipleOf(value, params) {
        return this.check(_multipleOf(value, params));
    },
    step(value, params) {
        return this.check(_multipleOf(value, params));
    },
    finite() {
        return this;
    },
}));
function schemas_number(params) {
    return _number(ZodNumber, params);
}
const ZodNumberFormat = /*@__PURE__*/ core_core/* $constructor */.xI("ZodNumberFormat", (inst, def) => {
    $ZodNumberFormat.init(inst, def);
    ZodNumber.init(inst, def);
});
function schemas_int(params) {
    return _int(ZodNumberFormat, params);
}
function float32(params) {
    return core._float32(ZodNumberFormat, params);
}
function float64(params) {
    return core._float64(ZodNumberFormat, params);
}
function int32(params) {
    return core._int32(ZodNumberFormat, params);
}
function uint32(params) {
    return core._uint32(ZodNumberFormat, params);
}
const ZodBoolean = /*@__PURE__*/ core_core/* $constructor */.xI("ZodBoolean", (inst, def) => {
    $ZodBoolean.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => booleanProcessor(inst, ctx, json, params);
});
function schemas_boolean(params) {
    return _boolean(ZodBoolean, params);
}
const ZodBigInt = /*@__PURE__*/ core_core/* $constructor */.xI("ZodBigInt", (inst, def) => {
    $ZodBigInt.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => bigintProcessor(inst, ctx, json, params);
}, 
/*@__PURE__*/ core_util/* derived */.un({
    minValue: (inst) => aggregateChecks(inst).minimum ?? null,
    maxValue: (inst) => aggregateChecks(inst).maximum ?? null,
    format: (inst) => aggregateChecks(inst).format ?? null,
}, {
    gte(value, params) {
        return this.check(_gte(value, params));
    },
    min(value, params) {
        return this.check(_gte(value, params));
    },
    gt(value, params) {
        return this.check(_gt(value, params));
    },
    lt(value, params) {
        return this.check(_lt(value, params));
    },
    lte(value, params) {
        return this.check(_lte(value, params));
    },
    max(value, params) {
        return this.check(_lte(value, params));
    },
    positive(params) {
        return this.check(_gt(BigInt(0), params));
    },
    negative(params) {
        return this.check(_lt(BigInt(0), params));
    },
    nonpositive(params) {
        return this.check(_lte(BigInt(0), params));
    },
    nonnegative(params) {
        return this.check(_gte(BigInt(0), params));
    },
    multipleOf(value, params) {
        return this.check(_multipleOf(value, params));
    },
}));
function schemas_bigint(params) {
    return core._bigint(ZodBigInt, params);
}
const ZodBigIntFormat = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodBigIntFormat", (inst, def) => {
    core.$ZodBigIntFormat.init(inst, def);
    ZodBigInt.init(inst, def);
})));
function int64(params) {
    return core._int64(ZodBigIntFormat, params);
}
function uint64(params) {
    return core._uint64(ZodBigIntFormat, params);
}
const ZodSymbol = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodSymbol", (inst, def) => {
    core.$ZodSymbol.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.symbolProcessor(inst, ctx, json, params);
})));
function symbol(params) {
    return core._symbol(ZodSymbol, params);
}
const ZodUndefined = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodUndefined", (inst, def) => {
    core.$ZodUndefined.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.undefinedProcessor(inst, ctx, json, params);
})));
function schemas_undefined(params) {
    return core._undefined(ZodUndefined, params);
}

const ZodNull = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodNull", (inst, def) => {
    core.$ZodNull.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.nullProcessor(inst, ctx, json, params);
})));
function schemas_null(params) {
    return core._null(ZodNull, params);
}

const ZodAny = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodAny", (inst, def) => {
    core.$ZodAny.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.anyProcessor(inst, ctx, json, params);
})));
function any() {
    return core._any(ZodAny);
}
const ZodUnknown = /*@__PURE__*/ core_core/* $constructor */.xI("ZodUnknown", (inst, def) => {
    $ZodUnknown.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => unknownProcessor(inst, ctx, json, params);
});
function unknown() {
    return _unknown(ZodUnknown);
}
const ZodNever = /*@__PURE__*/ core_core/* $constructor */.xI("ZodNever", (inst, def) => {
    $ZodNever.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => neverProcessor(inst, ctx, json, params);
});
function never(params) {
    return _never(ZodNever, params);
}
const ZodVoid = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodVoid", (inst, def) => {
    core.$ZodVoid.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.voidProcessor(inst, ctx, json, params);
})));
function schemas_void(params) {
    return core._void(ZodVoid, params);
}

const ZodDate = /*@__PURE__*/ core_core/* $constructor */.xI("ZodDate", (inst, def) => {
    $ZodDate.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => dateProcessor(inst, ctx, json, params);
    inst.min = (value, params) => inst.check(_gte(value, params));
    inst.max = (value, params) => inst.check(_lte(value, params));
}, 
/*@__PURE__*/ core_util/* derived */.un({
    minDate: (inst) => {
        const { minimum } = aggregateChecks(inst);
        return minimum ? new Date(minimum) : null;
    },
    maxDate: (inst) => {
        const { maximum } = aggregateChecks(inst);
        return maximum ? new Date(maximum) : null;
    },
}, {}));
function schemas_date(params) {
    return core._date(ZodDate, params);
}
const ZodArray = /*@__PURE__*/ core_core/* $constructor */.xI("ZodArray", (inst, def) => {
    _ensureDefaultMemoizer();
    $ZodArray.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => arrayProcessor(inst, ctx, json, params);
    inst.element = def.element;
}, {
    min(n, params) {
        return this.check(_minLength(n, params));
    },
    nonempty(params) {
        return this.check(_minLength(1, params));
    },
    max(n, params) {
        return this.check(_maxLength(n, params));
    },
    length(n, params) {
        return this.check(_length(n, params));
    },
    unwrap() {
        return this.element;
    },
});
function array(element, params) {
    return _array(ZodArray, element, params);
}
// .keyof
function keyof(schema) {
    const shape = schema._zod.def.shape;
    return schemas_enum(Object.keys(shape));
}
const ZodObject = /*@__PURE__*/ core_core/* $constructor */.xI("ZodObject", (inst, def) => {
    _ensureDefaultMemoizer();
    $ZodObjectJIT.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => objectProcessor(inst, ctx, json, params);
    core_util/* installLazyProp */.X(inst, "shape", (self) => self._zod.def.shape, false);
}, {
    keyof() {
        return schemas_enum(Object.keys(this._zod.def.shape));
    },
    catchall(catchall) {
        // `mergeDefs` rather than a spread: spreading reads `shape`, and resolving it can mint a whole fresh subtree
        return this.clone(core_util/* mergeDefs */.zM(this._zod.def, { catchall: catchall }));
    },
    passthrough() {
        return this.clone(core_util/* mergeDefs */.zM(this._zod.def, { catchall: unknown() }));
    },
    loose() {
        return this.clone(core_util/* mergeDefs */.zM(this._zod.def, { catchall: unknown() }));
    },
    strict() {
        return this.clone(core_util/* mergeDefs */.zM(this._zod.def, { catchall: never() }));
    },
    strip() {
        return this.clone(core_util/* mergeDefs */.zM(this._zod.def, { catchall: undefined }));
    },
    extend(incoming) {
        return core_util/* extend */.X$(this, incoming);
    },
    safeExtend(incoming) {
        return core_util/* safeExtend */.W0(this, incoming);
    },
    merge(other) {
        return core_util/* merge */.h1(this, other);
    },
    pick(mask) {
        return core_util/* pick */.Up(this, mask);
    },
    omit(mask) {
        return core_util/* omit */.cJ(this, mask);
    },
    partial(...args) {
        return core_util/* partial */.OH(ZodOptional, this, args[0]);
    },
    exactPartial(...args) {
        return core_util/* partial */.OH(ZodExactOptional, this, args[0], "exactPartial");
    },
    required(...args) {
        return core_util/* required */.mw(ZodNonOptional, this, args[0]);
    },
});
function object(shape, params) {
    const def = {
        type: "object",
        shape: shape ?? {},
        ...core_util/* normalizeParams */.A2(params),
    };
    return new ZodObject(def);
}
// strictObject
function strictObject(shape, params) {
    return new ZodObject({
        type: "object",
        shape,
        catchall: never(),
        ...core_util/* normalizeParams */.A2(params),
    });
}
// looseObject
function looseObject(shape, params) {
    return new ZodObject({
        type: "object",
        shape,
        catchall: unknown(),
        ...util.normalizeParams(params),
    });
}
const ZodUnion = /*@__PURE__*/ core_core/* $constructor */.xI("ZodUnion", (inst, def) => {
    $ZodUnion.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => unionProcessor(inst, ctx, json, params);
    inst.options = def.options;
});
function union(options, params) {
    return new ZodUnion({
        type: "union",
        options: options,
        ...core_util/* normalizeParams */.A2(params),
    });
}
const ZodXor = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodXor", (inst, def) => {
    ZodUnion.init(inst, def);
    core.$ZodXor.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.unionProcessor(inst, ctx, json, params);
    inst.options = def.options;
})));
/** Creates an exclusive union (XOR) where exactly one option must match.
 * Unlike regular unions that succeed when any option matches, xor fails if
 * zero or more than one option matches the input. */
function xor(options, params) {
    return new ZodXor({
        type: "union",
        options: options,
        inclusive: false,
        ...util.normalizeParams(params),
    });
}
const ZodDiscriminatedUnion = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodDiscriminatedUnion", (inst, def) => {
    ZodUnion.init(inst, def);
    core.$ZodDiscriminatedUnion.init(inst, def);
})));
function discriminatedUnion(discriminator, options, params) {
    // const [options, params] = args;
    return new ZodDiscriminatedUnion({
        type: "union",
        options: options,
        discriminator,
        ...util.normalizeParams(params),
    });
}
const ZodIntersection = /*@__PURE__*/ core_core/* $constructor */.xI("ZodIntersection", (inst, def) => {
    $ZodIntersection.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => intersectionProcessor(inst, ctx, json, params);
});
function intersection(left, right) {
    return new ZodIntersection({
        type: "intersection",
        left: left,
        right: right,
    });
}
const ZodTuple = /*@__PURE__*/ core_core/* $constructor */.xI("ZodTuple", (inst, def) => {
    _ensureDefaultMemoizer();
    $ZodTuple.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => tupleProcessor(inst, ctx, json, params);
}, {
    rest(rest) {
        return this.clone({
            ...this._zod.def,
            rest: rest,
        });
    },
    partial() {
        const def = this._zod.def;
        // a refinement was authored against the full arity; partialing would run it on a shorter array
        if (def.checks?.length)
            throw new Error(".partial() cannot be used on tuple schemas containing refinements");
        return this.clone({
            ...def,
            items: def.items.map((item) => new ZodOptional({ type: "optional", innerType: item })),
        });
    },
});
function tuple(items, _paramsOrRest, _params) {
    const hasRest = _paramsOrRest instanceof core.$ZodType;
    const params = hasRest ? _params : _paramsOrRest;
    const rest = hasRest ? _paramsOrRest : null;
    return new ZodTuple({
        type: "tuple",
        items: items,
        rest,
        ...util.normalizeParams(params),
    });
}
const ZodRecord = /*@__PURE__*/ core_core/* $constructor */.xI("ZodRecord", (inst, def) => {
    _ensureDefaultMemoizer();
    $ZodRecord.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => recordProcessor(inst, ctx, json, params);
    inst.keyType = def.keyType;
    inst.valueType = def.valueType;
});
function record(keyType, valueType, params) {
    // v3-compat: z.record(valueType, params?) — defaults keyType to z.string()
    if (!valueType || !valueType._zod) {
        return new ZodRecord({
            type: "record",
            keyType: schemas_string(),
            valueType: keyType,
            ...core_util/* normalizeParams */.A2(valueType),
        });
    }
    return new ZodRecord({
        type: "record",
        keyType,
        valueType: valueType,
        ...core_util/* normalizeParams */.A2(params),
    });
}
// type alksjf = core.output<core.$ZodRecordKey>;
function partialRecord(keyType, valueType, params) {
    return new ZodRecord({
        type: "record",
        keyType,
        valueType: valueType,
        ...core_util/* normalizeParams */.A2(params),
        partial: true,
    });
}
function looseRecord(keyType, valueType, params) {
    return new ZodRecord({
        type: "record",
        keyType,
        valueType: valueType,
        mode: "loose",
        ...util.normalizeParams(params),
    });
}
const ZodMap = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodMap", (inst, def) => {
    _ensureDefaultMemoizer();
    core.$ZodMap.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.mapProcessor(inst, ctx, json, params);
    inst.keyType = def.keyType;
    inst.valueType = def.valueType;
    inst.min = (...args) => inst.check(core._minSize(...args));
    inst.nonempty = (params) => inst.check(core._minSize(1, params));
    inst.max = (...args) => inst.check(core._maxSize(...args));
    inst.size = (...args) => inst.check(core._size(...args));
})));
function map(keyType, valueType, params) {
    return new ZodMap({
        type: "map",
        keyType: keyType,
        valueType: valueType,
        ...util.normalizeParams(params),
    });
}
const ZodSet = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodSet", (inst, def) => {
    _ensureDefaultMemoizer();
    core.$ZodSet.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.setProcessor(inst, ctx, json, params);
    inst.min = (...args) => inst.check(core._minSize(...args));
    inst.nonempty = (params) => inst.check(core._minSize(1, params));
    inst.max = (...args) => inst.check(core._maxSize(...args));
    inst.size = (...args) => inst.check(core._size(...args));
})));
function set(valueType, params) {
    return new ZodSet({
        type: "set",
        valueType: valueType,
        ...util.normalizeParams(params),
    });
}
const ZodEnum = /*@__PURE__*/ core_core/* $constructor */.xI("ZodEnum", (inst, def) => {
    $ZodEnum.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => enumProcessor(inst, ctx, json, params);
    inst.enum = def.entries;
    // reuse the parsed value set so a numeric TS enum's reverse-mapping keys stay out
    inst.options = [...inst._zod.values];
    const keys = new Set(Object.keys(def.entries));
    inst.extract = (values, params) => {
        const newEntries = {};
        for (const value of values) {
            if (keys.has(value)) {
                newEntries[value] = def.entries[value];
            }
            else
                throw new Error(`Key ${value} not found in enum`);
        }
        return new ZodEnum({
            ...def,
            checks: [],
            ...core_util/* normalizeParams */.A2(params),
            entries: newEntries,
        });
    };
    inst.exclude = (values, params) => {
        const newEntries = { ...def.entries };
        for (const value of values) {
            if (keys.has(value)) {
                delete newEntries[value];
            }
            else
                throw new Error(`Key ${value} not found in enum`);
        }
        return new ZodEnum({
            ...def,
            checks: [],
            ...core_util/* normalizeParams */.A2(params),
            entries: newEntries,
        });
    };
});
function schemas_enum(values, params) {
    const entries = Array.isArray(values) ? Object.fromEntries(values.map((v) => [v, v])) : values;
    return new ZodEnum({
        type: "enum",
        entries,
        ...core_util/* normalizeParams */.A2(params),
    });
}

/** @deprecated This API has been merged into `z.enum()`. Use `z.enum()` instead.
 *
 * ```ts
 * enum Colors { red, green, blue }
 * z.enum(Colors);
 * ```
 */
function nativeEnum(entries, params) {
    return new ZodEnum({
        type: "enum",
        entries,
        ...util.normalizeParams(params),
    });
}
const ZodLiteral = /*@__PURE__*/ core_core/* $constructor */.xI("ZodLiteral", (inst, def) => {
    $ZodLiteral.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => literalProcessor(inst, ctx, json, params);
    inst.values = new Set(def.values);
    Object.defineProperty(inst, "value", {
        get() {
            if (def.values.length > 1) {
                throw new Error("This schema contains multiple valid literal values. Use `.values` instead.");
            }
            return def.values[0];
        },
    });
});
function literal(value, params) {
    return new ZodLiteral({
        type: "literal",
        values: Array.isArray(value) ? value : [value],
        ...core_util/* normalizeParams */.A2(params),
    });
}
const ZodFile = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodFile", (inst, def) => {
    core.$ZodFile.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.fileProcessor(inst, ctx, json, params);
    inst.min = (size, params) => inst.check(core._minSize(size, params));
    inst.max = (size, params) => inst.check(core._maxSize(size, params));
    inst.mime = (types, params) => inst.check(core._mime(Array.isArray(types) ? types : [types], params));
})));
function file(params) {
    return core._file(ZodFile, params);
}
const ZodTransform = /*@__PURE__*/ core_core/* $constructor */.xI("ZodTransform", (inst, def) => {
    _ensureDefaultMemoizer();
    $ZodTransform.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => transformProcessor(inst, ctx, json, params);
    inst._zod.parse = (payload, _ctx) => {
        if (_ctx.direction === "backward") {
            throw new core_core/* $ZodEncodeError */.cV(inst.constructor.name);
        }
        payload.addIssue = (issue) => {
            if (typeof issue === "string") {
                payload.issues.push(core_util/* issue */.sn(issue, payload.value, def));
            }
            else {
                // for Zod 3 backwards compatibility
                const _issue = issue;
                if (_issue.fatal)
                    _issue.continue = false;
                _issue.code ?? (_issue.code = "custom");
                if (!("input" in _issue))
                    _issue.input = payload.value;
                _issue.inst ?? (_issue.inst = inst);
                // _issue.continue ??= true;
                payload.issues.push(core_util/* issue */.sn(_issue));
            }
        };
        const output = def.transform(payload.value, payload);
        if (output instanceof Promise) {
            return output.then((output) => {
                payload.value = output;
                return payload;
            });
        }
        payload.value = output;
        return payload;
    };
});
function transform(fn) {
    return new ZodTransform({
        type: "transform",
        transform: fn,
    });
}
const ZodOptional = /*@__PURE__*/ core_core/* $constructor */.xI("ZodOptional", (inst, def) => {
    $ZodOptional.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => optionalProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function optional(innerType) {
    return new ZodOptional({
        type: "optional",
        innerType: innerType,
    });
}
const ZodExactOptional = /*@__PURE__*/ core_core/* $constructor */.xI("ZodExactOptional", (inst, def) => {
    $ZodExactOptional.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => optionalProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function exactOptional(innerType) {
    return new ZodExactOptional({
        type: "optional",
        innerType: innerType,
    });
}
const ZodNullable = /*@__PURE__*/ core_core/* $constructor */.xI("ZodNullable", (inst, def) => {
    $ZodNullable.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => nullableProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function nullable(innerType) {
    return new ZodNullable({
        type: "nullable",
        innerType: innerType,
    });
}
// nullish
function nullish(innerType) {
    return optional(nullable(innerType));
}
const ZodDefault = /*@__PURE__*/ core_core/* $constructor */.xI("ZodDefault", (inst, def) => {
    $ZodDefault.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => defaultProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
    inst.removeDefault = inst.unwrap;
});
function schemas_default(innerType, defaultValue) {
    return new ZodDefault({
        type: "default",
        innerType: innerType,
        get defaultValue() {
            return typeof defaultValue === "function" ? defaultValue() : core_util/* shallowClone */.yG(defaultValue);
        },
    });
}
const ZodPrefault = /*@__PURE__*/ core_core/* $constructor */.xI("ZodPrefault", (inst, def) => {
    $ZodPrefault.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => prefaultProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function prefault(innerType, defaultValue) {
    return new ZodPrefault({
        type: "prefault",
        innerType: innerType,
        get defaultValue() {
            return typeof defaultValue === "function" ? defaultValue() : core_util/* shallowClone */.yG(defaultValue);
        },
    });
}
const ZodNonOptional = /*@__PURE__*/ core_core/* $constructor */.xI("ZodNonOptional", (inst, def) => {
    $ZodNonOptional.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => nonoptionalProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function nonoptional(innerType, params) {
    return new ZodNonOptional({
        type: "nonoptional",
        innerType: innerType,
        ...core_util/* normalizeParams */.A2(params),
    });
}
const ZodSuccess = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodSuccess", (inst, def) => {
    core.$ZodSuccess.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.successProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
})));
function success(innerType) {
    return new ZodSuccess({
        type: "success",
        innerType: innerType,
    });
}
const ZodCatch = /*@__PURE__*/ core_core/* $constructor */.xI("ZodCatch", (inst, def) => {
    $ZodCatch.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => catchProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
    inst.removeCatch = inst.unwrap;
});
function schemas_catch(innerType, catchValue) {
    return new ZodCatch({
        type: "catch",
        innerType: innerType,
        catchValue: (typeof catchValue === "function" ? catchValue : core_util/* constantCatch */.SS(catchValue)),
    });
}

const ZodNaN = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodNaN", (inst, def) => {
    core.$ZodNaN.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.nanProcessor(inst, ctx, json, params);
})));
function nan(params) {
    return core._nan(ZodNaN, params);
}
const ZodPipe = /*@__PURE__*/ core_core/* $constructor */.xI("ZodPipe", (inst, def) => {
    $ZodPipe.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => pipeProcessor(inst, ctx, json, params);
    inst.in = def.in;
    inst.out = def.out;
});
function pipe(in_, out) {
    return new ZodPipe({
        type: "pipe",
        in: in_,
        out: out,
        // ...util.normalizeParams(params),
    });
}
const ZodCodec = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodCodec", (inst, def) => {
    ZodPipe.init(inst, def);
    core.$ZodCodec.init(inst, def);
})));
function codec(in_, out, params) {
    return new ZodCodec({
        type: "pipe",
        in: in_,
        out: out,
        transform: params.decode,
        reverseTransform: params.encode,
    });
}
function invertCodec(codec) {
    const def = codec._zod.def;
    return new ZodCodec({
        type: "pipe",
        in: def.out,
        out: def.in,
        transform: def.reverseTransform,
        reverseTransform: def.transform,
    });
}
const ZodPreprocess = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodPreprocess", (inst, def) => {
    ZodPipe.init(inst, def);
    core.$ZodPreprocess.init(inst, def);
})));
const ZodReadonly = /*@__PURE__*/ core_core/* $constructor */.xI("ZodReadonly", (inst, def) => {
    $ZodReadonly.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => readonlyProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function readonly(innerType) {
    return new ZodReadonly({
        type: "readonly",
        innerType: innerType,
    });
}
const ZodTemplateLiteral = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodTemplateLiteral", (inst, def) => {
    core.$ZodTemplateLiteral.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.templateLiteralProcessor(inst, ctx, json, params);
})));
function templateLiteral(parts, params) {
    return new ZodTemplateLiteral({
        type: "template_literal",
        parts,
        ...util.normalizeParams(params),
    });
}
const ZodLazy = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodLazy", (inst, def) => {
    core.$ZodLazy.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.lazyProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.getter();
})));
function lazy(getter) {
    return new ZodLazy({
        type: "lazy",
        getter: getter,
    });
}
const ZodPromise = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodPromise", (inst, def) => {
    core.$ZodPromise.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.promiseProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
})));
function promise(innerType) {
    return new ZodPromise({
        type: "promise",
        innerType: innerType,
    });
}
const ZodFunction = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodFunction", (inst, def) => {
    core.$ZodFunction.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.functionProcessor(inst, ctx, json, params);
})));
function _function(params) {
    return new ZodFunction({
        type: "function",
        input: Array.isArray(params?.input) ? tuple(params?.input) : (params?.input ?? array(unknown())),
        output: params?.output ?? unknown(),
    });
}

const ZodCustom = /*@__PURE__*/ core_core/* $constructor */.xI("ZodCustom", (inst, def) => {
    $ZodCustom.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => customProcessor(inst, ctx, json, params);
});
// custom checks
function check(fn) {
    const ch = new core.$ZodCheck({
        check: "custom",
        // ...util.normalizeParams(params),
    });
    ch._zod.check = fn;
    return ch;
}
function custom(fn, _params) {
    return core._custom(ZodCustom, fn ?? (() => true), _params);
}
function refine(fn, _params = {}) {
    return _refine(ZodCustom, fn, _params);
}
// superRefine
function superRefine(fn, params) {
    return _superRefine(fn, params);
}
// Re-export describe and meta from core
const schemas_describe = describe;
const schemas_meta = meta;
const ZodInstanceOf = /*@__PURE__*/ core_core/* $constructor */.xI("ZodInstanceOf", (inst, def) => {
    ZodCustom.init(inst, def);
}, {
    properties(shape, params) {
        // asserts in place, so the narrowed output type is truthful without a wrapper
        return this.check(_properties(shape, params));
    },
});
function _instanceof(cls, params = {}) {
    const inst = new ZodInstanceOf({
        type: "custom",
        check: "custom",
        fn: (data) => data instanceof cls,
        abort: true,
        ...util.normalizeParams(params),
    });
    inst._zod.bag.Class = cls;
    // Override check to emit invalid_type instead of custom
    inst._zod.check = (payload) => {
        if (!(payload.value instanceof cls)) {
            payload.issues.push({
                code: "invalid_type",
                expected: cls.name,
                input: payload.value,
                inst,
                path: [...(inst._zod.def.path ?? [])],
            });
        }
    };
    return inst;
}

// stringbool
const stringbool = (...args) => core._stringbool({
    Codec: ZodCodec,
    Boolean: ZodBoolean,
    String: ZodString,
}, ...args);
function json(params) {
    const jsonSchema = lazy(() => {
        return union([schemas_string(params), schemas_number(), schemas_boolean(), schemas_null(), array(jsonSchema), record(schemas_string(), jsonSchema)]);
    });
    return jsonSchema;
}
// preprocess
function preprocess(fn, schema) {
    return new ZodPreprocess({
        type: "pipe",
        in: transform(fn),
        out: schema,
    });
}


/***/ }),

/***/ 8532:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $W: () => (/* binding */ config),
/* harmony export */   GT: () => (/* binding */ $ZodAsyncError),
/* harmony export */   cV: () => (/* binding */ $ZodEncodeError),
/* harmony export */   cr: () => (/* binding */ globalConfig),
/* harmony export */   tm: () => (/* binding */ NEVER),
/* harmony export */   xI: () => (/* binding */ $constructor)
/* harmony export */ });
/* unused harmony export $brand */
/* harmony import */ var _util_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4723);
var _a;

/** A special constant with type `never` */
const NEVER = /*@__PURE__*/ Object.freeze({
    status: "aborted",
});
/* Shared descriptor for installing `_zod`; defineProperty reads it
 * synchronously, so reusing one object avoids a per-instance allocation. */
const _zodDesc = { value: undefined, enumerable: false };
// null where suppressing the capture would be unrecoverable: `parse()` puts the frames back with `captureStackTrace`, so without it the throw would lose its stack. also latched to null once `stackTraceLimit` proves unassignable, which a realm can do at any point by hardening Error
let _E = "captureStackTrace" in Error ? Error : null;
// v8 captures a stack trace inside the Error constructor, which dominates a failed parse; costs only the frames, and parse() restores those. the constructor must RUN: Object.create is cheaper and passes instanceof, but Error.isError and util.types.isNativeError check an internal slot
function newError(Definition) {
    const E = _E;
    if (E) {
        const saved = E.stackTraceLimit;
        if (typeof saved === "number") {
            try {
                E.stackTraceLimit = 0;
            }
            catch {
                _E = null;
                return new Definition();
            }
            try {
                return new Definition();
            }
            finally {
                E.stackTraceLimit = saved;
            }
        }
    }
    return new Definition();
}
function $constructor(name, initializer, 
/** This trait's members, installed once on every prototype that composes it. They cannot be declared in the initializer above: that runs per instance, and the prototype is shared. */
proto, params) {
    // Prototype for this constructor's `_zod` internals. Lazily-derived fields (`values`, `pattern`, `optin`, …) install here once rather than as an accessor on every instance.
    const zodProto = {};
    // Assigning the fields in the constructor body is what gives instances in-object slots; building the object literally and reparenting it costs a second allocation and a generic property copy.
    function Internals(def) {
        this.def = def;
        this.constr = _;
        this.traits = new Set();
    }
    Internals.prototype = zodProto;
    const protoMembers = proto;
    // One trait's members land on every prototype whose chain composes it, so the answer is per prototype rather than per trait.
    const initialized = protoMembers && new WeakSet();
    function init(inst, def) {
        if (!inst._zod) {
            _zodDesc.value = new Internals(def);
            try {
                Object.defineProperty(inst, "_zod", _zodDesc);
            }
            finally {
                // Cleared even on throw, so the shared descriptor never leaks one instance's internals into the next.
                _zodDesc.value = undefined;
            }
        }
        else if (inst._zod.traits.has(name)) {
            return;
        }
        inst._zod.traits.add(name);
        initializer(inst, def);
        if (initialized) {
            // `super(def)` from a user subclass gives `this` a prototype the subclass owns, and installing there would overwrite whatever the subclass declared. `constr` built the instance, so its prototype is the one below the subclass's that should carry the members. A receiver whose chain never reaches that prototype installs on its own, which for a plain object handed straight to `init` means `Object.prototype` — unchanged from before.
            const own = Object.getPrototypeOf(inst);
            const ctorProto = inst._zod.constr.prototype;
            let up = own;
            while (up && up !== ctorProto)
                up = Object.getPrototypeOf(up);
            const target = up ?? own;
            if (!initialized.has(target)) {
                initialized.add(target);
                (0,_util_js__WEBPACK_IMPORTED_MODULE_0__/* .members */ .ol)(target, protoMembers);
            }
        }
        // support prototype modifications; for-in avoids the array allocation of Object.keys on the (usually empty) prototype
        const proto = _.prototype;
        for (const k in proto) {
            if (!Object.prototype.hasOwnProperty.call(proto, k))
                continue;
            if (!(k in inst)) {
                inst[k] = proto[k].bind(inst);
            }
        }
    }
    // doesn't work if Parent has a constructor with arguments
    const Parent = params?.Parent ?? Object;
    class Definition extends Parent {
    }
    Object.defineProperty(Definition, "name", { value: name });
    function _(def) {
        const inst = params?.Parent ? newError(Definition) : this;
        init(inst, def);
        const deferred = inst._zod.deferred;
        if (deferred) {
            for (const fn of deferred) {
                fn();
            }
            // Released: initializers run once, and the list would otherwise be retained for the schema's lifetime.
            inst._zod.deferred = undefined;
        }
        // Global post-processor hook. Internal: installed by `import "zod/compile"` to enable AOT compilation for every constructed schema. Runs last, once the instance is fully built, because it hands the instance to compile(). The post-processor is expected to be reentrancy-guarded by its own implementation.
        const pp = globalThis.__zod_globalConfig?.postProcessor;
        if (pp)
            pp(inst);
        return inst;
    }
    Object.defineProperty(_, "init", { value: init });
    Object.defineProperty(_, Symbol.hasInstance, {
        value: (inst) => {
            if (params?.Parent && inst instanceof params.Parent)
                return true;
            return inst?._zod?.traits?.has(name);
        },
    });
    Object.defineProperty(_, "name", { value: name });
    return _;
}
//////////////////////////////   UTILITIES   ///////////////////////////////////////
const $brand = /*@__PURE__*/ (/* unused pure expression or super */ null && (Symbol("zod_brand")));
class $ZodAsyncError extends Error {
    constructor() {
        super(`Encountered Promise during synchronous parse. Use .parseAsync() instead.`);
    }
}
class $ZodEncodeError extends Error {
    constructor(name) {
        super(`Encountered unidirectional transform during encode: ${name}`);
        this.name = "ZodEncodeError";
    }
}
(_a = globalThis).__zod_globalConfig ?? (_a.__zod_globalConfig = {});
const globalConfig = globalThis.__zod_globalConfig;
function config(newConfig) {
    if (newConfig)
        Object.assign(globalConfig, newConfig);
    return globalConfig;
}


/***/ }),

/***/ 4723:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   A2: () => (/* binding */ normalizeParams),
/* harmony export */   B7: () => (/* binding */ stringifyPrimitive),
/* harmony export */   GW: () => (/* binding */ parsedType),
/* harmony export */   Gv: () => (/* binding */ isObject),
/* harmony export */   LG: () => (/* binding */ floatSafeRemainder),
/* harmony export */   MO: () => (/* binding */ rawShape),
/* harmony export */   NM: () => (/* binding */ optionalKeys),
/* harmony export */   NR: () => (/* binding */ BIGINT_FORMAT_RANGES),
/* harmony export */   O7: () => (/* binding */ codePointLength),
/* harmony export */   OH: () => (/* binding */ partial),
/* harmony export */   PO: () => (/* binding */ cached),
/* harmony export */   QH: () => (/* binding */ aborted),
/* harmony export */   Qd: () => (/* binding */ isPlainObject),
/* harmony export */   Rc: () => (/* binding */ getLengthableOrigin),
/* harmony export */   SS: () => (/* binding */ constantCatch),
/* harmony export */   UQ: () => (/* binding */ esc),
/* harmony export */   Up: () => (/* binding */ pick),
/* harmony export */   Vy: () => (/* binding */ assignProp),
/* harmony export */   W0: () => (/* binding */ safeExtend),
/* harmony export */   X: () => (/* binding */ installLazyProp),
/* harmony export */   X$: () => (/* binding */ extend),
/* harmony export */   Yv: () => (/* binding */ slugify),
/* harmony export */   cJ: () => (/* binding */ omit),
/* harmony export */   cl: () => (/* binding */ nullish),
/* harmony export */   d3: () => (/* binding */ attachSchema),
/* harmony export */   gx: () => (/* binding */ captureStackTrace),
/* harmony export */   h1: () => (/* binding */ merge),
/* harmony export */   hI: () => (/* binding */ allowsEval),
/* harmony export */   hi: () => (/* binding */ sizeCaps),
/* harmony export */   iR: () => (/* binding */ finalizeIssue),
/* harmony export */   jD: () => (/* binding */ hide),
/* harmony export */   jw: () => (/* binding */ joinValues),
/* harmony export */   k8: () => (/* binding */ jsonStringifyReplacer),
/* harmony export */   lQ: () => (/* binding */ prefixIssues),
/* harmony export */   mw: () => (/* binding */ required),
/* harmony export */   o8: () => (/* binding */ clone),
/* harmony export */   ol: () => (/* binding */ members),
/* harmony export */   p6: () => (/* binding */ cleanRegex),
/* harmony export */   qQ: () => (/* binding */ propertyKeyTypes),
/* harmony export */   qh: () => (/* binding */ own),
/* harmony export */   rL: () => (/* binding */ explicitlyAborted),
/* harmony export */   sD: () => (/* binding */ escapeRegex),
/* harmony export */   sn: () => (/* binding */ issue),
/* harmony export */   un: () => (/* binding */ derived),
/* harmony export */   v5: () => (/* binding */ defineLazyInternal),
/* harmony export */   w5: () => (/* binding */ getEnumValues),
/* harmony export */   yG: () => (/* binding */ shallowClone),
/* harmony export */   zH: () => (/* binding */ NUMBER_FORMAT_RANGES),
/* harmony export */   zM: () => (/* binding */ mergeDefs)
/* harmony export */ });
/* unused harmony exports assertEqual, assertNotEqual, toZod, assertIs, assertNever, assert, defineLazy, objectClone, cloneDef, getElementAtPath, promiseAllObject, randomString, numKeys, getParsedType, primitiveTypes, createTransparentProxy, unwrapMessage, getSizableOrigin, cleanEnum, base64ToUint8Array, uint8ArrayToBase64, base64urlToUint8Array, uint8ArrayToBase64url, hexToUint8Array, uint8ArrayToHex, Class, CONSTANT_CATCH */
/* harmony import */ var _core_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8532);

// functions
function assertEqual(val) {
    return val;
}
function assertNotEqual(val) {
    return val;
}
function toZod() {
    return (schema) => schema;
}
function assertIs(_arg) { }
function assertNever(_x) {
    throw new Error("Unexpected value in exhaustive check");
}
function assert(_) { }
function getEnumValues(entries) {
    const numericValues = Object.values(entries).filter((v) => typeof v === "number");
    const values = Object.entries(entries)
        .filter(([k, _]) => numericValues.indexOf(+k) === -1)
        .map(([_, v]) => v);
    return values;
}
function joinValues(array, separator = "|") {
    return array.map((val) => stringifyPrimitive(val)).join(separator);
}
function jsonStringifyReplacer(_, value) {
    if (typeof value === "bigint")
        return value.toString();
    return value;
}
// the accessor lives on a shared prototype: an own accessor makes every box a dictionary-mode object (~360 B and a slow load per read against ~100 B and an inlined getter here)
class Cached {
    constructor(getter) {
        this._getter = getter;
        this._value = undefined;
    }
    get value() {
        const getter = this._getter;
        if (getter !== undefined) {
            this._value = getter();
            this._getter = undefined;
        }
        return this._value;
    }
}
function cached(getter) {
    return new Cached(getter);
}
function nullish(input) {
    return input === null || input === undefined;
}
function cleanRegex(source) {
    const start = source.startsWith("^") ? 1 : 0;
    const end = source.endsWith("$") ? source.length - 1 : source.length;
    return source.slice(start, end);
}
function floatSafeRemainder(val, step) {
    const ratio = val / step;
    const roundedRatio = Math.round(ratio);
    // `val` and `step` each round to a double before the division rounds again, so a true decimal multiple's quotient can sit up to 1.5 of these scaled epsilons from the integer. A 1x tolerance therefore rejected 2.03 as a multiple of 0.07; 4x covers the worst case with margin.
    const tolerance = 4 * Number.EPSILON * Math.max(Math.abs(ratio), 1);
    if (Math.abs(ratio - roundedRatio) < tolerance)
        return 0;
    return ratio - roundedRatio;
}
const EVALUATING = /* @__PURE__*/ (/* unused pure expression or super */ null && (Symbol("evaluating")));
function defineLazy(object, key, getter) {
    let value = undefined;
    Object.defineProperty(object, key, {
        get() {
            if (value === EVALUATING) {
                // Circular reference detected, return undefined to break the cycle
                return undefined;
            }
            if (value === undefined) {
                value = EVALUATING;
                value = getter();
            }
            return value;
        },
        set(v) {
            Object.defineProperty(object, key, {
                value: v,
                // configurable: true,
            });
            // object[key] = v;
        },
        configurable: true,
    });
}
function objectClone(obj) {
    return Object.create(Object.getPrototypeOf(obj), Object.getOwnPropertyDescriptors(obj));
}
function assignProp(target, prop, value) {
    Object.defineProperty(target, prop, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
    });
}
/**
 * Whichever object a def's `shape` currently answers from: the one the caller passed until the first read, the frozen copy after it.
 *
 * Its keys and descriptors read without invoking anything, which is what lets a discriminated union check its discriminator, and the cycle walk read a shape, without resolving a getter that references the schema being constructed. A def that answers `shape` from an accessor of its own has none.
 */
function rawShape(def) {
    const desc = Object.getOwnPropertyDescriptor(def, "shape");
    return desc?.get ? desc.get.raw : desc?.value;
}
// where a builder reads its source's keys and descriptors, resolving only a shape a def answers for itself. A shape resolves by object spread, so only its enumerable keys are ever part of it.
function sourceShape(schema) {
    return rawShape(schema._zod.def) ?? schema._zod.def.shape;
}
// a key whose value is not settled yet, self-caching so every read after the first gets the same one
function deferProp(target, key, getter) {
    Object.defineProperty(target, key, {
        get() {
            const value = getter();
            assignProp(this, key, value);
            return value;
        },
        enumerable: true,
        configurable: true,
    });
}
// Writes a settled key. A plain assignment is much cheaper than `defineProperty` and produces the same descriptor, but it runs whatever setter already answers to the key — an accessor this shape deferred, or an inherited one, which `__proto__` has on every object and prototype pollution can add for any name.
function putProp(target, key, value) {
    if (key in target)
        assignProp(target, key, value);
    else
        target[key] = value;
}
/**
 * Copies `keys` of `source`'s shape onto `target`, each value passed through `wrap`.
 *
 * A key the source has resolved is copied through now, so the derived shape states it outright and nothing has to resolve it to learn what it holds. A key the source still defers stays deferred, and reads back through the source's own `shape`, so it resolves once and both shapes get that one schema.
 */
function mirrorShape(target, source, keys, wrap) {
    const raw = sourceShape(source);
    for (const key of keys) {
        const desc = Object.getOwnPropertyDescriptor(raw, key);
        if (!desc.enumerable)
            continue;
        if (desc.get) {
            deferProp(target, key, () => {
                const value = source._zod.def.shape[key];
                return wrap ? wrap(value, key) : value;
            });
        }
        else
            putProp(target, key, wrap ? wrap(desc.value, key) : desc.value);
    }
}
// same, for a plain shape a caller passed rather than a schema's
function mirrorProps(target, source) {
    for (const key of Reflect.ownKeys(source)) {
        const desc = Object.getOwnPropertyDescriptor(source, key);
        if (!desc.enumerable)
            continue;
        if (desc.get)
            deferProp(target, key, () => source[key]);
        else
            putProp(target, key, desc.value);
    }
}
function mergeDefs(...defs) {
    const mergedDescriptors = {};
    for (const def of defs) {
        const descriptors = Object.getOwnPropertyDescriptors(def);
        Object.assign(mergedDescriptors, descriptors);
    }
    return Object.defineProperties({}, mergedDescriptors);
}
function cloneDef(schema) {
    return mergeDefs(schema._zod.def);
}
function getElementAtPath(obj, path) {
    if (!path)
        return obj;
    return path.reduce((acc, key) => acc?.[key], obj);
}
function promiseAllObject(promisesObj) {
    const keys = Object.keys(promisesObj);
    const promises = keys.map((key) => promisesObj[key]);
    return Promise.all(promises).then((results) => {
        const resolvedObj = {};
        for (let i = 0; i < keys.length; i++) {
            resolvedObj[keys[i]] = results[i];
        }
        return resolvedObj;
    });
}
function randomString(length = 10) {
    const chars = "abcdefghijklmnopqrstuvwxyz";
    let str = "";
    for (let i = 0; i < length; i++) {
        str += chars[Math.floor(Math.random() * chars.length)];
    }
    return str;
}
function esc(str) {
    return JSON.stringify(str);
}
function slugify(input) {
    return input
        .toLowerCase()
        .trim()
        .replace(/[^\w\s-]/g, "")
        .replace(/[\s_-]+/g, "-")
        .replace(/^-+|-+$/g, "");
}
const captureStackTrace = ("captureStackTrace" in Error ? Error.captureStackTrace : (..._args) => { });
function isObject(data) {
    return typeof data === "object" && data !== null && !Array.isArray(data);
}
const allowsEval = /* @__PURE__*/ cached(() => {
    // Skip the probe under `jitless`: strict CSPs report the caught `new Function` as a `securitypolicyviolation` even though the throw is swallowed.
    if (_core_js__WEBPACK_IMPORTED_MODULE_0__/* .globalConfig */ .cr.jitless) {
        return false;
    }
    // @ts-ignore
    if (typeof navigator !== "undefined" && navigator?.userAgent?.includes("Cloudflare")) {
        return false;
    }
    try {
        const F = Function;
        new F("");
        return true;
    }
    catch (_) {
        return false;
    }
});
function isPlainObject(o) {
    if (isObject(o) === false)
        return false;
    // modified constructor
    const ctor = o.constructor;
    if (ctor === undefined)
        return true;
    if (typeof ctor !== "function")
        return true;
    // modified prototype
    const prot = ctor.prototype;
    if (isObject(prot) === false)
        return false;
    // ctor doesn't have static `isPrototypeOf`
    if (Object.prototype.hasOwnProperty.call(prot, "isPrototypeOf") === false) {
        return false;
    }
    return true;
}
function shallowClone(o) {
    if (isPlainObject(o))
        return { ...o };
    if (Array.isArray(o))
        return [...o];
    if (o instanceof Map)
        return new Map(o);
    if (o instanceof Set)
        return new Set(o);
    return o;
}
function numKeys(data) {
    let keyCount = 0;
    for (const key in data) {
        if (Object.prototype.hasOwnProperty.call(data, key)) {
            keyCount++;
        }
    }
    return keyCount;
}
const getParsedType = (data) => {
    const t = typeof data;
    switch (t) {
        case "undefined":
            return "undefined";
        case "string":
            return "string";
        case "number":
            return Number.isNaN(data) ? "nan" : "number";
        case "boolean":
            return "boolean";
        case "function":
            return "function";
        case "bigint":
            return "bigint";
        case "symbol":
            return "symbol";
        case "object":
            if (Array.isArray(data)) {
                return "array";
            }
            if (data === null) {
                return "null";
            }
            if (data.then && typeof data.then === "function" && data.catch && typeof data.catch === "function") {
                return "promise";
            }
            if (typeof Map !== "undefined" && data instanceof Map) {
                return "map";
            }
            if (typeof Set !== "undefined" && data instanceof Set) {
                return "set";
            }
            if (typeof Date !== "undefined" && data instanceof Date) {
                return "date";
            }
            // @ts-ignore
            if (typeof File !== "undefined" && data instanceof File) {
                return "file";
            }
            return "object";
        default:
            throw new Error(`Unknown data type: ${t}`);
    }
};
const propertyKeyTypes = /* @__PURE__*/ new Set(["string", "number", "symbol"]);
const primitiveTypes = /* @__PURE__*/ new Set([
    "string",
    "number",
    "bigint",
    "boolean",
    "symbol",
    "undefined",
]);
function escapeRegex(str) {
    return str.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
// zod-specific utils
function clone(inst, def, params) {
    const cl = new inst._zod.constr(def ?? inst._zod.def);
    if (!def || params?.parent)
        cl._zod.parent = inst;
    return cl;
}
function normalizeParams(_params) {
    const params = _params;
    if (!params)
        return {};
    if (typeof params === "string")
        return { error: () => params };
    if (params?.message !== undefined) {
        if (params?.error !== undefined)
            throw new Error("Cannot specify both `message` and `error` params");
        params.error = params.message;
    }
    delete params.message;
    if (typeof params.error === "string")
        return { ...params, error: () => params.error };
    return params;
}
function createTransparentProxy(getter) {
    let target;
    return new Proxy({}, {
        get(_, prop, receiver) {
            target ?? (target = getter());
            return Reflect.get(target, prop, receiver);
        },
        set(_, prop, value, receiver) {
            target ?? (target = getter());
            return Reflect.set(target, prop, value, receiver);
        },
        has(_, prop) {
            target ?? (target = getter());
            return Reflect.has(target, prop);
        },
        deleteProperty(_, prop) {
            target ?? (target = getter());
            return Reflect.deleteProperty(target, prop);
        },
        ownKeys(_) {
            target ?? (target = getter());
            return Reflect.ownKeys(target);
        },
        getOwnPropertyDescriptor(_, prop) {
            target ?? (target = getter());
            return Reflect.getOwnPropertyDescriptor(target, prop);
        },
        defineProperty(_, prop, descriptor) {
            target ?? (target = getter());
            return Reflect.defineProperty(target, prop, descriptor);
        },
    });
}
function stringifyPrimitive(value) {
    if (typeof value === "bigint")
        return value.toString() + "n";
    if (typeof value === "string")
        return `"${value}"`;
    return `${value}`;
}
function optionalKeys(shape) {
    return Object.keys(shape).filter((k) => {
        return shape[k]._zod.optin !== undefined && shape[k]._zod.optout === "optional";
    });
}
// Wrapped in a `@__PURE__` IIFE: esbuild never tree-shakes a top-level initializer that contains a member access on `Number`, so the bare object literal survived into every bundle.
const NUMBER_FORMAT_RANGES = /*@__PURE__*/ (() => ({
    safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    int32: [-2147483648, 2147483647],
    uint32: [0, 4294967295],
    float32: [-3.4028234663852886e38, 3.4028234663852886e38],
    float64: [-Number.MAX_VALUE, Number.MAX_VALUE],
}))();
const BIGINT_FORMAT_RANGES = {
    int64: [/* @__PURE__*/ BigInt("-9223372036854775808"), /* @__PURE__*/ BigInt("9223372036854775807")],
    uint64: [/* @__PURE__*/ BigInt(0), /* @__PURE__*/ BigInt("18446744073709551615")],
};
function pick(schema, mask) {
    const currDef = schema._zod.def;
    const checks = currDef.checks;
    const hasChecks = checks && checks.length > 0;
    if (hasChecks) {
        throw new Error(".pick() cannot be used on object schemas containing refinements");
    }
    const newShape = {};
    mirrorShape(newShape, schema, maskedKeys(schema, mask));
    return clone(schema, mergeDefs(currDef, { shape: newShape, checks: [] }));
}
// the mask keys that select something, checked against the source's shape without resolving it
function maskedKeys(schema, mask) {
    const raw = sourceShape(schema);
    const keys = [];
    // `for...in` skips symbols, so a symbol in the mask would select nothing
    for (const key of Reflect.ownKeys(mask)) {
        if (!Object.getOwnPropertyDescriptor(raw, key)?.enumerable) {
            throw new Error(`Unrecognized key: "${String(key)}"`);
        }
        if (mask[key])
            keys.push(key);
    }
    return keys;
}
function omit(schema, mask) {
    const currDef = schema._zod.def;
    const checks = currDef.checks;
    const hasChecks = checks && checks.length > 0;
    if (hasChecks) {
        throw new Error(".omit() cannot be used on object schemas containing refinements");
    }
    const omitted = new Set(maskedKeys(schema, mask));
    const newShape = {};
    mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)).filter((key) => !omitted.has(key)));
    return clone(schema, mergeDefs(currDef, { shape: newShape, checks: [] }));
}
function extend(schema, shape) {
    if (!isPlainObject(shape)) {
        throw new Error("Invalid input to extend: expected a plain object");
    }
    const checks = schema._zod.def.checks;
    const hasChecks = checks && checks.length > 0;
    if (hasChecks) {
        // Only throw if new shape overlaps with existing shape. Use getOwnPropertyDescriptor to check key existence without accessing values
        const existingShape = sourceShape(schema);
        for (const key of Reflect.ownKeys(shape)) {
            if (Object.getOwnPropertyDescriptor(existingShape, key) !== undefined) {
                throw new Error("Cannot overwrite keys on object schemas containing refinements. Use `.safeExtend()` instead.");
            }
        }
    }
    return clone(schema, mergeDefs(schema._zod.def, { shape: extended(schema, shape) }));
}
// the source's keys, then the caller's overlaid on top
function extended(schema, shape) {
    const newShape = {};
    mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)));
    mirrorProps(newShape, shape);
    return newShape;
}
function safeExtend(schema, shape) {
    if (!isPlainObject(shape)) {
        throw new Error("Invalid input to safeExtend: expected a plain object");
    }
    return clone(schema, mergeDefs(schema._zod.def, { shape: extended(schema, shape) }));
}
function merge(a, b) {
    if (!b?._zod?.def) {
        throw new Error("Invalid input to merge: expected an object schema. To merge a plain shape, use `.extend()`.");
    }
    if (a._zod.def.checks?.length) {
        throw new Error(".merge() cannot be used on object schemas containing refinements. Use .safeExtend() instead.");
    }
    const newShape = {};
    mirrorShape(newShape, a, Reflect.ownKeys(sourceShape(a)));
    mirrorShape(newShape, b, Reflect.ownKeys(sourceShape(b)));
    const def = mergeDefs(a._zod.def, {
        shape: newShape,
        get catchall() {
            return b._zod.def.catchall;
        },
        checks: b._zod.def.checks ?? [],
    });
    return clone(a, def);
}
function partial(Class, schema, mask, name = "partial") {
    const currDef = schema._zod.def;
    const checks = currDef.checks;
    const hasChecks = checks && checks.length > 0;
    if (hasChecks) {
        throw new Error(`.${name}() cannot be used on object schemas containing refinements`);
    }
    const selected = mask ? new Set(maskedKeys(schema, mask)) : undefined;
    const newShape = {};
    mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)), Class &&
        ((value, key) => (selected && !selected.has(key) ? value : new Class({ type: "optional", innerType: value }))));
    return clone(schema, mergeDefs(schema._zod.def, { shape: newShape, checks: [] }));
}
function required(Class, schema, mask) {
    const selected = mask ? new Set(maskedKeys(schema, mask)) : undefined;
    const newShape = {};
    mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)), (value, key) => 
    // overwrite with non-optional
    selected && !selected.has(key) ? value : new Class({ type: "nonoptional", innerType: value }));
    return clone(schema, mergeDefs(schema._zod.def, { shape: newShape }));
}
// invalid_type | too_big | too_small | invalid_format | not_multiple_of | unrecognized_keys | invalid_union | invalid_key | invalid_element | invalid_value | custom
function aborted(x, startIndex = 0) {
    if (x.aborted === true)
        return true;
    for (let i = startIndex; i < x.issues.length; i++) {
        if (x.issues[i]?.continue !== true) {
            return true;
        }
    }
    return false;
}
// Checks for explicit abort (continue === false), as opposed to implicit abort (continue === undefined). Used to respect `abort: true` in .refine() even for checks that have a `when` function.
function explicitlyAborted(x, startIndex = 0) {
    if (x.aborted === true)
        return true;
    for (let i = startIndex; i < x.issues.length; i++) {
        if (x.issues[i]?.continue === false) {
            return true;
        }
    }
    return false;
}
function prefixIssues(path, issues) {
    return issues.map((iss) => {
        var _a;
        (_a = iss).path ?? (_a.path = []);
        iss.path.unshift(path);
        return iss;
    });
}
function unwrapMessage(message) {
    return typeof message === "string" ? message : message?.message;
}
/* A check holds no link back to the schema it is attached to — the same check instance is shared by every clone of that schema — so the owner is stamped onto the issues a check just raised, at the only point where both are in scope. Runs on the failure path only; `start` is the issue count from before the check ran. */
/** The leading size checks of `defChecks` that set an upper bound, each paired with it. */
function sizeCaps(defChecks) {
    const caps = [];
    for (const ch of defChecks ?? []) {
        const d = ch._zod.def;
        // a later check may rewrite the value
        if (!/_(length|size)$|_equals$/.test(d.check))
            break;
        const max = d.maximum ?? d.length ?? d.size;
        if (max >= 0)
            caps.push([max, ch]);
    }
    return caps;
}
function attachSchema(issues, start, inst) {
    var _a;
    for (let i = start; i < issues.length; i++) {
        (_a = issues[i]).schema ?? (_a.schema = inst);
    }
}
function finalizeIssue(iss, ctx, config) {
    var _a;
    // A schema that raised an issue itself owns it outright, and outranks any stamp an enclosing check left in `attachSchema`. String formats and z.custom() are schema and check at once, so when they act as a check they defer to that stamp instead.
    const traits = iss.inst?._zod?.traits;
    if (traits?.has("$ZodType")) {
        if (traits.has("$ZodCheck"))
            (_a = iss).schema ?? (_a.schema = iss.inst);
        else
            iss.schema = iss.inst;
    }
    // Decreasing specificity, first map to return a message wins. `inst` is whatever raised the issue, so a check's own map outranks the owning schema's.
    const schemaError = iss.schema !== iss.inst ? iss.schema?._zod.def?.error : undefined;
    const message = iss.message
        ? iss.message
        : (unwrapMessage(iss.inst?._zod.def?.error?.(iss)) ??
            unwrapMessage(schemaError?.(iss)) ??
            unwrapMessage(ctx?.error?.(iss)) ??
            unwrapMessage(config.customError?.(iss)) ??
            unwrapMessage(config.localeError?.(iss)) ??
            "Invalid input");
    // an explicit own-key copy beats object rest with excluded keys, which v8 routes through a generic runtime call; Object.keys rather than for-in so an issue pushed with a prototype does not leak inherited keys, and an own __proto__ key is dropped rather than assigned through the setter
    const full = {};
    for (const k of Object.keys(iss)) {
        if (k === "inst" || k === "schema" || k === "continue" || k === "input" || k === "__proto__")
            continue;
        full[k] = iss[k];
    }
    full.path ?? (full.path = []);
    full.message = message;
    if (ctx?.reportInput) {
        full.input = iss.input;
    }
    return full;
}
function getSizableOrigin(input) {
    if (input instanceof Set)
        return "set";
    if (input instanceof Map)
        return "map";
    // @ts-ignore
    if (input instanceof File)
        return "file";
    return "unknown";
}
const highSurrogate = /[\uD800-\uDBFF]/;
// Code points in `str`: a surrogate pair counts once, a lone surrogate as itself. Hand-rolled because the string iterator allocates and runs ~250x slower on this path; the regex probe exits ~50x quicker for a string with no astral characters.
function codePointLength(str) {
    const units = str.length;
    if (!highSurrogate.test(str))
        return units;
    let count = units;
    for (let i = 0; i < units - 1; i++) {
        if ((str.charCodeAt(i) & 0xfc00) === 0xd800 && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
            count--;
            i++;
        }
    }
    return count;
}
function getLengthableOrigin(input) {
    if (Array.isArray(input))
        return "array";
    if (typeof input === "string")
        return "string";
    return "unknown";
}
function parsedType(data) {
    const t = typeof data;
    switch (t) {
        case "number": {
            return Number.isNaN(data) ? "nan" : "number";
        }
        case "object": {
            if (data === null) {
                return "null";
            }
            if (Array.isArray(data)) {
                return "array";
            }
            const obj = data;
            if (obj && Object.getPrototypeOf(obj) !== Object.prototype && "constructor" in obj && obj.constructor) {
                return obj.constructor.name;
            }
        }
    }
    return t;
}
function issue(...args) {
    const [iss, input, inst] = args;
    if (typeof iss === "string") {
        return {
            message: iss,
            code: "custom",
            input,
            inst,
        };
    }
    return { ...iss };
}
function cleanEnum(obj) {
    return Object.entries(obj)
        .filter(([k, _]) => {
        // return true if NaN, meaning it's not a number, thus a string key
        return Number.isNaN(Number.parseInt(k, 10));
    })
        .map((el) => el[1]);
}
// Codec utility functions
function base64ToUint8Array(base64) {
    const binaryString = atob(base64);
    const bytes = new Uint8Array(binaryString.length);
    for (let i = 0; i < binaryString.length; i++) {
        bytes[i] = binaryString.charCodeAt(i);
    }
    return bytes;
}
function uint8ArrayToBase64(bytes) {
    let binaryString = "";
    for (let i = 0; i < bytes.length; i++) {
        binaryString += String.fromCharCode(bytes[i]);
    }
    return btoa(binaryString);
}
function base64urlToUint8Array(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const padding = "=".repeat((4 - (base64.length % 4)) % 4);
    return base64ToUint8Array(base64 + padding);
}
function uint8ArrayToBase64url(bytes) {
    return uint8ArrayToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, "");
}
function hexToUint8Array(hex) {
    const cleanHex = hex.replace(/^0x/, "");
    if (cleanHex.length % 2 !== 0) {
        throw new Error("Invalid hex string length");
    }
    const bytes = new Uint8Array(cleanHex.length / 2);
    for (let i = 0; i < cleanHex.length; i += 2) {
        bytes[i / 2] = Number.parseInt(cleanHex.slice(i, i + 2), 16);
    }
    return bytes;
}
function uint8ArrayToHex(bytes) {
    return Array.from(bytes)
        .map((b) => b.toString(16).padStart(2, "0"))
        .join("");
}
// instanceof
class Class {
    constructor(..._args) { }
}
//////////    PROTOTYPE INSTALLERS     //////////
//
// Members live on the prototype and materialize per instance on first read, which keeps own-property count under the step where V8 stops using inline slots. Changing anything here means re-measuring runtime, memory and bundle size together — see "The three axes" in AGENTS.md.
/**
 * Installs a trait's members on its prototype. Each value builds that member for the instance on first read; the built value shadows the accessor as an own property, so a detached `const { parse } = schema` keeps working.
 *
 * Call this from a `proto` initializer, which runs once per prototype — never per instance.
 */
function members(proto, table) {
    for (const key in table) {
        const desc = Object.getOwnPropertyDescriptor(table, key);
        // a getter installs as written, so it stays live: `description` reads through to the registry on every access. not enumerable: an object literal's is, and a prototype member never was
        if (desc.get)
            Object.defineProperty(proto, key, { ...desc, enumerable: false });
        // a method materializes bound on first read, which is what keeps a detached member working: `const opt = schema.optional; opt()`
        else
            defineBound(proto, key, desc.value);
    }
}
/** Shadows a prototype member with an own value, so a getter that builds from the instance runs once. */
function own(inst, key, value, enumerable = true) {
    Object.defineProperty(inst, key, { configurable: true, writable: true, enumerable, value });
    return value;
}
/** Like {@link own}, for a member that was never an own data property and has to stay out of `Object.keys`. */
function hide(inst, key, value) {
    return own(inst, key, value, false);
}
/** Adds members a table derives from the instance: each builds on first read and shadows as own data, and assignment shadows the same way, as when these were own properties. */
function derived(computes, table) {
    for (const key in computes) {
        const compute = computes[key];
        // an object literal's accessor is configurable and enumerable, and `members` copies the descriptor as written
        Object.defineProperty(table, key, {
            configurable: true,
            enumerable: true,
            get() {
                return own(this, key, compute(this));
            },
            set(value) {
                own(this, key, value);
            },
        });
    }
    return table;
}
function defineBound(proto, key, fn) {
    Object.defineProperty(proto, key, {
        configurable: true,
        get() {
            // vitest's spyOn calls a prototype getter bare to find the function it wraps, so a nullish receiver answers the raw method
            return this == null ? fn : own(this, key, fn.bind(this));
        },
        set(value) {
            own(this, key, value);
        },
    });
}
/** Returns the prototype to install on, or `undefined` if this group is already installed on it. */
function claim(inst, sentinel) {
    const proto = Object.getPrototypeOf(inst);
    // Runs on every construction, so `in` rather than the costlier `hasOwnProperty.call`. Sentinels are keys the group itself defines.
    return sentinel in proto ? undefined : proto;
}
// The internals whose init chain is installing. A second call for the same one is a derived constructor overriding its base, so it must not construct another schema in between or the override is dropped.
let installing;
// Set while a getter is running, so a value that resolved through a recursion break is not memoized. One shared descriptor shadows the key for the duration, which costs no per-key allocation.
let broke = false;
const breaker = {
    configurable: true,
    get() {
        broke = true;
        return undefined;
    },
};
/**
 * Installs a lazily-derived internal on the `_zod` prototype of `inst`'s
 * constructor, computed from the internals object itself and cached there on
 * first read. One accessor per constructor rather than one per instance.
 */
function defineLazyInternal(inst, key, compute) {
    const proto = Object.getPrototypeOf(inst._zod);
    if (key in proto && installing !== inst._zod) {
        // A repeat construction: everything is installed already. Cleared here so the reference is not held past the first construction of every type.
        installing = undefined;
        return;
    }
    installing = inst._zod;
    Object.defineProperty(proto, key, {
        configurable: true,
        get() {
            // Shadowed before computing so a re-entrant read from a recursive schema resolves to undefined instead of running the getter again.
            Object.defineProperty(this, key, breaker);
            const outer = broke;
            broke = false;
            try {
                const value = compute(this);
                // A result that resolved through a recursion break is recomputed once the graph is complete; everything else memoizes, undefined included.
                if (broke)
                    delete this[key];
                else
                    Object.defineProperty(this, key, { configurable: true, writable: true, value });
                broke = broke || outer;
                return value;
            }
            catch (err) {
                // A compute that threw memoizes nothing, so a later read runs it again and fails the same way. The shadow goes with it, since leaving it installed would answer undefined for every later read.
                delete this[key];
                broke = broke || outer;
                throw err;
            }
        },
        set(value) {
            Object.defineProperty(this, key, { configurable: true, writable: true, value });
        },
    });
}
/**
 * Installs `key` on `inst`'s prototype, computed by `make` on first read and cached there as an own
 * data property. One accessor per constructor rather than one per instance, because an own accessor
 * puts every instance after the first into v8 dictionary mode. The key doubles as the sentinel.
 */
function installLazyProp(inst, key, make, enumerable) {
    const proto = claim(inst, key);
    if (!proto)
        return;
    Object.defineProperty(proto, key, {
        configurable: true,
        get() {
            // Shadowed before computing, so a re-entrant read from a self-referential shape resolves to undefined instead of running the getter again. A data property rather than an accessor: an own accessor is the dictionary-mode transition this exists to avoid.
            const desc = { configurable: true, writable: true, enumerable, value: undefined };
            Object.defineProperty(this, key, desc);
            // a compute that throws leaves the shadow behind, so later reads answer undefined instead of re-throwing; `defineLazy` did the same, and `defineLazyInternal`'s delete-on-catch would cost bytes in every bundle for a case only a throwing user getter reaches
            desc.value = make(this);
            Object.defineProperty(this, key, desc);
            return desc.value;
        },
        set(value) {
            Object.defineProperty(this, key, { configurable: true, writable: true, enumerable, value });
        },
    });
}
/** Marks the thunk `_catch` synthesises for a constant catch value. `Function.length` cannot tell that thunk from a user callback — rest and defaulted parameters both report arity 0 — and a user callback reads `ctx.error`, whose issues only finalize correctly against the caller's per-parse error map. Provenance can say what arity cannot. A plain string key rather than `Symbol.for`, whose call at module scope no bundler can prove pure — the same shape that anchored `urlCanParse` into every build. */
const CONSTANT_CATCH = "~constantCatch";
/** Wraps a constant catch value in a thunk tagged with {@link CONSTANT_CATCH}. */
function constantCatch(value) {
    const fn = () => value;
    fn[CONSTANT_CATCH] = true;
    return fn;
}


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat */
/******/ 
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = new URL('.', import.meta.url).pathname.slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(486);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 

//# sourceMappingURL=index.js.map