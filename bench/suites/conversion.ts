import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FfmpegAudioTools } from '../../functions/audio/ffmpeg-audio-tools';
import { resolveFfmpeg } from '../../functions/audio/ffmpeg-binaries';
import { PIPELINE_TARGETS_MS } from '../../lib/config/latency-targets';
import { AUDIO } from '../../lib/config/limits';
import { NOTE_FORMATS, makeNote } from '../lib/fixtures';
import { median, round } from '../lib/stats';
import { timeProcess, timed } from '../lib/timing';
import { goal, type SuiteContext, type SuiteResult } from '../lib/types';

export interface ConversionCell {
  readonly format: string;
  readonly seconds: number;
  readonly fileBytes: number;
  /** Median ms of `ffmpeg -i f -f null -`: decode only, the reference. */
  readonly decodeMs: number;
  /** Median ms of decode + resample to 16 kHz mono s16 into null: the unavoidable work, in ffmpeg alone. */
  readonly floorMs: number;
  /** Median ms of FfmpegAudioTools.normalize (ffmpeg to WAV + volumedetect + header read + PCM SHA-256). */
  readonly normalizeMs: number;
  /** Median ms of probe + normalize: what the pipeline's normalize step runs (AudioValidationService). */
  readonly probeAndNormalizeMs: number;
  readonly ratioToDecode: number;
  readonly ratioToFloor: number;
  readonly decodedSeconds: number;
}

const RATIO_GOAL = 1.3;

/**
 * Normaliser cost against ffmpeg itself on the same files. The three commands run interleaved (decode,
 * floor, ours, decode, …) so background load on the shared machine hits all of them alike.
 */
export async function conversionSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const started = performance.now();
  const lengths = ctx.smoke ? [10, 60] : [10, 60, 300];
  const runs = ctx.smoke ? 3 : 7;
  const ffmpeg = resolveFfmpeg();
  const tools = new FfmpegAudioTools();
  const work = await mkdtemp(path.join(tmpdir(), 'vnt-bench-conv-'));
  const cells: ConversionCell[] = [];
  try {
    for (const seconds of lengths) {
      for (const format of NOTE_FORMATS) {
        const file = await makeNote(format, seconds);
        const { size } = await stat(file);
        const decode: number[] = [];
        const floor: number[] = [];
        const ours: number[] = [];
        const pipelineStep: number[] = [];
        let decodedSeconds = 0;
        // One untimed warm-up pass puts the file and the binary in the page cache.
        await timeProcess(ffmpeg, ['-nostdin', '-i', file, '-f', 'null', '-']);
        for (let i = 0; i < runs; i++) {
          decode.push((await timeProcess(ffmpeg, ['-nostdin', '-i', file, '-f', 'null', '-'])).ms);
          floor.push(
            (
              await timeProcess(ffmpeg, [
                '-nostdin', '-i', file,
                '-af', `aresample=${AUDIO.sampleRateHz},aformat=sample_fmts=s16:channel_layouts=mono`,
                '-f', 'null', '-',
              ])
            ).ms,
          );
          const out = path.join(work, `out-${i}.wav`);
          const { ms, value } = await timed(() => tools.normalize(file, out));
          ours.push(ms);
          decodedSeconds = value.durationSeconds;
          await rm(out, { force: true });
          pipelineStep.push((await timed(async () => {
            await tools.probe(file);
            await tools.normalize(file, out);
          })).ms);
          await rm(out, { force: true });
        }
        const cell: ConversionCell = {
          format: format.label,
          seconds,
          fileBytes: size,
          decodeMs: median(decode),
          floorMs: median(floor),
          normalizeMs: median(ours),
          probeAndNormalizeMs: median(pipelineStep),
          ratioToDecode: median(ours) / median(decode),
          ratioToFloor: median(ours) / median(floor),
          decodedSeconds,
        };
        cells.push(cell);
        ctx.log(
          `conversion ${format.label} ${seconds}s: decode ${round(cell.decodeMs, 1)} ms, floor ${round(cell.floorMs, 1)} ms, normalize ${round(cell.normalizeMs, 1)} ms (×${round(cell.ratioToDecode)})`,
        );
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const worst = cells.reduce((a, b) => (b.ratioToDecode > a.ratioToDecode ? b : a));
  const cellsMedianRatio = median(cells.map((c) => c.ratioToDecode));
  const probeShare = median(cells.filter((c) => c.seconds === lengths[0]).map((c) => (c.probeAndNormalizeMs - c.normalizeMs) / c.probeAndNormalizeMs));
  const slowest = cells.reduce((a, b) => (b.normalizeMs > a.normalizeMs ? b : a));
  const within = cells.filter((c) => c.ratioToDecode <= RATIO_GOAL).length;

  return {
    suite: 'conversion',
    title: 'Conversion: FfmpegAudioTools.normalize vs ffmpeg bare decode',
    status: 'ok',
    durationMs: performance.now() - started,
    goals: [
      goal('conversion', 'conversion-ratio-worst', 'normalize within 1.3× of bare decode (worst cell)', round(worst.ratioToDecode, 2), '×', '<=', RATIO_GOAL,
        `${worst.format} ${worst.seconds} s: ${round(worst.normalizeMs, 1)} ms vs ${round(worst.decodeMs, 1)} ms; ${within}/${cells.length} cells within; median over cells ×${round(cellsMedianRatio)}`),
      goal('conversion', 'conversion-seed-2s', `seed: conversion < ${PIPELINE_TARGETS_MS.conversion / 1000} s (slowest cell)`, round(slowest.normalizeMs, 0), 'ms', '<', PIPELINE_TARGETS_MS.conversion,
        `${slowest.format} ${slowest.seconds} s`),
    ],
    tables: [
      {
        title: `Conversion, median of ${runs} runs (ms)`,
        header: ['format', 'note', 'file KB', 'bare decode', 'decode+resample (floor)', 'normalize (ours)', '× decode', '× floor', 'probe + normalize (pipeline step)'],
        rows: cells.map((c) => [
          c.format,
          `${c.seconds} s`,
          String(round(c.fileBytes / 1024, 0)),
          String(round(c.decodeMs, 1)),
          String(round(c.floorMs, 1)),
          String(round(c.normalizeMs, 1)),
          `${round(c.ratioToDecode)}${c.ratioToDecode <= RATIO_GOAL ? '' : ' ✗'}`,
          String(round(c.ratioToFloor)),
          `${round(c.probeAndNormalizeMs, 1)} (×${round(c.probeAndNormalizeMs / c.decodeMs)})`,
        ]),
        note: '"floor" = ffmpeg decoding and resampling to 16 kHz mono s16 into null: the work normalisation cannot avoid.',
      },
    ],
    notes: [
      `The pipeline's normalize step also probes first (a second ffmpeg process): on ${lengths[0]} s notes that probe is ${round(probeShare * 100, 0)} % of the step (median over formats).`,
    ],
    data: { runs, cells },
  };
}
