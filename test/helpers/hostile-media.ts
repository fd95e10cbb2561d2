/**
 * Uploads that try to make ffmpeg read something other than themselves: playlists, concat lists, external
 * references, network descriptions, formats that are not audio. Each names canary files (unique names, so any
 * attempt to open one shows in a syscall trace), /etc/passwd, and a loopback HTTP listener that must stay silent.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeAudio, makeImageFile } from './audio-fixtures';

export interface HostileTargets {
  /** A real WAV (4 s tone) outside the upload's directory, by absolute path. */
  readonly canaryWav: string;
  /** Basename of a canary placed next to whatever directory ffmpeg reads the upload from. */
  readonly siblingCanary: string;
  /** Port of a loopback HTTP listener that fails the test if contacted. */
  readonly httpPort: number;
}

export interface HostileUpload {
  readonly name: string;
  /** Seconds of audio the file holds itself: a decode may yield at most this (0: none). */
  readonly ownAudioSeconds: number;
  /**
   * Extra ffmpeg input options under which plain ffmpeg (`ffmpeg -i upload`) reaches outside the upload: the
   * proof that the file is hostile. Undefined for files whose danger is their format, not a reference.
   */
  readonly reachesOutWith?: readonly string[];
  /** Builds whose own hardening already refuses the file unconfined (so there is nothing to prove there). */
  readonly refusedUnconfinedBy?: readonly string[];
  /** Writes the upload into `dir`; returns its path. */
  make(dir: string, targets: HostileTargets): Promise<string>;
}

/** An HLS playlist naming `segments`, one per line. */
function playlist(segments: readonly string[]): string {
  return ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:10', '#EXT-X-MEDIA-SEQUENCE:0', ...segments.flatMap((s) => ['#EXTINF:4.0,', s]), '#EXT-X-ENDLIST', ''].join('\n');
}

