import { LOCAL } from '../config';

/** SDK client settings for talking to an emulator on loopback with the dummy credentials the emulators accept. */
export function emulatorClientConfig(endpoint: string) {
  return {
    endpoint,
    region: LOCAL.region,
    credentials: { accessKeyId: LOCAL.accessKeyId, secretAccessKey: LOCAL.secretAccessKey },
  };
}
