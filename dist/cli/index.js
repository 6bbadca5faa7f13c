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
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6622);

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

/***/ 6622:
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
// EXTERNAL MODULE: ./src/plan/build.ts
var build = __nccwpck_require__(6595);
// EXTERNAL MODULE: ./src/plan/types.ts
var types = __nccwpck_require__(9898);
// EXTERNAL MODULE: ./src/probe/index.ts + 20 modules
var probe = __nccwpck_require__(9559);
;// CONCATENATED MODULE: ./src/report/json.ts
/**
 * The machine view: the Report itself, described by `report.schema.json`. Keys are written in one
 * fixed order (the schema's, which is the model's) whatever order the object was built in, so that two
 * runs diff cleanly and a report that went through the Lambda's JSON reads the same as a local one.
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
        ['vantage', 'vantage'],
        ['vantages', 'vantageOutcome'],
        ['results', 'row'],
        ['findings', 'finding'],
        ['recommendations', 'recommendation'],
        ['verdict', 'verdict'],
    ],
    tool: ['name', 'version'],
    vantage: ['kind', 'region', 'functionName', 'architecture', 'requestId'],
    row: [
        'target',
        'vantage',
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
    recommendation: ['target', 'vantage', 'port', 'mode', 'reason'],
    vantageOutcome: ['label', 'kind', 'region', 'error'],
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

// EXTERNAL MODULE: ./src/report/row-view.ts
var row_view = __nccwpck_require__(9810);
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
function findingText(finding) {
    const at = finding.location
        ? `\n  at ${(0,row_view/* oneLine */.TN)(finding.location.file)}:${finding.location.line}:${finding.location.column}`
        : '';
    return `${finding.severity} ${finding.rule} ${(0,row_view/* oneLine */.TN)((0,row_view/* where */._M)(finding))}: ${(0,row_view/* oneLine */.TN)(finding.message)}\n  ${(0,row_view/* oneLine */.TN)(finding.hint)}${at}`;
}
function systemOut(c, passing) {
    const lines = [];
    if (c.row) {
        lines.push(`status: ${c.row.status} at ${c.row.stage}`, `explanation: ${(0,row_view/* oneLine */.TN)(c.row.explanation)}`);
        if (c.row.hint)
            lines.push(`hint: ${(0,row_view/* oneLine */.TN)(c.row.hint)}`);
    }
    if (passing.length > 0)
        lines.push('', 'findings that do not fail the run:', ...passing.map(findingText));
    if (c.row && c.row.transcript.length > 0) {
        lines.push('', 'transcript:');
        for (const line of c.row.transcript) {
            lines.push(`${String(line.at).padStart(6)} ${line.dir} ${(0,row_view/* oneLine */.TN)(line.text)}`);
        }
    }
    return lines.join('\n');
}
function testcase(c, failOn) {
    const failing = c.findings.filter((f) => (0,row_view/* failsRun */.FR)(f.severity, failOn));
    const passing = c.findings.filter((f) => !(0,row_view/* failsRun */.FR)(f.severity, failOn));
    const open = `    <testcase classname="${xmlAttr(c.classname)}" name="${xmlAttr(c.name)}" time="${seconds(c.durationMs)}"`;
    const body = [];
    const [first] = failing;
    if (first) {
        const more = failing.length > 1 ? ` (and ${failing.length - 1} more)` : '';
        body.push(`      <failure message="${xmlAttr((0,row_view/* oneLine */.TN)(first.message) + more)}" type="${xmlAttr(first.rule)}">` +
            `${xmlText(failing.map(findingText).join('\n'))}</failure>`);
    }
    const out = systemOut(c, passing);
    if (out)
        body.push(`      <system-out>${xmlText(out)}</system-out>`);
    return body.length === 0 ? `${open}/>` : [`${open}>`, ...body, '    </testcase>'].join('\n');
}
function cases(report) {
    const suites = new Map();
    for (const [target, rows] of (0,row_view/* rowsByTarget */.uM)(report.results)) {
        suites.set(target, rows.map((row) => ({
            classname: target,
            name: row.vantage ? `${(0,row_view/* rowLabel */.xZ)(row)} from ${row.vantage}` : (0,row_view/* rowLabel */.xZ)(row),
            durationMs: row.durationMs,
            findings: (0,row_view/* findingsFor */.I6)(report, row),
            row,
        })));
    }
    // A finding that matches no session must still fail the build; it gets a case of its own.
    for (const finding of (0,row_view/* unmatchedFindings */.Co)(report)) {
        const suite = suites.get(finding.target) ?? [];
        const name = (0,row_view/* hostPort */.QL)(finding.host, finding.port) + (finding.address === null ? '' : ` (${finding.address})`);
        const existing = suite.find((c) => c.row === undefined && c.name === name);
        if (existing)
            existing.findings.push(finding);
        else
            suite.push({ classname: finding.target, name, durationMs: 0, findings: [finding] });
        suites.set(finding.target, suite);
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
    for (const [target, suiteCases] of cases(report)) {
        const failed = suiteCases.filter((c) => c.findings.some((f) => (0,row_view/* failsRun */.FR)(f.severity, failOn))).length;
        const time = suiteCases.reduce((sum, c) => sum + c.durationMs, 0);
        tests += suiteCases.length;
        failures += failed;
        suites.push([
            `  <testsuite name="${xmlAttr(target)}" tests="${suiteCases.length}" failures="${failed}" errors="0" ` +
                `skipped="0" time="${seconds(time)}" timestamp="${xmlAttr(report.startedAt)}">`,
            ...suiteCases.map((c) => testcase(c, failOn)),
            '  </testsuite>',
        ].join('\n'));
    }
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="smtp-port-probe" tests="${tests}" failures="${failures}" errors="0" ` +
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
    return (0,row_view/* oneLine */.TN)(text)
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
    return (0,row_view/* oneLine */.TN)(text)
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
    const worst = (0,row_view/* worstSeverity */.Lc)(findings);
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
function table(report) {
    const lines = [
        '|   | Target | Port | Mode | Address | Status | TLS | Cert days | Latency |',
        '| - | ------ | ---: | ---- | ------- | ------ | --- | --------: | ------: |',
    ];
    for (const row of report.results) {
        const cells = [
            rowMark((0,row_view/* findingsFor */.I6)(report, row)),
            escapeMarkdown((0,row_view/* targetLabel */.Op)(row)),
            String(row.port),
            row.mode,
            escapeMarkdown(row.address ?? '-'),
            `\`${row.status}\``,
            escapeMarkdown(row.tls?.protocol ?? '-'),
            certCell(row),
            `${Math.round(row.durationMs)} ms`,
        ];
        lines.push(`| ${cells.join(' | ')} |`);
    }
    return lines.join('\n');
}
function findingItem(finding) {
    const at = finding.location
        ? ` (${finding.location.file}:${finding.location.line}:${finding.location.column})`
        : '';
    return (`- ${SEVERITY_MARKS[finding.severity]} \`${finding.rule}\` **${escapeMarkdown((0,row_view/* where */._M)(finding))}**: ` +
        // One physical line: a hint on a line of its own could start a heading or a list.
        `${escapeMarkdown(finding.message)}${escapeMarkdown(at)}<br>↳ ${escapeMarkdown(finding.hint)}`);
}
/** The reason already ends in "use N" or starts with "nothing works from here". */
function recommendationItem(rec) {
    const mark = rec.port === null ? '❌' : '👉';
    return `- ${mark} **${escapeMarkdown((0,row_view/* targetLabel */.Op)(rec))}**: ${escapeMarkdown(rec.reason)}`;
}
function transcriptBlock(row) {
    const body = row.transcript
        .map((line) => `${String(line.at).padStart(6)} ${line.dir} ${(0,row_view/* oneLine */.TN)(line.text)}`)
        .join('\n');
    const fence = fenceFor(body);
    const summary = escapeHtml(`${(0,row_view/* where */._M)(row)} — ${row.status}: ${row.explanation}`);
    // The blank line after <summary> lets GitHub read the fenced block as Markdown, not HTML.
    return `<details><summary>${summary}</summary>\n\n${fence}text\n${body || '(no session)'}\n${fence}\n\n</details>`;
}
function parts(report) {
    const pass = report.verdict.pass;
    const head = [
        `## ${pass ? '✅' : '❌'} smtp-port-probe — ${(0,row_view/* verdictLine */.MT)(report.verdict)}`,
        report.results.length === 0 ? '_No results._' : table(report),
    ].join('\n\n');
    const failing = report.results.filter((row) => {
        const worst = (0,row_view/* worstSeverity */.Lc)((0,row_view/* findingsFor */.I6)(report, row));
        return worst === 'error' || worst === 'warning';
    });
    return {
        head,
        findings: report.findings.map(findingItem),
        recommendations: report.recommendations.length === 0
            ? ''
            : `### Recommendations\n\n${report.recommendations.map(recommendationItem).join('\n')}`,
        vantageErrors: (0,row_view/* vantageErrors */.OJ)(report).length === 0
            ? ''
            : `### Vantages that could not answer\n\n${(0,row_view/* vantageErrors */.OJ)(report)
                .map((line) => `- ❌ ${escapeMarkdown(line)}`)
                .join('\n')}`,
        transcripts: failing.map(transcriptBlock),
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
        transcripts > 0 ? (0,row_view/* plural */.LS)(transcripts, 'transcript') : '',
        findings > 0 ? (0,row_view/* plural */.LS)(findings, 'finding') : '',
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
;// CONCATENATED MODULE: ./src/report/text.ts
/**
 * The terminal view: an aligned table of sessions, findings by severity, one recommendation per
 * target, and the verdict. Colour is the caller's decision, so this stays a pure function.
 */


/** What a line may hold to stay readable in a 100-column terminal. */
const WIDTH = 100;
/** Certificates closer to expiry than this are shown in yellow (the plan's default `cert.minDays`). */
const EXPIRY_WARN_DAYS = 14;
const COLUMNS = [
    { title: 'TARGET', align: 'left', min: 12 },
    { title: 'PORT', align: 'right' },
    { title: 'MODE', align: 'left' },
    { title: 'ADDRESS', align: 'left', min: 15 },
    { title: 'STATUS', align: 'left' },
    { title: 'TLS', align: 'left' },
    { title: 'CERT DAYS', align: 'right' },
    { title: 'LATENCY', align: 'right' },
];
const GAP = '  ';
/** Length in code points: what a terminal shows for the text this renderer emits. */
function width(text) {
    let n = 0;
    for (const _ of text)
        n++;
    return n;
}
function truncate(text, max) {
    if (width(text) <= max)
        return text;
    return `${Array.from(text)
        .slice(0, Math.max(0, max - 1))
        .join('')}…`;
}
/** Word-wraps to `max` columns: the first line starts with `first`, the others with `rest`. */
function wrap(text, max, first, rest) {
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
function statusPaint(c, status) {
    if (status === 'ok')
        return c.green;
    if (status === 'temporary')
        return c.yellow;
    return c.red;
}
function text_certCell(c, row) {
    const cert = row.tls?.certificate;
    if (!cert)
        return { text: '-' };
    const days = cert.daysUntilExpiry;
    if (cert.expired || days < 0)
        return { text: String(days), paint: c.red };
    return { text: String(days), ...(days < EXPIRY_WARN_DAYS ? { paint: c.yellow } : {}) };
}
function cells(c, row) {
    return [
        { text: (0,row_view/* oneLine */.TN)((0,row_view/* targetLabel */.Op)(row)) },
        { text: String(row.port) },
        { text: row.mode },
        { text: (0,row_view/* oneLine */.TN)(row.address ?? '-') },
        { text: row.status, paint: statusPaint(c, row.status) },
        { text: (0,row_view/* oneLine */.TN)(row.tls?.protocol ?? '-') },
        text_certCell(c, row),
        { text: `${Math.round(row.durationMs)} ms` },
    ];
}
/** Natural widths, then the squeezable columns narrowed (target first) until the table fits. */
function columnWidths(table) {
    const widths = COLUMNS.map((col, i) => Math.max(width(col.title), ...table.map((r) => width(r[i]?.text ?? ''))));
    const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
    for (const [i, col] of COLUMNS.entries()) {
        const current = widths[i] ?? 0;
        if (col.min === undefined || total() <= WIDTH)
            continue;
        widths[i] = Math.max(col.min, current - (total() - WIDTH));
    }
    return widths;
}
function formatRow(row, widths) {
    return row
        .map((cell, i) => {
        const w = widths[i] ?? 0;
        const text = truncate(cell.text, w);
        const pad = ' '.repeat(w - width(text));
        const padded = COLUMNS[i]?.align === 'right'
            ? pad + (cell.paint?.(text) ?? text)
            : (cell.paint?.(text) ?? text) + pad;
        return padded;
    })
        .join(GAP)
        .trimEnd();
}
function text_table(c, rows) {
    const body = rows.map((row) => cells(c, row));
    const widths = columnWidths(body);
    const header = formatRow(COLUMNS.map((col) => ({ text: col.title, paint: c.bold })), widths);
    const lines = [header];
    for (const [i, row] of rows.entries()) {
        lines.push(formatRow(body[i] ?? [], widths));
        // The status alone rarely says enough; the core's one-line explanation says why.
        if (row.status !== 'ok')
            lines.push(c.dim(truncate(`  ↳ ${(0,row_view/* oneLine */.TN)(row.explanation)}`, WIDTH)));
    }
    return lines;
}
function transcripts(c, rows) {
    const lines = [];
    for (const row of rows) {
        lines.push('', c.bold(`Transcript of ${(0,row_view/* oneLine */.TN)((0,row_view/* where */._M)(row))}`));
        if (row.transcript.length === 0)
            lines.push(c.dim('  (no session: nothing was sent or received)'));
        for (const line of row.transcript) {
            const paint = line.dir === '*' ? c.dim : line.dir === '>' ? c.cyan : (text) => text;
            // Left whole: a transcript is read when debugging, where a cut line hides the answer.
            lines.push(paint(`${String(line.at).padStart(6)} ${line.dir} ${(0,row_view/* oneLine */.TN)(line.text)}`));
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
function findingLines(c, finding) {
    const mark = severityPaint(c, finding.severity)(text_SEVERITY_MARKS[finding.severity]);
    const head = truncate(`${finding.rule} · ${(0,row_view/* oneLine */.TN)((0,row_view/* where */._M)(finding))}: ${(0,row_view/* oneLine */.TN)(finding.message)}`, WIDTH - 4);
    // Hints are the actionable part: wrapped, never cut.
    const lines = [`  ${mark} ${head}`, ...wrap((0,row_view/* oneLine */.TN)(finding.hint), WIDTH, '    ', '    ')];
    const at = finding.location;
    if (at)
        lines.push(c.dim(truncate(`    at ${(0,row_view/* oneLine */.TN)(at.file)}:${at.line}:${at.column}`, WIDTH)));
    return lines;
}
function findings(c, all) {
    const lines = [];
    for (const severity of ['error', 'warning', 'notice']) {
        const group = all.filter((f) => f.severity === severity);
        if (group.length === 0)
            continue;
        lines.push('', severityPaint(c, severity)(c.bold(`${SEVERITY_HEADINGS[severity]} (${group.length})`)));
        for (const finding of group)
            lines.push(...findingLines(c, finding));
    }
    return lines;
}
function recommendations(c, report) {
    if (report.recommendations.length === 0)
        return [];
    const lines = ['', c.bold('Recommendations')];
    // The reason already ends in "use N" (or says nothing works): it is the recommendation.
    for (const rec of report.recommendations) {
        lines.push(...wrap(`${(0,row_view/* oneLine */.TN)((0,row_view/* targetLabel */.Op)(rec))}: ${(0,row_view/* oneLine */.TN)(rec.reason)}`, WIDTH, '  ', '    '));
    }
    return lines;
}
/** The report for a terminal. */
function renderText(report, options) {
    const c = picocolors_default().createColors(options.color);
    const lines = report.results.length === 0 ? [c.dim('No results.')] : text_table(c, report.results);
    if (options.verbose)
        lines.push(...transcripts(c, report.results));
    lines.push(...findings(c, report.findings));
    const failed = (0,row_view/* vantageErrors */.OJ)(report);
    if (failed.length > 0)
        lines.push('', c.bold(c.red('Vantages that could not answer')), ...failed.map((line) => `  ${(0,row_view/* oneLine */.TN)(line)}`));
    lines.push(...recommendations(c, report));
    const verdict = (0,row_view/* verdictLine */.MT)(report.verdict);
    lines.push('', c.bold(report.verdict.pass ? c.green(verdict) : c.red(verdict)));
    return `${lines.join('\n')}\n`;
}

// EXTERNAL MODULE: ./src/report/model.ts
var model = __nccwpck_require__(6867);
;// CONCATENATED MODULE: ./src/report/index.ts
/** The report layer: one result model, four views. Every renderer is a pure function of the Report. */









const FORMATS = ['text', 'json', 'markdown', 'junit'];
function isFormat(value) {
    return FORMATS.includes(value);
}
/** The report in the given format; every output ends with a newline. */
function render(report, format, options = {}) {
    switch (format) {
        case 'text':
            return renderText(report, {
                color: options.color ?? false,
                ...(options.verbose === undefined ? {} : { verbose: options.verbose }),
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

// EXTERNAL MODULE: ./src/plan/run.ts + 5 modules
var run = __nccwpck_require__(737);
;// CONCATENATED MODULE: ./src/vantage/vantage-spec.ts

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** `runner`, `aws-lambda:REGION:FUNCTION`, or `https://ID.lambda-url.REGION.on.aws/`. */
function parseVantage(text, source) {
    if (text === 'runner')
        return { kind: 'runner', label: 'runner' };
    const lambda = /^aws-lambda:([^:]+):([^:]+)$/.exec(text);
    if (lambda) {
        const [, region = '', functionName = ''] = lambda;
        if (!REGION.test(region))
            throw new types/* UsageError */.eb(`${JSON.stringify(region)} is not an AWS region`, source);
        if (!FUNCTION_NAME.test(functionName))
            throw new types/* UsageError */.eb(`${JSON.stringify(functionName)} is not a function name`, source);
        return { kind: 'aws-lambda', label: `aws-lambda:${region}`, region, functionName };
    }
    let url;
    try {
        url = new URL(text);
    }
    catch {
        url = undefined;
    }
    const region = url ? /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1] : undefined;
    if (url?.protocol === 'https:' && region && REGION.test(region)) {
        return { kind: 'function-url', label: `function-url:${region}`, region, url };
    }
    throw new types/* UsageError */.eb(`${JSON.stringify(text)} is not a vantage: use runner, aws-lambda:REGION:FUNCTION or https://ID.lambda-url.REGION.on.aws/`, source);
}

;// CONCATENATED MODULE: ./src/vantage/run-from.ts


/** Vantage texts (flag or input values) checked once, `runner` when none is given. */
function parseVantages(texts, source) {
    const specs = (texts.length > 0 ? texts : ['runner']).map((text, i) => parseVantage(text, source(i)));
    return specs.filter((spec, i) => specs.findIndex((s) => s.label === spec.label) === i);
}
/** One vantage, the runner: the plain report. Several, or a remote one: the matrix. */
async function runFrom(plan, vantages, options = {}) {
    const onlyRunner = vantages.length === 1 && vantages[0]?.kind === 'runner';
    if (onlyRunner)
        return (0,run/* runPlan */.Fo)(plan, options);
    // Loaded only for remote vantages: the matrix brings the AWS SDK along.
    const { runMatrix } = await Promise.all(/* import() */[__nccwpck_require__.e(860), __nccwpck_require__.e(187), __nccwpck_require__.e(479)]).then(__nccwpck_require__.bind(__nccwpck_require__, 5479));
    return runMatrix(plan, vantages, options);
}

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
    vantage: { type: 'string', multiple: true },
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
      --vantage V            where to probe from, repeatable: runner (default), aws-lambda:REGION:FUNCTION,
                             https://ID.lambda-url.REGION.on.aws/ (AWS credentials from the default chain)
      --auth-user-env VAR    environment variable holding the SMTP username
      --auth-pass-env VAR    environment variable holding the SMTP password
  -v, --verbose              show every session's transcript
  -h, --help                 this help
  -V, --version              the version

Exit codes: 0 verdict pass, 1 verdict fail, 2 usage or config error.`;
function oneOf(flag, value, allowed) {
    if (value === undefined)
        return undefined;
    if (allowed.includes(value))
        return value;
    throw new types/* UsageError */.eb(`${JSON.stringify(value)} is not one of ${allowed.join(', ')}`, flag);
}
function wholeNumber(flag, value, min, max) {
    if (value === undefined)
        return undefined;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
        throw new types/* UsageError */.eb(`${JSON.stringify(value)} must be a whole number from ${min} to ${max}`, flag);
    }
    return n;
}
function portList(value) {
    if (value === undefined)
        return undefined;
    return value.split(',').map((part) => wholeNumber('--ports', part.trim(), 1, 65_535));
}
function envName(flag, value) {
    if (value !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
        throw new types/* UsageError */.eb(`${JSON.stringify(value)} is not an environment variable name`, flag);
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
        vantages: v.vantage ?? [],
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
        throw new types/* UsageError */.eb(`${JSON.stringify(v.helo)} is not a domain name or address literal`, '--helo');
    }
    set('helo', v.helo);
    set('mode', oneOf('--mode', v.mode, probe/* MODES */.FN));
    set('ports', portList(v.ports));
    if (user && pass)
        args.credentials = { usernameEnv: user, passwordEnv: pass };
    if (command === 'demo' && args.targets.length > 0) {
        throw new types/* UsageError */.eb(`demo takes no targets, got ${JSON.stringify(args.targets[0])}`, 'demo');
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
        return new types/* UsageError */.eb(`unknown option${nearest ? ` (did you mean ${nearest}?)` : ''}`, flag);
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
            io.stderr.write(`smtp-probe: ${error.message}\n`);
            return EXIT.usage;
        }
        throw error;
    }
}
async function probeCommand(args, io) {
    const vantages = parseVantages(args.vantages, () => '--vantage');
    const { plan, warnings } = await (0,build/* buildPlan */.G)({
        targets: args.targets,
        ...(args.config ? { configPath: args.config } : { defaultConfigPath: DEFAULT_CONFIG }),
        ...(args.failOn ? { failOn: args.failOn } : {}),
        ...(args.mode ? { mode: args.mode } : {}),
        ...(args.ports ? { ports: args.ports } : {}),
        caFiles: args.caFiles,
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
        io.stderr.write(`smtp-probe: warning: ${warning}\n`);
    const progress = new Progress(io.stderr);
    let report;
    try {
        report = await runFrom(plan, vantages, {
            ...(io.signal ? { signal: io.signal } : {}),
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
    const toFile = args.output !== undefined;
    const color = !toFile && io.stdout.isTTY === true && io.env.NO_COLOR === undefined;
    const text = render(report, args.format, { color, verbose: args.verbose });
    if (args.output !== undefined) {
        const path = (0,external_node_path_.resolve)(io.cwd, args.output);
        try {
            await (0,promises_.writeFile)(path, text.endsWith('\n') ? text : `${text}\n`);
        }
        catch (error) {
            const code = error.code ?? 'unwritable';
            throw new types/* UsageError */.eb(`cannot write ${args.output} (${code})`, '--output');
        }
    }
    else {
        io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
    return report.verdict.pass ? EXIT.pass : EXIT.fail;
}


/***/ }),

/***/ 6595:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ buildPlan)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _targets_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9898);




/** Config file first, then flags over it; targets from both. Throws UsageError for every mistake. */
async function buildPlan(input) {
    const warnings = [];
    const configPath = input.configPath ?? (await existing(input.defaultConfigPath, input.cwd));
    // Loaded only with a config file: YAML and the schema library are half of the CLI's start-up.
    const config = configPath
        ? await (await Promise.all(/* import() */[__nccwpck_require__.e(533), __nccwpck_require__.e(38)]).then(__nccwpck_require__.bind(__nccwpck_require__, 3038))).loadConfig(configPath, input.env, input.cwd)
        : undefined;
    const credentials = input.auth ?? (input.credentials ? readCredentials(input.credentials, input.env) : undefined);
    const targets = [];
    for (const t of config?.targets ?? []) {
        addTarget(targets, credentials && !t.auth
            ? { ...t, auth: credentials, ...(input.credentials ? { credentialRefs: input.credentials } : {}) }
            : t);
    }
    input.targets.forEach((spec, i) => {
        const source = input.targetSource?.(i, spec) ?? `target ${JSON.stringify((0,_targets_js__WEBPACK_IMPORTED_MODULE_2__/* .redactCredentials */ .UY)(spec))}`;
        const parsed = (0,_targets_js__WEBPACK_IMPORTED_MODULE_2__/* .parseTargetSpec */ .Sf)(spec, source, {
            ...(input.ports ? { ports: input.ports } : {}),
            ...(input.mode ? { mode: input.mode } : {}),
        });
        if (parsed.auth)
            warnings.push(`${parsed.display}: credentials in a target are discouraged; use --auth-user-env/--auth-pass-env`);
        const plan = (0,_targets_js__WEBPACK_IMPORTED_MODULE_2__/* .toTargetPlan */ .I6)(parsed, input.minTls ? { expect: { minTls: input.minTls } } : {});
        const withCredentials = !plan.auth && credentials
            ? { ...plan, auth: credentials, ...(input.credentials ? { credentialRefs: input.credentials } : {}) }
            : plan;
        addTarget(targets, withCredentials);
    });
    if (targets.length === 0) {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_3__/* .UsageError */ .eb(configPath
            ? `${configPath} lists no targets`
            : 'no targets: give host[:port] arguments or a config file (--config)');
    }
    const ca = [
        ...(config?.options.tls?.ca ?? []),
        ...(input.caPem ?? []),
        ...(await Promise.all((input.caFiles ?? []).map((file) => readCa(file, input.cwd)))),
    ];
    const minVersion = input.minTls ?? config?.options.tls?.minVersion;
    const options = {
        ..._types_js__WEBPACK_IMPORTED_MODULE_3__/* .DEFAULT_OPTIONS */ .lp,
        ...stripUndefined(config?.options ?? {}),
        ...stripUndefined(input.options ?? {}),
        tls: { ...(ca.length > 0 ? { ca } : {}), ...(minVersion ? { minVersion } : {}) },
    };
    return {
        plan: {
            targets,
            options,
            failOn: input.failOn ?? config?.failOn ?? 'error',
            ...(configPath ? { configFile: configPath } : {}),
        },
        warnings,
    };
}
async function existing(path, cwd) {
    if (!path)
        return undefined;
    try {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)(cwd, path));
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
    if (!username)
        throw new _types_js__WEBPACK_IMPORTED_MODULE_3__/* .UsageError */ .eb(`environment variable ${refs.usernameEnv} is not set`, '--auth-user-env');
    if (password === undefined || password === '') {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_3__/* .UsageError */ .eb(`environment variable ${refs.passwordEnv} is not set`, '--auth-pass-env');
    }
    return { username, password };
}
async function readCa(file, cwd) {
    const path = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.isAbsolute)(file) ? file : (0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)(cwd, file);
    let text;
    try {
        text = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(path, 'utf8');
    }
    catch (error) {
        const code = error.code ?? 'unreadable';
        throw new _types_js__WEBPACK_IMPORTED_MODULE_3__/* .UsageError */ .eb(`cannot read CA file ${file} (${code})`, '--ca');
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_3__/* .UsageError */ .eb(`${file} holds no PEM certificate`, '--ca');
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
        throw new _types_js__WEBPACK_IMPORTED_MODULE_3__/* .UsageError */ .eb(`target ${JSON.stringify(target.name)} is listed twice with different settings; give each a distinct name`);
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

/***/ 2983:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E: () => (/* binding */ parseDuration)
/* harmony export */ });
/* unused harmony export MAX_DURATION_MS */
/* harmony import */ var ms__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(744);
/* harmony import */ var ms__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(ms__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9898);


/**
 * Node's timers hold a signed 32-bit delay: anything longer fires after 1 ms with only a warning, so a
 * "1y" timeout would silently become an instant one. Refuse it instead.
 */
const MAX_DURATION_MS = 2 ** 31 - 1;
const HINT = 'use a number of milliseconds or a value like 10s, 500ms, 2m';
/** Names a value for an error message without dumping objects. */
function show(value) {
    if (typeof value === 'string')
        return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
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
        throw new _types_js__WEBPACK_IMPORTED_MODULE_1__/* .UsageError */ .eb(`invalid duration ${show(value)}: ${HINT}`, source);
    }
    if (millis <= 0) {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_1__/* .UsageError */ .eb(`invalid duration ${show(value)}: it must be more than zero; ${HINT}`, source);
    }
    if (millis > MAX_DURATION_MS) {
        throw new _types_js__WEBPACK_IMPORTED_MODULE_1__/* .UsageError */ .eb(`invalid duration ${show(value)}: the longest allowed is ${MAX_DURATION_MS} ms (about 24.8 days)`, source);
    }
    return millis;
}


/***/ }),

/***/ 737:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  S4: () => (/* binding */ judge),
  KR: () => (/* binding */ planJobs),
  tt: () => (/* binding */ probeHere),
  M3: () => (/* binding */ reportFrame),
  Fo: () => (/* binding */ runPlan)
});

// UNUSED EXPORTS: expandMx, systemMx

// EXTERNAL MODULE: external "node:dns/promises"
var promises_ = __nccwpck_require__(1553);
// EXTERNAL MODULE: ./src/probe/index.ts + 20 modules
var probe = __nccwpck_require__(9559);
// EXTERNAL MODULE: ./src/report/model.ts
var model = __nccwpck_require__(6867);
// EXTERNAL MODULE: ./src/version.ts
var version = __nccwpck_require__(311);
;// CONCATENATED MODULE: ./src/plan/expectations.ts
const DEFAULT_MIN_TLS = 'TLSv1.2';
const DEFAULT_CERT_MIN_DAYS = 14;
/**
 * Port 25 relays may run without TLS (RFC 3207 makes STARTTLS optional there); submission ports
 * carry credentials and must have it. Credentials imply that AUTH must work.
 */
function effectiveExpectations(expect, port, hasCredentials) {
    return {
        reachable: expect.reachable ?? true,
        tls: expect.tls ?? (port === 25 ? 'optional' : 'required'),
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

;// CONCATENATED MODULE: ./src/plan/rules.ts
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
    'plaintext-auth': { severity: 'warning', title: 'AUTH offered before TLS' },
    'starttls-injection': { severity: 'error', title: 'data injected after STARTTLS' },
    'sender-refused': { severity: 'error', title: 'sender or recipient refused' },
    slow: { severity: 'warning', title: 'slower than the allowed latency' },
    'no-tls-offered': { severity: 'notice', title: 'TLS optional and not offered' },
    'forbidden-destination': { severity: 'error', title: 'the vantage refused to probe this destination' },
    'egress-blocked': { severity: 'error', title: 'blocked by this network: works from another vantage' },
    'vantage-failed': { severity: 'error', title: 'the vantage could not answer' },
};
const RULE_IDS = Object.keys(RULES);

;// CONCATENATED MODULE: ./src/plan/findings.ts


/** Judges every job against its expectations; `require: any` groups are softened afterwards. */
function evaluate(jobs) {
    const findings = jobs.flatMap(judgeJob);
    return softenAlternatives(jobs, findings);
}
function judgeJob(job) {
    const { target, port, result } = job;
    const expect = effectiveExpectations(port.expect, port.port, target.auth !== undefined);
    const make = (draft, address) => ({
        ...draft,
        severity: RULES[draft.rule].severity,
        target: target.name,
        host: result.target.host,
        port: port.port,
        address,
        ...(port.location ? { location: port.location } : {}),
    });
    if (!expect.reachable)
        return judgeMustBeClosed(result).map((d) => make(d, null));
    if (result.sessions.length === 0)
        return [make(failureDraft(result.status, result), null)];
    return result.sessions.flatMap((session) => judgeSession(session, port, expect).map((draft) => make(draft, session.address)));
}
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
    if (port.mode === 'plain' && expect.tls === 'required') {
        drafts.push({
            rule: 'tls-missing',
            message: `port ${port.port} was probed without TLS, but TLS is required`,
            hint: 'Use mode starttls or tls for this port, or set expect.tls to optional or none.',
        });
    }
    drafts.push(...judgeTls(session, expect), ...judgeSmtp(session, port, expect));
    return drafts;
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
            hint: `Renew it before it expires; this check warns below ${expect.cert.minDays} days.`,
        });
    }
    // An expired certificate also fails verification; one finding says it better than two.
    if (!tls.trusted && expect.cert.trusted && tls.trustError !== 'CERT_HAS_EXPIRED') {
        drafts.push({
            rule: 'cert-untrusted',
            message: `the certificate chain does not verify (${tls.trustError ?? 'unknown reason'})${cert?.selfSigned ? ': it is self-signed' : ''}`,
            hint: 'Serve the full chain from a public CA, or give the private CA with --ca / tls.ca_file.',
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
        drafts.push({
            rule: 'starttls-injection',
            message: `the server sent ${smtp.starttlsInjectedBytes} bytes after its 220 to STARTTLS`,
            hint: 'A server must not send anything between 220 and the handshake (RFC 3207 §6): fix or replace it, or check for a middlebox.',
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
/** One key per (target, port): what findings and jobs are matched on. */
const portKey = (target, port) => `${target}\u0000${port}`;
/**
 * The (target, port) pairs with an error finding, built once: looking each job up in the findings
 * instead made a 10,000-target run quadratic (60 of its 70 busy seconds, bench "scale").
 */
function failingPorts(findings) {
    return new Set(findings.filter((f) => f.severity === 'error').map((f) => portKey(f.target, f.port)));
}
/** In a `require: any` group, failures are warnings as long as another port of the group passes. */
function softenAlternatives(jobs, findings) {
    const passing = new Set();
    const failed = failingPorts(findings);
    for (const job of jobs) {
        const k = portKey(job.target.name, job.port.port);
        if (!failed.has(k) && job.result.status !== 'aborted')
            passing.add(k);
    }
    const anyGroups = new Map();
    for (const job of jobs) {
        if (job.target.require !== 'any')
            continue;
        const ok = passing.has(portKey(job.target.name, job.port.port));
        anyGroups.set(job.target.name, (anyGroups.get(job.target.name) ?? false) || ok);
    }
    return findings.map((f) => f.severity === 'error' && anyGroups.get(f.target) === true
        ? { ...f, severity: 'warning', message: `${f.message} (another port of this group works)` }
        : f);
}

;// CONCATENATED MODULE: ./src/plan/recommend.ts


const SUBMISSION_PORTS = new Set([587, 588, 2525]);
/**
 * Which port to configure from this network, per target, and why. A port qualifies when every address
 * completed its session and no error finding stands against it. Preference: verified implicit TLS,
 * then STARTTLS submission ports, then anything else, port 25 last (it is for relaying between
 * servers, and clouds block it); faster first among equals.
 */
function recommend(jobs, findings) {
    const byTarget = new Map();
    for (const job of jobs) {
        if (!effectiveExpectations(job.port.expect, job.port.port, false).reachable)
            continue;
        const list = byTarget.get(job.target.name);
        if (list)
            list.push(job);
        else
            byTarget.set(job.target.name, [job]);
    }
    const failed = failingPorts(findings);
    return [...byTarget].map(([target, targetJobs]) => {
        const fails = (job) => job.result.status !== 'ok' || failed.has(portKey(target, job.port.port));
        const working = targetJobs
            .filter((job) => !fails(job))
            .sort((a, b) => rank(a) - rank(b) || latency(a) - latency(b));
        const failing = targetJobs.filter(fails).map(describeFailure);
        const best = working[0];
        if (!best) {
            return { target, port: null, mode: null, reason: `nothing works from here: ${failing.join('; ')}` };
        }
        const prefix = failing.length > 0 ? `${failing.join('; ')}; ` : '';
        return {
            target,
            port: best.port.port,
            mode: best.port.mode,
            reason: `${prefix}${describeSuccess(best)}, works: use ${best.port.port}`,
        };
    });
}
function rank(job) {
    const session = job.result.sessions[0];
    const verified = session?.tls?.trusted === true && session.tls.hostnameMatch;
    if (job.port.port === 25)
        return 4;
    if (job.port.mode === 'tls' && verified)
        return 0;
    if (job.port.mode === 'starttls' && verified && SUBMISSION_PORTS.has(job.port.port))
        return 1;
    if (verified)
        return 2;
    return 3;
}
function latency(job) {
    return Math.max(...job.result.sessions.map((s) => s.durationMs));
}
function describeSuccess(job) {
    const session = job.result.sessions[0];
    const parts = [
        `${job.port.port} with ${job.port.mode === 'tls' ? 'implicit TLS' : job.port.mode === 'starttls' ? 'STARTTLS' : 'no TLS'}`,
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
    protocol_error: 'broke the protocol',
    aborted: 'did not finish',
};
function describeFailure(job) {
    const status = job.result.status;
    return `${job.port.port} ${status === 'ok' ? 'has errors (see findings)' : (FAILURE_WORDS[status] ?? status)}`;
}

;// CONCATENATED MODULE: ./src/plan/rows.ts
/** Flattens a probe result into report rows: one per address session, or one for a DNS failure. */
function toRows(result, target) {
    const { host, port, mode } = result.target;
    if (result.sessions.length === 0) {
        return [
            {
                target,
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

// EXTERNAL MODULE: ./src/plan/verdict.ts
var verdict = __nccwpck_require__(7282);
;// CONCATENATED MODULE: ./src/plan/run.ts








/** The MX hosts of a domain in preference order (RFC 5321 §5.1); the domain itself when it has none. */
async function systemMx(domain) {
    try {
        const records = await (0,promises_.resolveMx)(domain);
        // A null MX (RFC 7505: exchange ".") says the domain takes no mail; probing it would mislead.
        const hosts = records
            .filter((r) => r.exchange !== '' && r.exchange !== '.')
            .sort((a, b) => a.priority - b.priority)
            .map((r) => r.exchange);
        return hosts.length > 0 ? hosts : [domain];
    }
    catch {
        // No MX record (or no answer): RFC 5321 §5.1's implicit MX is the domain's own address.
        return [domain];
    }
}
/** `mx:` targets become one target per MX host, port 25, named after the domain and the host. */
async function expandMx(targets, lookup) {
    const expanded = await Promise.all(targets.map(async (target) => {
        if (!target.mx)
            return [target];
        const hosts = await lookup(target.host);
        return hosts.map((host, i) => ({
            ...target,
            mx: false,
            host,
            name: `${target.name} MX#${i + 1} ${host}`,
        }));
    }));
    return expanded.flat();
}
/** Every target's ports, after MX expansion, in plan order. */
async function planJobs(plan, resolveMx) {
    const targets = await expandMx(plan.targets, resolveMx ?? systemMx);
    return targets.flatMap((target) => target.ports.map((port) => ({ target, port })));
}
/** Probes the planned ports from this machine. */
async function probeHere(planned, plan, options = {}) {
    const probeTargets = planned.map(({ target, port }) => ({
        host: target.host,
        port: port.port,
        mode: port.mode,
        ...(target.auth || target.envelope
            ? {
                options: {
                    ...(target.auth ? { auth: target.auth } : {}),
                    ...(target.envelope ? { envelope: target.envelope } : {}),
                },
            }
            : {}),
    }));
    let done = 0;
    const o = plan.options;
    return (0,probe/* probeAll */.mQ)(probeTargets, {
        timeout: o.timeout,
        connectTimeout: o.connectTimeout,
        greetingTimeout: o.greetingTimeout,
        commandTimeout: o.commandTimeout,
        ...(o.helo ? { helo: o.helo } : {}),
        concurrency: o.concurrency,
        retries: o.retries,
        ...(o.overallTimeout ? { overallTimeout: o.overallTimeout } : {}),
        tls: {
            ...(o.tls.ca ? { ca: o.tls.ca } : {}),
            ...(o.tls.minVersion ? { minVersion: o.tls.minVersion } : {}),
        },
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.lookup ? { lookup: options.lookup } : {}),
        onDone: (index) => {
            done += 1;
            const job = planned[index];
            options.onProgress?.(done, planned.length, job ? `${job.target.name}:${job.port.port}` : '');
        },
    });
}
/** Rows, findings and recommendations for jobs probed from one place (tagged with it when named). */
function judge(jobs, vantage) {
    const tag = (item) => (vantage ? { ...item, vantage } : item);
    const findings = evaluate(jobs);
    return {
        results: jobs.flatMap((job) => toRows(job.result, job.target.name)).map(tag),
        findings: findings.map(tag),
        recommendations: recommend(jobs, findings).map(tag),
    };
}
/** What every report of a plan starts with: schema, tool, when, how long, which config file. */
function reportFrame(plan, started, startedAt) {
    return {
        schemaVersion: model/* SCHEMA_VERSION */.f,
        tool: { name: 'smtp-port-probe', version: version/* VERSION */.x },
        startedAt,
        durationMs: Math.round(performance.now() - started),
        ...(plan.configFile ? { configFile: plan.configFile } : {}),
    };
}
/** Runs a plan from here: MX expansion, every target and port probed, findings, verdict, recommendations. */
async function runPlan(plan, options = {}) {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const planned = await planJobs(plan, options.resolveMx);
    const results = await probeHere(planned, plan, options);
    const jobs = planned.map((p, i) => ({ ...p, result: results[i] }));
    const judged = judge(jobs);
    return {
        ...reportFrame(plan, started, startedAt),
        ...judged,
        verdict: (0,verdict/* verdictOf */.V)(judged.findings, plan.failOn),
    };
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
/* harmony import */ var _probe_index_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9559);
/* harmony import */ var _probe_options_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(4344);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9898);




