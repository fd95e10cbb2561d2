/**
 * Translates one voice note the way an app does: `npx tsx client/examples/translate-note.ts note.m4a es`.
 * VNT_API_KEY is the key (the local stack's demo keys are in .local/keys.json); VNT_API_URL and VNT_WS_URL
 * default to the local stack.
 */
import { openAsBlob } from 'node:fs';
import { ApiError, VoiceNoteClient } from '../index';

const [file = 'note.m4a', targetLanguage = 'es'] = process.argv.slice(2);
const client = new VoiceNoteClient({
  baseUrl: process.env.VNT_API_URL ?? 'http://127.0.0.1:3000',
  webSocketUrl: process.env.VNT_WS_URL ?? 'ws://127.0.0.1:3000/ws',
  apiKey: process.env.VNT_API_KEY,
});

try {
  const note = await client.translate(await openAsBlob(file), {
    fileName: file, // the extension tells the audio type
    targetLanguage,
    onUploadProgress: ({ loaded, total }) => console.error(`uploaded ${Math.round((100 * loaded) / total)}%`),
    onUpdate: ({ status, progress }) => console.error(`${status} (${progress}%)`),
  });
  if (note.status === 'completed') {
    console.log(`${note.result?.transcript} → ${note.result?.translation}`);
  } else {
    console.error(`The note failed: ${note.error?.code}: ${note.error?.message}`);
    process.exitCode = 1;
  }
} catch (error) {
  if (!(error instanceof ApiError)) throw error;
  // A stable code to switch on; QUOTA_EXCEEDED says when the quota resets. THROTTLED was already waited out.
  const wait = error.retryAfterSeconds === undefined ? '' : ` (retry in ${error.retryAfterSeconds} s)`;
  console.error(`${error.code}: ${error.message}${wait}`);
  process.exitCode = 2;
}
