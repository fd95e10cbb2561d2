import { LOCAL } from './config';
import { loadOrCreateSecret, type StateLayout } from './state-dir';

/** AWS credentials of the local stack's one principal. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * What the in-process handlers sign their AWS calls with, and the only credentials the local S3 accepts: a
 * fixed key id and a secret generated on the first start of a state directory (`secret-access-key`, mode
 * 0600, never printed). A fixed public secret would let anyone on the machine sign S3 requests or forge
 * upload policies.
 */
export async function loadOrCreateLocalCredentials(layout: StateLayout): Promise<LocalCredentials> {
  return { accessKeyId: LOCAL.accessKeyId, secretAccessKey: await loadOrCreateSecret(layout.secretAccessKey) };
}
