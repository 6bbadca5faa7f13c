/** The versioned contract between the caller and a remote vantage: request, answer, version. */
export {
  type Answer,
  AnswerError,
  answerSchema,
  decodeAnswer,
  type ErrorAnswer,
  encodeAnswer,
  type Refusal,
  resultsByJob,
  type VantageFacts,
} from './answer.js';
export { profileOptions } from './profile.js';
export {
  BadRequest,
  type Job,
  MAX_JOBS,
  MAX_PROFILES,
  MAX_REQUEST_BYTES,
  type ProbeProfile,
  type ProbeRequest,
  parseRequest,
} from './request.js';
export { CONTRACT_VERSION, ContractMismatch } from './version.js';