const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SCHEME_PORTS = { smtp: 587, smtps: 465 };
/**
 * Hides the secret part of anything that looks like `user:password@`, even in a spec too broken to
 * parse or in a line of a config file: everything from the first `:` of the user info to the last `@`
 * goes, because an unencoded `@`, `:` or space may sit inside the password. A user name alone is hidden
 * too: some providers (Postmark) use the API token as the user name.
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
    const shown = colon === -1 ? _probe_index_js__WEBPACK_IMPORTED_MODULE_1__/* .REDACTED */ .XF : `${userinfo.slice(0, colon)}:${_probe_index_js__WEBPACK_IMPORTED_MODULE_1__/* .REDACTED */ .XF}`;
    return `${text.slice(0, start)}${shown}${text.slice(at)}`;
}
const quote = (text) => JSON.stringify(text);
function fail(ctx, message) {
    throw new _types_js__WEBPACK_IMPORTED_MODULE_3__/* .UsageError */ .eb(message, ctx.source);
}
/** Reads `25` or `25,465,587`: whole numbers from 1 to 65535, each once. */
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
        if (ports.includes(port))
            fail(ctx, `port ${port} is listed twice in ${quote(text)}`);
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
        ports: [{ port, mode: portMode }],
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
        ports: [{ port: 25, mode: mode ?? (0,_probe_index_js__WEBPACK_IMPORTED_MODULE_1__/* .defaultMode */ .Hf)(25) }],
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
    const ports = portText === undefined ? [...(defaults.ports ?? _types_js__WEBPACK_IMPORTED_MODULE_3__/* .DEFAULT_PORTS */ .J2)] : parsePortList(portText, source);
    return {
        host,
        mx: false,
        ports: ports.map((port) => ({ port, mode: defaults.mode ?? (0,_probe_index_js__WEBPACK_IMPORTED_MODULE_1__/* .defaultMode */ .Hf)(port) })),
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
        ports: spec.ports.map(({ port, mode }) => ({
            port,
            mode,
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
/* harmony export */   d$: () => (/* binding */ FAIL_ON),
/* harmony export */   eb: () => (/* binding */ UsageError),
/* harmony export */   lp: () => (/* binding */ DEFAULT_OPTIONS)
/* harmony export */ });
/* unused harmony export SEVERITIES */
const SEVERITIES = (/* unused pure expression or super */ null && (['error', 'warning', 'notice']));
const FAIL_ON = ['error', 'warning', 'never'];
const DEFAULT_PORTS = [25, 465, 587, 2525];
const DEFAULT_OPTIONS = {
    timeout: 30_000,
    connectTimeout: 10_000,
    greetingTimeout: 10_000,
    commandTimeout: 10_000,
    concurrency: 32,
    retries: 0,
    tls: {},
};
/** A mistake in what the user gave us: a flag, a target, a config file. Exit code 2, one line, no stack. */
class UsageError extends Error {
    /** `--timeout`, `targets[2]`, or `file:line:column`. */
    source;
    constructor(message, source) {
        super(source ? `${source}: ${message}` : message);
        this.name = 'UsageError';
        this.source = source;
    }
}


/***/ }),

