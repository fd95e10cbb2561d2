import { open } from 'node:fs/promises';

/** Where the PCM samples of a WAV file are and what they are. */
export interface WavLayout {
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  /** Byte offset of the first sample (start of the `data` chunk's payload). */
  readonly dataOffset: number;
  readonly dataBytes: number;
}

const HEADER_SCAN_BYTES = 64 * 1024;

/**
 * Reads a RIFF/WAVE header by walking its chunks (ffmpeg may add LIST chunks before `data`), so callers can
 * hash or slice the samples without trusting a fixed 44-byte header.
 */
export async function readWavLayout(path: string): Promise<WavLayout> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(HEADER_SCAN_BYTES, size));
    await file.read(head, 0, head.length, 0);
    if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') {
      throw new Error(`${path} is not a RIFF/WAVE file`);
    }
    let offset = 12;
    let format: Pick<WavLayout, 'sampleRateHz' | 'channels' | 'bitsPerSample'> | undefined;
    while (offset + 8 <= head.length) {
      const id = head.toString('ascii', offset, offset + 4);
      const chunkSize = head.readUInt32LE(offset + 4);
      const payload = offset + 8;
      if (id === 'fmt ') {
        format = {
          channels: head.readUInt16LE(payload + 2),
          sampleRateHz: head.readUInt32LE(payload + 4),
          bitsPerSample: head.readUInt16LE(payload + 14),
        };
      } else if (id === 'data') {
        if (!format) throw new Error(`${path}: data chunk before fmt chunk`);
        // A streamed WAV may carry a placeholder size: the file's end is the truth.
        const dataBytes = Math.min(chunkSize, size - payload);
        return { ...format, dataOffset: payload, dataBytes };
      }
      offset = payload + chunkSize + (chunkSize % 2);
    }
    throw new Error(`${path}: no data chunk in the first ${HEADER_SCAN_BYTES} bytes`);
  } finally {
    await file.close();
  }
}

/** A canonical 44-byte PCM WAV header. */
export function wavHeader(dataBytes: number, sampleRateHz: number, channels: number, bitsPerSample: number): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = (channels * bitsPerSample) / 8;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRateHz, 24);
  header.writeUInt32LE(sampleRateHz * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

export function bytesPerSecond(layout: Pick<WavLayout, 'sampleRateHz' | 'channels' | 'bitsPerSample'>): number {
  return (layout.sampleRateHz * layout.channels * layout.bitsPerSample) / 8;
}
