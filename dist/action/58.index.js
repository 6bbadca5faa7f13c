export const id = 58;
export const ids = [58];
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

/***/ 3058:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   VantageError: () => (/* reexport safe */ _answers_js__WEBPACK_IMPORTED_MODULE_1__.nn),
/* harmony export */   invokeFunctionUrl: () => (/* binding */ invokeFunctionUrl),
/* harmony export */   invokeLambda: () => (/* binding */ invokeLambda)
/* harmony export */ });
/* harmony import */ var _aws_crypto_sha256_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3156);
/* harmony import */ var _aws_crypto_sha256_js__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(_aws_crypto_sha256_js__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _aws_sdk_client_lambda__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1696);
/* harmony import */ var _aws_sdk_credential_provider_node__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5861);
/* harmony import */ var _smithy_signature_v4__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5118);
/* harmony import */ var _answers_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1025);






function failure(error, permissions) {
    if (error instanceof _answers_js__WEBPACK_IMPORTED_MODULE_1__/* .VantageError */ .nn)
        return error;
    const e = error;
    const status = e.$metadata?.httpStatusCode;
    if (status === 403 || e.name === 'AccessDeniedException') {
        return new _answers_js__WEBPACK_IMPORTED_MODULE_1__/* .VantageError */ .nn(`access denied (403): the credentials need ${permissions} on this function`);
    }
    if (e.name === 'AbortError' || e.name === 'TimeoutError')
        return new _answers_js__WEBPACK_IMPORTED_MODULE_1__/* .VantageError */ .nn('no answer in time');
    return new _answers_js__WEBPACK_IMPORTED_MODULE_1__/* .VantageError */ .nn(`${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
}
/**
 * Invokes the function through the Lambda Invoke API with the default credential chain
 * (AWS_ENDPOINT_URL_LAMBDA, when set, points the SDK at another endpoint).
 */
async function invokeLambda(spec, body, signal) {
    const client = new _aws_sdk_client_lambda__WEBPACK_IMPORTED_MODULE_2__/* .LambdaClient */ .Nox({ region: spec.region, maxAttempts: 1 });
    try {
        const out = await client.send(new _aws_sdk_client_lambda__WEBPACK_IMPORTED_MODULE_2__/* .InvokeCommand */ .mdN({
            // An ARN reaches another account; a qualifier, a version or alias.
            FunctionName: spec.functionArn ?? spec.functionName,
            ...(spec.qualifier ? { Qualifier: spec.qualifier } : {}),
            Payload: Buffer.from(body),
        }), { abortSignal: signal });
        const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
        if (out.FunctionError) {
            let message = out.FunctionError;
            try {
                message = JSON.parse(text || '{}').errorMessage ?? message;
            }
            catch {
                // The payload of a crashed function need not be JSON: the error kind alone is said.
            }
            throw new _answers_js__WEBPACK_IMPORTED_MODULE_1__/* .VantageError */ .nn(`the function failed: ${message}`);
        }
        return (0,_answers_js__WEBPACK_IMPORTED_MODULE_1__/* .answerFrom */ .DA)(text);
    }
    catch (error) {
        throw failure(error, 'lambda:InvokeFunction');
    }
    finally {
        client.destroy();
    }
}
/**
 * POSTs to a Function URL with AuthType AWS_IAM, the request signed with SigV4 (service `lambda`).
 * Since October 2025 the caller needs both lambda:InvokeFunctionUrl and lambda:InvokeFunction.
 */
async function invokeFunctionUrl(spec, body, signal) {
    const { url } = spec;
    const permissions = 'lambda:InvokeFunctionUrl and lambda:InvokeFunction (both are required)';
    try {
        const signer = new _smithy_signature_v4__WEBPACK_IMPORTED_MODULE_3__.SignatureV4({
            service: 'lambda',
            region: spec.region,
            credentials: (0,_aws_sdk_credential_provider_node__WEBPACK_IMPORTED_MODULE_4__.defaultProvider)(),
            sha256: _aws_crypto_sha256_js__WEBPACK_IMPORTED_MODULE_0__.Sha256,
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
        const response = await fetch(url, { method: 'POST', headers: signed.headers, body, signal });
        const text = await response.text();
        if (response.status === 403)
            throw new _answers_js__WEBPACK_IMPORTED_MODULE_1__/* .VantageError */ .nn(`access denied (403): the credentials need ${permissions} on this function`);
        if (response.status !== 200)
            throw (0,_answers_js__WEBPACK_IMPORTED_MODULE_1__/* .httpStatusError */ .H6)(response.status, text);
        return (0,_answers_js__WEBPACK_IMPORTED_MODULE_1__/* .answerFrom */ .DA)(text);
    }
    catch (error) {
        throw failure(error, permissions);
    }
}


/***/ })

};

//# sourceMappingURL=58.index.js.map