/***/ 7282:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   V: () => (/* binding */ verdictOf)
/* harmony export */ });
/* unused harmony export failingCount */
/** Fails when a finding reaches `failOn`: errors by default, warnings too with `warning`, never with `never`. */
function verdictOf(findings, failOn) {
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

/***/ 9559:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  FN: () => (/* reexport */ catalogue/* MODES */.FN),
  XF: () => (/* reexport */ REDACTED),
  an: () => (/* reexport */ catalogue/* STAGES */.an),
  f: () => (/* reexport */ catalogue/* STATUSES */.f),
  Hf: () => (/* reexport */ catalogue/* defaultMode */.Hf),
  U3: () => (/* reexport */ probe_options/* isHeloName */.U3),
  mQ: () => (/* reexport */ probeAll)
});

// UNUSED EXPORTS: DEFAULT_LIMITS, OverallDeadline, STATUS_MEANINGS, isMailbox, probe

// EXTERNAL MODULE: ./src/probe/catalogue.ts
var catalogue = __nccwpck_require__(3563);
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

// EXTERNAL MODULE: external "node:dns/promises"
var promises_ = __nccwpck_require__(1553);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
;// CONCATENATED MODULE: ./src/probe/dns.ts




/** getaddrinfo, one family at a time: the same answers (and /etc/hosts) an application gets. */
const defaultLookup = async (host, family) => (await (0,promises_.lookup)(host, { family, all: true })).map((entry) => entry.address);
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

