export const id = 203;
export const ids = [203];
export const modules = {

/***/ 1025:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DA: () => (/* binding */ answerFrom),
/* harmony export */   H6: () => (/* binding */ httpStatusError),
/* harmony export */   nn: () => (/* binding */ VantageError)
/* harmony export */ });
/* harmony import */ var _contract_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2344);

/**
 * Why a vantage could not answer (403, timeout, function error, bad answer). The message does not
 * repeat the vantage's label: the report names the vantage beside it.
 */
class VantageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'VantageError';
    }
}
/** The contract answer from the function's reply text; a contract error keeps its own words. */
function answerFrom(text) {
    try {
        return (0,_contract_index_js__WEBPACK_IMPORTED_MODULE_0__/* .decodeAnswer */ .h2)(text);
    }
    catch (error) {
        if (error instanceof _contract_index_js__WEBPACK_IMPORTED_MODULE_0__/* .AnswerError */ .dV || error instanceof _contract_index_js__WEBPACK_IMPORTED_MODULE_0__/* .ContractMismatch */ .tB)
            throw new VantageError(error.message);
        throw error;
    }
}
/**
 * A status other than 200 from a function's HTTP endpoint: an error answer says why (bad request,
 * internal error with its request id); anything else is the status alone.
 */
function httpStatusError(status, text) {
    let why = '';
    try {
        answerFrom(text);
    }
    catch (error) {
        if (error instanceof VantageError && !/not JSON|not an object/.test(error.message))
            why = `: ${error.message}`;
    }
    return new VantageError(`answered HTTP ${status}${why}`);
}


/***/ }),

/***/ 203:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  invokeGcp: () => (/* binding */ invokeGcp)
});

