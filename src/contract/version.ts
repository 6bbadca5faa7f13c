/**
 * The version of the contract between the caller and a remote vantage. Bumped on any change a peer of
 * the other version could misread; both sides refuse another version by name instead of guessing.
 */
export const CONTRACT_VERSION = 2;

/** A peer speaks another contract version: the message names both and says which side to update. */
export class ContractMismatch extends Error {
  readonly received: unknown;

  constructor(received: unknown, what: 'request' | 'answer') {
    const theirs =
      typeof received === 'number' && Number.isInteger(received)
        ? `contract version ${received}`
        : received === undefined
          ? 'no contract version (version 1 sent none)'
          : 'a contract version that is not a whole number';
    const update =
      what === 'request'
        ? typeof received === 'number' && received > CONTRACT_VERSION
          ? 'deploy the newer function'
          : 'update the caller (smtp-port-probe)'
        : typeof received === 'number' && received > CONTRACT_VERSION
          ? 'update the caller (smtp-port-probe)'
          : 'deploy the function of this release';
    super(`the ${what} carries ${theirs}, this side speaks contract version ${CONTRACT_VERSION}: ${update}`);
    this.name = 'ContractMismatch';
    this.received = received;
  }
}