;// CONCATENATED MODULE: ./src/probe/transcript.ts
/** What stands in for credentials in every transcript line. */
const REDACTED = '****';
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

;// CONCATENATED MODULE: ./src/probe/redact.ts

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
    const timeout = positiveMs('timeout', options.timeout, 30_000);
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
        connectTimeout: positiveMs('connectTimeout', options.connectTimeout, 10_000),
        greetingTimeout: positiveMs('greetingTimeout', options.greetingTimeout, 10_000),
        commandTimeout: positiveMs('commandTimeout', options.commandTimeout, 10_000),
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

/***/ 6867:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   f: () => (/* binding */ SCHEMA_VERSION)
/* harmony export */ });
/* unused harmony export REPORT_STATUSES */
/* harmony import */ var _probe_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9559);

/** A row's status: the probe's catalogue, plus `forbidden` for a destination a remote vantage refused. */
const REPORT_STATUSES = [..._probe_index_js__WEBPACK_IMPORTED_MODULE_0__/* .STATUSES */ .f, 'forbidden'];
/** Bumped on any incompatible change of the JSON report; `report.schema.json` describes it. */
const SCHEMA_VERSION = 1;


/***/ }),

/***/ 9810:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Co: () => (/* binding */ unmatchedFindings),
/* harmony export */   FR: () => (/* binding */ failsRun),
/* harmony export */   I6: () => (/* binding */ findingsFor),
/* harmony export */   LS: () => (/* binding */ plural),
/* harmony export */   Lc: () => (/* binding */ worstSeverity),
/* harmony export */   MT: () => (/* binding */ verdictLine),
/* harmony export */   OJ: () => (/* binding */ vantageErrors),
/* harmony export */   Op: () => (/* binding */ targetLabel),
/* harmony export */   QL: () => (/* binding */ hostPort),
/* harmony export */   TN: () => (/* binding */ oneLine),
/* harmony export */   _M: () => (/* binding */ where),
/* harmony export */   uM: () => (/* binding */ rowsByTarget),
/* harmony export */   xZ: () => (/* binding */ rowLabel)
/* harmony export */ });
/* unused harmony export belongsTo */
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
/**
 * What a row or a finding is about, for people: `relay 192.0.2.1:587 (192.0.2.1)`, the target's name
 * first unless it is just the host, the address only when there is one.
 */
function where(about) {
    const name = about.target === about.host ? '' : `${about.target} `;
    const from = about.vantage ? ` from ${about.vantage}` : '';
    return `${name}${hostPort(about.host, about.port)}${about.address === null ? '' : ` (${about.address})`}${from}`;
}
/** A target as named in tables: with its vantage, in a run with several (`relay (aws-lambda:eu-west-1)`). */
function targetLabel(item) {
    return item.vantage ? `${item.target} (${item.vantage})` : item.target;
}
/** The vantages that could not answer, one line each. */
function vantageErrors(report) {
    return (report.vantages ?? []).filter((v) => v.error).map((v) => `${v.label}: ${v.error}`);
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


/***/ }),

/***/ 311:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   x: () => (/* binding */ VERSION)
/* harmony export */ });
/** The tool's version, kept equal to package.json's by a test (bundles cannot read package.json). */
const VERSION = '0.1.0';


/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

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

/***/ 1553:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns/promises");

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

/***/ 932:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("process");

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