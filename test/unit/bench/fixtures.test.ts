import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatByLabel, makeNote } from '../../../bench/lib/fixtures';
import { FfmpegAudioTools } from '../../../functions/audio/ffmpeg-audio-tools';

describe('benchmark notes', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('last the seconds asked for when the variant’s offset wraps the speech loop', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vnt-bench-note-'));
    dirs.push(dir);
    // Variant 10 starts 23 s into the ~27.5 s speech: the loop wraps 4.5 s into the note.
    const note = await makeNote(formatByLabel('m4a/aac'), 10, 10);

    const { durationSeconds } = await new FfmpegAudioTools().normalize(note, path.join(dir, 'note.wav'));

    expect(durationSeconds).toBeCloseTo(10, 1);
  }, 60_000);
});
