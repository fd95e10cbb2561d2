/**
 * Every end-to-end test fails when Prism, the validating proxy its HTTP API traffic went through
 * (test/helpers/contract-proxy.ts), logged a contract violation during it: a response the contract does not
 * allow, or a request it does not.
 */
import { afterEach } from 'vitest';
import { takeContractViolations } from '../helpers/contract-proxy';

afterEach(async () => {
  const violations = await takeContractViolations();
  if (violations.length > 0) {
    throw new Error(`Prism found ${violations.length} contract violation(s) against docs/openapi.json:\n${violations.join('\n')}`);
  }
});
