/**
 * The steps `client.translate()` joins, for an app that shows its own UI between them:
 * `npx tsx client/examples/upload-and-follow.ts note.m4a es` (environment as in translate-note.ts).
 */
import { openAsBlob } from 'node:fs';
import { audioContentType, VoiceNoteClient } from '../index';

const [file = 'note.m4a', targetLanguage = 'es'] = process.argv.slice(2);
const client = new VoiceNoteClient({
  baseUrl: process.env.VNT_API_URL ?? 'http://127.0.0.1:3000',
  webSocketUrl: process.env.VNT_WS_URL ?? 'ws://127.0.0.1:3000/ws',
  apiKey: process.env.VNT_API_KEY,
});
const audio = await openAsBlob(file, { type: audioContentType(undefined, file) });

// 1. POST /uploads: the job and its presigned POST (one note of the key's daily quota).
const { jobId, upload } = await client.createUpload({ contentType: audio.type, sizeBytes: audio.size, targetLanguage });

// 2. Subscribe over the WebSocket before uploading, so no stage is missed (GET /jobs/{jobId} polling if it fails).
const watch = client.watchJob(jobId, { onUpdate: ({ status, progress }) => console.error(`${status} (${progress}%)`) });
console.error(`following ${jobId} over ${await watch.ready}`);

// 3. The presigned POST, straight to storage: the policy's fields, then the audio.
await client.upload(upload, audio, { onProgress: ({ loaded, total }) => console.error(`uploaded ${loaded} of ${total} bytes`) });

const note = await watch.done;
console.log(note.status === 'completed' ? `${note.result?.transcript} → ${note.result?.translation}` : `${note.error?.code}: ${note.error?.message}`);
if (note.status !== 'completed') process.exitCode = 1;