async function write(dir: string, name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

/** Every hostile upload the confinement battery tries. */
export const HOSTILE_UPLOADS: readonly HostileUpload[] = [
  {
    name: 'HLS playlist followed by real MP3 frames, naming a server file',
    ownAudioSeconds: 1,
    reachesOutWith: [],
    make: async (dir, { canaryWav, siblingCanary }) => {
      const mp3 = await readFile(await makeAudio('mp3', dir, { name: 'one-second', inputArgs: ['-t', '1'] }));
      return write(dir, 'hls-then-mp3', Buffer.concat([Buffer.from(playlist([`file://${canaryWav}`, siblingCanary])), mp3]));
    },
  },
  {
    name: 'HLS playlist naming /etc/passwd and a server file',
    ownAudioSeconds: 0,
    reachesOutWith: [],
    // Debian's 5.1 refuses the whole playlist for its extension-less segment (allowed_segment_extensions).
    refusedUnconfinedBy: ['debian'],
    // The first segment is what plain ffmpeg is shown to open; newer builds stop at a first segment they refuse.
    make: (dir, { canaryWav, siblingCanary }) => write(dir, 'hls-passwd', playlist([canaryWav, '/etc/passwd', siblingCanary])),
  },
  {
    name: 'HLS playlist naming concat: and subfile: protocol tricks',
    ownAudioSeconds: 0,
    reachesOutWith: [],
    make: (dir, { canaryWav, siblingCanary }) =>
      write(dir, 'hls-protocols', playlist([canaryWav, `concat:/etc/passwd|${siblingCanary}`, `subfile,,start,0,end,0,,:${canaryWav}`])),
  },
  {
    name: 'HLS playlist naming a loopback HTTP segment',
    ownAudioSeconds: 0,
    reachesOutWith: [],
    make: (dir, { httpPort, siblingCanary }) => write(dir, 'hls-http', playlist([`http://127.0.0.1:${httpPort}/segment.wav`, siblingCanary])),
  },
  {
    name: 'HLS playlist of data: URIs',
    ownAudioSeconds: 0,
    make: async (dir, { canaryWav }) =>
      write(dir, 'hls-data-uri', playlist([`data:audio/wav;base64,${(await readFile(canaryWav)).toString('base64')}`])),
  },
  {
    name: 'ffconcat list naming a file next to the upload',
    ownAudioSeconds: 0,
    reachesOutWith: [],
    make: (dir, { siblingCanary }) => write(dir, 'ffconcat-relative', `ffconcat version 1.0\nfile '${siblingCanary}'\n`),
  },
  {
    name: 'ffconcat list naming absolute paths and /etc/passwd (followed under -safe 0)',
    ownAudioSeconds: 0,
    reachesOutWith: ['-safe', '0'],
    make: (dir, { canaryWav }) => write(dir, 'ffconcat-absolute', `ffconcat version 1.0\nfile '${canaryWav}'\nfile '/etc/passwd'\n`),
  },
  {
    name: 'mp4 whose track data is an external reference (dref alias)',
    ownAudioSeconds: 0,
    reachesOutWith: ['-enable_drefs', '1'],
    make: async (dir, { siblingCanary }) =>
      write(dir, 'mp4-external-dref', withExternalDataReference(await readFile(await makeAudio('m4a', dir, { name: 'dref-base' })), siblingCanary)),
  },
  {
    name: 'SDP session description (RTP over loopback UDP)',
    ownAudioSeconds: 0,
    reachesOutWith: ['-protocol_whitelist', 'file,udp,rtp'],
    make: (dir, { httpPort }) =>
      write(dir, 'sdp', `v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${httpPort} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`),
  },
  { name: 'image (png, the image2 family)', ownAudioSeconds: 0, make: (dir) => makeImageFile(dir, 'picture') },
  {
    name: 'subtitles (SubRip) naming server files',
    ownAudioSeconds: 0,
    make: (dir, { canaryWav }) => write(dir, 'subtitles', `1\n00:00:00,000 --> 00:00:02,000\n${canaryWav}\n\n2\n00:00:02,000 --> 00:00:04,000\n/etc/passwd\n`),
  },
];

/**
 * Rewrites an mp4's data reference (`dref`, written by ffmpeg as one self-contained `url ` entry) into a
 * QuickTime alias naming `siblingName` next to the file: ffmpeg's mov demuxer then reads the track's samples
 * from that file when drefs are enabled. Needs the moov box after mdat (ffmpeg's default), so growing it moves
 * no sample offset.
 */
export function withExternalDataReference(mp4: Buffer, siblingName: string): Buffer {
  const chain = ['moov', 'trak', 'mdia', 'minf', 'dinf', 'dref'];
  const ancestors: number[] = [];
  let start = 0;
  let end = mp4.length;
  for (const type of chain) {
    const box = findBox(mp4, start, end, type);
    ancestors.push(box);
    start = box + 8;
    end = box + mp4.readUInt32BE(box);
  }
  const dref = ancestors.pop()!;
  const alias = aliasEntry(`/${siblingName}`);
  const newDref = Buffer.alloc(16);
  newDref.write('dref', 4, 'latin1');
  newDref.writeUInt32BE(1, 12); // one entry
  const replacement = Buffer.concat([newDref, alias]);
  replacement.writeUInt32BE(replacement.length, 0);
  const delta = replacement.length - mp4.readUInt32BE(dref);
  const out = Buffer.concat([mp4.subarray(0, dref), replacement, mp4.subarray(dref + mp4.readUInt32BE(dref))]);
  for (const box of ancestors) out.writeUInt32BE(out.readUInt32BE(box) + delta, box);
  return out;
}

function findBox(buffer: Buffer, start: number, end: number, type: string): number {
  for (let offset = start; offset + 8 <= end; offset += buffer.readUInt32BE(offset)) {
    if (buffer.toString('latin1', offset + 4, offset + 8) === type) return offset;
    if (buffer.readUInt32BE(offset) < 8) break;
  }
  throw new Error(`no ${type} box`);
}

/** A Macintosh alias record as ffmpeg's mov_read_dref reads it: same directory (one level up, one down), absolute path record. */
function aliasEntry(absolutePath: string): Buffer {
  const fixed = Buffer.alloc(150); // 10 skipped, volume (1+27), 12 skipped, filename (1+63), 16 skipped, nlvl_from/to, 16 skipped
  fixed.writeUInt8(0, 10); // empty volume name
  const name = path.basename(absolutePath);
  fixed.writeUInt8(name.length, 50);
  fixed.write(name, 51, 'latin1');
  fixed.writeUInt16BE(1, 130); // nlvl_from
  fixed.writeUInt16BE(1, 132); // nlvl_to
  const pathBytes = Buffer.from(absolutePath, 'latin1');
  const padded = Buffer.alloc(pathBytes.length + (pathBytes.length % 2));
  pathBytes.copy(padded);
  const record = Buffer.alloc(4);
  record.writeUInt16BE(2, 0); // absolute path
  record.writeUInt16BE(pathBytes.length, 2);
  const terminator = Buffer.from([0xff, 0xff, 0x00, 0x00]);
  const header = Buffer.alloc(12);
  header.write('alis', 4, 'latin1');
  const entry = Buffer.concat([header, fixed, record, padded, terminator]);
  entry.writeUInt32BE(entry.length, 0);
  return entry;
}
