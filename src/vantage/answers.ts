import { type Answer, AnswerError, ContractMismatch, decodeAnswer } from '../contract/index.js';

/**
 * Why a vantage could not answer (403, timeout, function error, bad answer). The message does not
 * repeat the vantage's label: the report names the vantage beside it.
 */
export class VantageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VantageError';
  }
}

/** The contract answer from the function's reply text; a contract error keeps its own words. */
export function answerFrom(text: string): Answer {
  try {
    return decodeAnswer(text);
  } catch (error) {
    if (error instanceof AnswerError || error instanceof ContractMismatch)
      throw new VantageError(error.message);
    throw error;
  }
}

/**
 * A status other than 200 from a function's HTTP endpoint: an error answer says why (bad request,
 * internal error with its request id); anything else is the status alone.
 */
export function httpStatusError(status: number, text: string): VantageError {
  let why = '';
  try {
    answerFrom(text);
  } catch (error) {
    if (error instanceof VantageError && !/not JSON|not an object/.test(error.message))
      why = `: ${error.message}`;
  }
  return new VantageError(`answered HTTP ${status}${why}`);
}