// EXTERNAL MODULE: ./src/vantage/answers.ts
var answers = __webpack_require__(1025);
;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/buffer_utils.js
const buffer_utils_encoder = new TextEncoder(), decoder = new TextDecoder(), buffer_utils_strictDecoder = new TextDecoder("utf-8", { fatal: !0 }), UINT32_RANGE = (/* unused pure expression or super */ null && (2 ** 32));
function concat(...buffers) {
  const size = buffers.reduce((acc, { length }) => acc + length, 0), buf = new Uint8Array(size);
  let i = 0;
  for (const buffer of buffers)
    buf.set(buffer, i), i += buffer.length;
  return buf;
}
function writeUInt32BE(buf, value, offset) {
  if (value < 0 || value >= UINT32_RANGE)
    throw new RangeError(`value must be >= 0 and <= ${UINT32_RANGE - 1}. Received ${value}`);
  buf.set([value >>> 24, value >>> 16, value >>> 8, value & 255], offset);
}
function uint64be(value) {
  const high = Math.floor(value / UINT32_RANGE), low = value % UINT32_RANGE, buf = new Uint8Array(8);
  return writeUInt32BE(buf, high, 0), writeUInt32BE(buf, low, 4), buf;
}
function uint32be(value) {
  const buf = new Uint8Array(4);
  return writeUInt32BE(buf, value), buf;
}
const NON_ASCII = /[^\x00-\x7f]/;
function buffer_utils_encode(string) {
  if (typeof string == "string" && string.length >= 128) {
    if (NON_ASCII.test(string))
      throw new TypeError("non-ASCII string encountered in encode()");
    return buffer_utils_encoder.encode(string);
  }
  const bytes = new Uint8Array(string.length);
  for (let i = 0; i < string.length; i++) {
    const code = string.charCodeAt(i);
    if (code > 127)
      throw new TypeError("non-ASCII string encountered in encode()");
    bytes[i] = code;
  }
  return bytes;
}
function buffer_utils_encodeBase64(input, url = !1) {
  if (Uint8Array.prototype.toBase64)
    return input.toBase64({ alphabet: url ? "base64url" : "base64", omitPadding: url });
  const CHUNK_SIZE = 32768, arr = [];
  for (let i = 0; i < input.length; i += CHUNK_SIZE)
    arr.push(String.fromCharCode.apply(null, input.subarray(i, i + CHUNK_SIZE)));
  const encoded = btoa(arr.join(""));
  return url ? encoded.replace(/=/g, "").replace(/\+/g, "-").replace(/\//g, "_") : encoded;
}
function decodeBase64(encoded, url = !1) {
  if (Uint8Array.fromBase64)
    return Uint8Array.fromBase64(encoded, { alphabet: url ? "base64url" : "base64" });
  if (url) {
    if (encoded.includes("+") || encoded.includes("/"))
      throw new TypeError("Invalid base64url");
    encoded = encoded.replace(/-/g, "+").replace(/_/g, "/");
  }
  const binary = atob(encoded), bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++)
    bytes[i] = binary.charCodeAt(i);
  return bytes;
}
async function digest(algorithm, data) {
  const subtleDigest = `SHA-${algorithm.slice(-3)}`;
  return new Uint8Array(await crypto.subtle.digest(subtleDigest, data));
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/util/base64url.js

const invalid = "The input to be decoded is not correctly encoded.";
function base64url_decode(input) {
  try {
    return decodeBase64(typeof input == "string" ? input : decoder.decode(input), !0);
  } catch (cause) {
    throw new TypeError(invalid, { cause });
  }
}
function base64url_encode(input) {
  return encodeBase64(typeof input == "string" ? encoder.encode(input) : input, !0);
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/validate.js



function assertUint8Array(input, label) {
  if (!(input instanceof Uint8Array))
    throw new TypeError(`${label} must be an instance of Uint8Array`);
}
function isObject(input) {
  if (typeof input != "object" || input === null || Object.prototype.toString.call(input) !== "[object Object]")
    return !1;
  const prototype = Object.getPrototypeOf(input);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
function isJwkSet(input) {
  return isObject(input) && Array.isArray(input.keys) && Array.from(input.keys).every(isObject);
}
function isDisjoint(...headers) {
  const parameters = /* @__PURE__ */ new Set();
  for (const header of headers)
    if (header)
      for (const parameter of Object.keys(header)) {
        if (parameters.has(parameter))
          return !1;
        parameters.add(parameter);
      }
  return !0;
}
function assertNotSet(value, name) {
  if (value !== void 0)
    throw new TypeError(`${name} can only be called once`);
}
function decodeBase64url(value, label, ErrorClass) {
  try {
    return decode(value);
  } catch (cause) {
    throw new ErrorClass(`Failed to base64url decode the ${label}`, { cause });
  }
}
function encodeAsciiMember(value, label, ErrorClass) {
  try {
    return encode(value);
  } catch (cause) {
    throw new ErrorClass(`The ${label} is not a valid base64url string`, { cause });
  }
}
function parseJoseHeader(encodedProtectedHeader, ErrorClass, message) {
  let parsed;
  try {
    parsed = JSON.parse(strictDecoder.decode(decode(encodedProtectedHeader)));
  } catch (cause) {
    throw new ErrorClass(message, { cause });
  }
  if (!isObject(parsed))
    throw new ErrorClass(message);
  return parsed;
}
const JWS_RECOGNIZED = { __proto__: null, b64: !0 }, JWE_RECOGNIZED = { __proto__: null };
function validateAlgorithms(option, algorithms) {
  if (algorithms !== void 0 && (!Array.isArray(algorithms) || algorithms.some((s) => typeof s != "string")))
    throw new TypeError(`"${option}" option must be an array of strings`);
  return algorithms === void 0 ? void 0 : new Set(algorithms);
}
function validateCritDuplicates(Err, protectedHeader) {
  const { crit } = protectedHeader ?? {};
  if (Array.isArray(crit) && new Set(crit).size !== crit.length)
    throw new Err('"crit" (Critical) Header Parameter MUST NOT contain duplicate values');
}
function validateCrit(Err, recognizedDefault, recognizedOption, protectedHeader, joseHeader) {
  if (joseHeader.crit !== void 0 && protectedHeader?.crit === void 0)
    throw new Err('"crit" (Critical) Header Parameter MUST be integrity protected');
  if (!protectedHeader || protectedHeader.crit === void 0)
    return [];
  if (!Array.isArray(protectedHeader.crit) || protectedHeader.crit.length === 0 || protectedHeader.crit.some((input) => typeof input != "string" || input.length === 0))
    throw new Err('"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present');
  const recognized = recognizedOption === void 0 ? recognizedDefault : { __proto__: null, ...recognizedOption, ...recognizedDefault };
  for (const parameter of protectedHeader.crit) {
    if (!(parameter in recognized))
      throw new JOSENotSupported(`Extension Header Parameter "${parameter}" is not recognized`);
    if (!Object.hasOwn(joseHeader, parameter) || joseHeader[parameter] === void 0)
      throw new Err(`Extension Header Parameter "${parameter}" is missing`);
    if (recognized[parameter] && (!Object.hasOwn(protectedHeader, parameter) || protectedHeader[parameter] === void 0))
      throw new Err(`Extension Header Parameter "${parameter}" MUST be integrity protected`);
  }
  return protectedHeader.crit;
}
function validateB64(protectedHeader, extensions) {
  if (extensions.includes("b64")) {
    const b64 = protectedHeader.b64;
    if (typeof b64 != "boolean")
      throw new JWSInvalid('The "b64" (base64url-encode payload) Header Parameter must be a boolean');
    return b64;
  }
  return !0;
}
function serializeJoseHeader(Err, header) {
  let serialized, parsed;
  try {
    serialized = JSON.stringify(header), parsed = JSON.parse(serialized);
  } catch (cause) {
    throw new Err("JOSE Header is not valid JSON", { cause });
  }
  if (!isObject(parsed))
    throw new Err("JOSE Header is not a JSON object");
  return [parsed, serialized];
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/util/errors.js
class JOSEError extends Error {
  static code = "ERR_JOSE_GENERIC";
  code = "ERR_JOSE_GENERIC";
  constructor(message, options) {
    super(message, options), this.name = this.constructor.name, Error.captureStackTrace?.(this, this.constructor);
  }
}
class JWTClaimValidationFailed extends JOSEError {
  static code = "ERR_JWT_CLAIM_VALIDATION_FAILED";
  code = "ERR_JWT_CLAIM_VALIDATION_FAILED";
  claim;
  reason;
  payload;
  constructor(message, payload, claim = "unspecified", reason = "unspecified") {
    super(message, { cause: { claim, reason, payload } }), this.claim = claim, this.reason = reason, this.payload = payload;
  }
}
class JWTExpired extends JOSEError {
  static code = "ERR_JWT_EXPIRED";
  code = "ERR_JWT_EXPIRED";
  claim;
  reason;
  payload;
  constructor(message, payload, claim = "unspecified", reason = "unspecified") {
    super(message, { cause: { claim, reason, payload } }), this.claim = claim, this.reason = reason, this.payload = payload;
  }
}
class JOSEAlgNotAllowed extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JOSE_ALG_NOT_ALLOWED"));
  code = "ERR_JOSE_ALG_NOT_ALLOWED";
}
class errors_JOSENotSupported extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JOSE_NOT_SUPPORTED"));
  code = "ERR_JOSE_NOT_SUPPORTED";
}
class JWEDecryptionFailed extends JOSEError {
  static code = "ERR_JWE_DECRYPTION_FAILED";
  code = "ERR_JWE_DECRYPTION_FAILED";
  constructor(message = "decryption operation failed", options) {
    super(message, options);
  }
}
class JWEInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWE_INVALID"));
  code = "ERR_JWE_INVALID";
}
class errors_JWSInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWS_INVALID"));
  code = "ERR_JWS_INVALID";
}
class JWTInvalid extends JOSEError {
  static code = "ERR_JWT_INVALID";
  code = "ERR_JWT_INVALID";
}
class JWKInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWK_INVALID"));
  code = "ERR_JWK_INVALID";
}
class JWKSInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWKS_INVALID"));
  code = "ERR_JWKS_INVALID";
}
class JWKSNoMatchingKey extends JOSEError {
  static code = "ERR_JWKS_NO_MATCHING_KEY";
  code = "ERR_JWKS_NO_MATCHING_KEY";
  constructor(message = "no applicable key found in the JSON Web Key Set", options) {
    super(message, options);
  }
}
class JWKSMultipleMatchingKeys extends JOSEError {
  [Symbol.asyncIterator] = async function* () {
  };
  static code = "ERR_JWKS_MULTIPLE_MATCHING_KEYS";
  code = "ERR_JWKS_MULTIPLE_MATCHING_KEYS";
  constructor(message = "multiple matching keys found in the JSON Web Key Set", options) {
    super(message, options);
  }
}
class JWKSTimeout extends JOSEError {
  static code = "ERR_JWKS_TIMEOUT";
  code = "ERR_JWKS_TIMEOUT";
  constructor(message = "request timed out", options) {
    super(message, options);
  }
}
class JWSSignatureVerificationFailed extends JOSEError {
  static code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  constructor(message = "signature verification failed", options) {
    super(message, options);
  }
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/util/decode_jwt.js




function decodeJwt(jwt) {
  if (typeof jwt != "string")
    throw new JWTInvalid("JWTs must use Compact JWS serialization, JWT must be a string");
  const { 1: encodedPayload, length } = jwt.split(".");
  if (length === 5)
    throw new JWTInvalid("Only JWTs using Compact JWS serialization can be decoded");
  if (length !== 3)
    throw new JWTInvalid("Invalid JWT");
  if (!encodedPayload)
    throw new JWTInvalid("JWTs must contain a payload");
  let claimsSetBytes;
  try {
    claimsSetBytes = base64url_decode(encodedPayload);
  } catch (cause) {
    throw new JWTInvalid("Failed to base64url decode the payload", { cause });
  }
  let claimsSet;
  try {
    claimsSet = JSON.parse(buffer_utils_strictDecoder.decode(claimsSetBytes));
  } catch (cause) {
    throw new JWTInvalid("Failed to parse the decoded payload as JSON", { cause });
  }
  if (!isObject(claimsSet))
    throw new JWTInvalid("Invalid JWT Claims Set");
  return claimsSet;
}


;// CONCATENATED MODULE: ./src/vantage/id-token.ts
/**
 * Google ID tokens for Cloud Run functions: given by the user (google-github-actions/auth's `id_token`
 * output, `gcloud auth print-identity-token`), or minted with google-auth-library where the
 * credentials can (a service account key, the metadata server, an impersonated service account).
 * A token is a secret: no message here ever contains one, only its audience, identity and expiry.
 */


/** One or more tokens, separated by whitespace or commas (one per audience when functions differ). */
function parseIdTokens(text) {
    const parts = text.split(/[\s,]+/).filter(Boolean);
    return parts.map((token, i) => {
        try {
            const claims = decodeJwt(token);
            const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
            return {
                token,
                audiences,
                ...(typeof claims.exp === 'number' ? { expires: claims.exp } : {}),
                ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
            };
        }
        catch {
            throw new answers/* VantageError */.nn(`the ID token${parts.length > 1 ? ` ${i + 1} of ${parts.length}` : ''} in \`gcp_id_token\` is not a JWT`);
        }
    });
}
/**
 * The audience Cloud Run expects by default: the function's URL without a trailing slash (the root of
 * a `run.app` host, or the function's path under `cloudfunctions.net`).
 */
function audienceOf(url) {
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
const matches = (token, audience) => token.audiences.some((aud) => aud.replace(/\/+$/, '') === audience);
/**
 * The token for this function: the one whose audience is its URL; else the only one given, whose
 * audience may be a custom audience the function accepts (`--add-custom-audiences`), for one token
 * that serves every region.
 */
function tokenFor(tokens, audience, nowSeconds) {
    const token = tokens.find((t) => matches(t, audience)) ?? (tokens.length === 1 ? tokens[0] : undefined);
    if (!token) {
        const given = tokens.map((t) => t.audiences.join(' ') || 'none').join(', ');
        throw new answers/* VantageError */.nn(`none of the ${tokens.length} ID tokens in \`gcp_id_token\` has the audience ${audience} (theirs: ${given})`);
    }
    if (token.expires !== undefined && token.expires <= nowSeconds) {
        throw new answers/* VantageError */.nn(`the ID token in \`gcp_id_token\` expired at ${new Date(token.expires * 1000).toISOString()} (Google ID tokens last an hour): mint a fresh one`);
    }
    return token;
}
/** Minted tokens, per audience, reused while they have a minute left. */
const minted = new Map();
/**
 * A token minted by google-auth-library's Application Default Credentials for this audience. Workload
 * Identity Federation and gcloud user credentials cannot mint ID tokens: the error says what to give.
 */
async function mintIdToken(audience, signal) {
    const cached = minted.get(audience);
    const now = Date.now() / 1000;
    const reusable = await cached?.catch(() => undefined);
    if (reusable && (reusable.expires ?? 0) > now + 60)
        return reusable;
    const fresh = mint(audience);
    minted.set(audience, fresh);
    fresh.catch(() => minted.delete(audience));
    return abortable(fresh, signal);
}
async function mint(audience) {
    const { GoogleAuth } = await __webpack_require__.e(/* import() */ 492).then(__webpack_require__.t.bind(__webpack_require__, 492, 23));
    let token;
    try {
        const client = await new GoogleAuth().getIdTokenClient(audience);
        token = await client.idTokenProvider.fetchIdToken(audience);
    }
    catch (error) {
        throw mintFailure(error);
    }
    const [parsed] = parseIdTokens(token);
    if (!parsed)
        throw new answers/* VantageError */.nn('google-auth-library minted an empty ID token');
    return parsed;
}
function mintFailure(error) {
    const message = error instanceof Error ? error.message : String(error);
    const give = 'give one in `gcp_id_token` (google-github-actions/auth with token_format: id_token, or gcloud auth print-identity-token)';
    if (/Cannot fetch ID token in this environment/.test(message)) {
        return new answers/* VantageError */.nn(`these Google credentials cannot mint an ID token (Workload Identity Federation and gcloud user credentials cannot): ${give}`);
    }
    if (/Could not load the default credentials/.test(message)) {
        return new answers/* VantageError */.nn(`no Google credentials to mint an ID token with: ${give}, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key, or run on Google Cloud`);
    }
    return new answers/* VantageError */.nn(`could not mint a Google ID token: ${message.split('\n')[0]?.slice(0, 200)}`);
}
function abortable(promise, signal) {
    if (signal.aborted)
        return Promise.reject(new answers/* VantageError */.nn('no answer in time'));
    return new Promise((resolve, reject) => {
        const onAbort = () => reject(new answers/* VantageError */.nn('no answer in time (minting the ID token)'));
        signal.addEventListener('abort', onAbort, { once: true });
        promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
}

;// CONCATENATED MODULE: ./src/vantage/gcp-client.ts


/**
 * POSTs the request to a Cloud Run function deployed with --no-allow-unauthenticated, with a Google
 * ID token as the Bearer token: one of those given (`idTokens`, the text of the `gcp_id_token`
 * setting), else one google-auth-library mints for the function's URL.
 */
async function invokeGcp(spec, body, signal, idTokens) {
    const audience = audienceOf(spec.url);
    try {
        const token = idTokens?.trim()
            ? tokenFor(parseIdTokens(idTokens), audience, Date.now() / 1000)
            : await mintIdToken(audience, signal);
        const response = await fetch(spec.url, {
            method: 'POST',
            headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
            body,
            signal,
            // A redirect would carry the token elsewhere: a function's own URL never redirects.
            redirect: 'manual',
        });
        const text = await response.text();
        if (response.status === 401 || response.status === 403)
            throw refused(response.status, token, audience);
        if (response.status !== 200)
            throw (0,answers/* httpStatusError */.H6)(response.status, text);
        return (0,answers/* answerFrom */.DA)(text);
    }
    catch (error) {
        throw failure(error);
    }
}
/**
 * Cloud Run's own refusals, before the function runs: 401 for a token it does not accept (audience,
 * expiry, signature), 403 for an identity without roles/run.invoker.
 */
function refused(status, token, audience) {
    const theirs = token.audiences.length > 0 ? token.audiences.join(', ') : 'none';
    const who = token.email ?? 'its identity';
    return new answers/* VantageError */.nn(status === 401
        ? `unauthenticated (401): the ID token was not accepted; its audience must be ${audience} (or a custom audience of the function; the token's is ${theirs}), it must be unexpired, and ${who} needs roles/run.invoker on this function`
        : `access denied (403): ${who} needs roles/run.invoker on this function (the token's audience: ${theirs}, this function's: ${audience})`);
}
function failure(error) {
    if (error instanceof answers/* VantageError */.nn)
        return error;
    const e = error;
    if (e.name === 'AbortError' || e.name === 'TimeoutError')
        return new answers/* VantageError */.nn('no answer in time');
    // fetch() says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, a TLS error).
    const cause = e.cause?.code ?? e.cause?.message;
    return new answers/* VantageError */.nn(cause ? `could not reach the function: ${cause}` : `${e.name}: ${e.message}`);
}


/***/ })

};

//# sourceMappingURL=203.index.js.map