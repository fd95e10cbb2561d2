import { LOCAL } from '../config';

/** SDK client settings for the stack's own clients of dynalite and fauxqs, which verify no signature. */
export function emulatorClientConfig(endpoint: string) {
  return {
    endpoint,
    region: LOCAL.region,
    credentials: { accessKeyId: LOCAL.accessKeyId, secretAccessKey: LOCAL.unverifiedSecretAccessKey },
  };
}
