import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioValidationService } from '../../../functions/audio/audio-validation';
import { FfmpegAudioTools } from '../../../functions/audio/ffmpeg-audio-tools';
import { PipelineFailureError } from '../../../functions/shared/errors';
import { TIERS } from '../../../lib/config/tiers';
import { CACHED_LAYER_DIR } from '../../../layers/ffmpeg/build-layer';
import { AUDIO_FORMATS, makeAudio } from '../../helpers/audio-fixtures';
import { HOSTILE_UPLOADS, type HostileTargets } from '../../helpers/hostile-media';

/**
 * The ffmpeg confinement battery (issue 11): uploads that are playlists, concat lists, external references,
 * network descriptions or not audio at all must end in a stable failure code (or decode only their own bytes),
 * and ffmpeg must touch nothing outside the upload. Proof: every syscall naming a file or a socket is traced
 * (strace), and none may name a canary, /etc/passwd or an internet socket; a loopback HTTP listener must get no
 * connection. Each file is first shown to be hostile: plain ffmpeg does reach out with it.
 *
 * Runs against Debian's ffmpeg (the local stack's) and against the Lambda layer's linux-arm64 build under
 * qemu-user-static, the very binary that ships.
 */

const QEMU = '/usr/bin/qemu-aarch64-static';
/** goforward.raw: 89,160 bytes of 16 kHz 16-bit mono. */
const GOFORWARD_SECONDS = 89_160 / 32_000;
const LAYER_FFMPEG = path.join(CACHED_LAYER_DIR, 'bin', 'ffmpeg');
const STRACE_WORKS = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', 'true']).status === 0;

interface Build {
  readonly id: string;
  readonly name: string;
  readonly command: readonly string[];
  readonly missing?: string;
}

const BUILDS: readonly Build[] = [
  {
    id: 'debian',
    name: 'Debian ffmpeg (local stack)',
    command: ['/usr/bin/ffmpeg'],
    ...(existsSync('/usr/bin/ffmpeg') ? {} : { missing: 'Debian ffmpeg is not installed (apt-get install ffmpeg)' }),
  },
  {
    id: 'layer',
    name: 'Lambda layer ffmpeg (linux-arm64) under qemu-user-static',
    command: [QEMU, LAYER_FFMPEG],
    ...(!existsSync(QEMU)
      ? { missing: 'qemu-user-static is not installed (apt-get install qemu-user-static)' }
      : !existsSync(LAYER_FFMPEG)
        ? { missing: 'the layer is not built (npx tsx layers/ffmpeg/build-layer.ts; .ci/run does it)' }
        : {}),
  },
];

/** Trace lines that show ffmpeg reaching beyond the upload. */
function reachesOut(trace: string, targets: HostileTargets): string[] {
  const names = [path.basename(targets.canaryWav), targets.siblingCanary, '/etc/passwd'];
  return trace
    .split('\n')
    .filter((line) => names.some((name) => line.includes(name)) || /\b(socket|connect|bind)\(.*AF_INET/.test(line));
}

/**
 * Plain ffmpeg, as the normaliser used to run it. Reaching out happens while it opens the input; one left
 * waiting (rtp) is stopped with its whole process group (strace, qemu, ffmpeg) after a few seconds.
 */
function runUnconfined(traced: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(traced, ['-nostdin', '-hide_banner', ...args], { stdio: 'ignore', detached: true });
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 3_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

for (const build of BUILDS) {
  const skip = build.missing ?? (STRACE_WORKS ? undefined : 'strace cannot trace here (apt-get install strace)');
  describe.skipIf(skip !== undefined)(`ffmpeg reads only the upload: ${build.name}${skip ? ` — skipped: ${skip}` : ''}`, () => {
    let dir: string;
    let traced: string;
    let trace: string;
    let server: Server;
    let httpRequests = 0;
    let targets: HostileTargets;
    let service: AudioValidationService;
    /** For the valid files, which have nothing to trace (strace slows each run down). */
    let untracedService: AudioValidationService;
    const tried: string[] = [];
    const outside: string[] = [];

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'vnt-confinement-'));
      server = createServer((_request, response) => {
        httpRequests++;
        response.end();
      });
      server.on('connection', () => httpRequests++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const secrets = path.join(dir, 'server-files');
      await mkdir(secrets);
      const canaryWav = path.join(secrets, `canary-${process.pid}.wav`);
      await copyFile(await makeAudio('wav', secrets, { name: 'tone', inputArgs: ['-stream_loop', '1'] }), canaryWav);
      targets = { canaryWav, siblingCanary: `sibling-canary-${process.pid}.wav`, httpPort: (server.address() as AddressInfo).port };
      // ffmpeg, every file and socket syscall of it (and of qemu's guest) appended to one log.
      trace = path.join(dir, 'trace.log');
      traced = path.join(dir, 'traced-ffmpeg');
      await writeFile(traced, `#!/bin/sh\nexec strace -f -qq -A -o ${quote(trace)} -e trace=%file,%network ${build.command.map(quote).join(' ')} "$@"\n`);
      const plain = path.join(dir, 'ffmpeg');
      await writeFile(plain, `#!/bin/sh\nexec ${build.command.map(quote).join(' ')} "$@"\n`);
      await Promise.all([chmod(traced, 0o755), chmod(plain, 0o755)]);
      service = new AudioValidationService(new FfmpegAudioTools({ ffmpegPath: traced }));
      untracedService = new AudioValidationService(new FfmpegAudioTools({ ffmpegPath: plain }));
    });
    afterAll(async () => {
      // The closing note's numbers: files tried and reads outside the upload.
      console.info(`ffmpeg confinement [${build.name}]: ${tried.length} hostile files tried, ${outside.length} reads outside the upload`);
      await new Promise((resolve) => server?.close(resolve));
      await rm(dir, { recursive: true, force: true });
    });

    it.each(AUDIO_FORMATS)('still decodes every accepted format, confined: %s', async (format) => {
      const file = await makeAudio(format, dir, { name: `valid-${format}` });

      const { probe, audio } = await untracedService.normalizeUpload({
        inputPath: file,
        sizeBytes: (await stat(file)).size,
        limits: TIERS.free,
        outputWavPath: path.join(dir, `valid-${format}.wav`),
      });

      expect(probe.channelLayout).toBe('mono');
      expect(audio.durationSeconds).toBeCloseTo(GOFORWARD_SECONDS, 0);
      expect(audio.containerErrors).toEqual([]);
    });

    it.each(HOSTILE_UPLOADS)('$name', async (hostile) => {
      const caseDir = await mkdtemp(path.join(dir, 'case-'));
      const file = await hostile.make(caseDir, targets);
      // A canary next to the upload, for references relative to it.
      await copyFile(targets.canaryWav, path.join(caseDir, targets.siblingCanary));

      if (hostile.reachesOutWith && !hostile.refusedUnconfinedBy?.includes(build.id)) {
        await writeFile(trace, '');
        const before = httpRequests;
        await runUnconfined(traced, [...hostile.reachesOutWith, '-i', file, '-f', 'null', '-']);
        const reached = reachesOut(await readFile(trace, 'utf8'), targets).length + (httpRequests - before);
        expect(reached, 'plain ffmpeg reaches outside the upload with this file (else it proves nothing)').toBeGreaterThan(0);
      }

      await writeFile(trace, '');
      const before = httpRequests;
      const outcome = await service
        .normalizeUpload({ inputPath: file, sizeBytes: (await stat(file)).size, limits: TIERS.premium, outputWavPath: path.join(caseDir, 'out.wav') })
        .catch((error: unknown) => error);
      const reads = [...reachesOut(await readFile(trace, 'utf8'), targets), ...(httpRequests > before ? ['HTTP listener contacted'] : [])];
      tried.push(hostile.name);
      outside.push(...reads);

      expect(reads).toEqual([]);
      if (outcome instanceof PipelineFailureError) {
        expect(['NOT_AUDIO', 'CORRUPT_AUDIO']).toContain(outcome.code);
      } else {
        // Decoded: then only its own audio, never a referenced file's.
        expect(outcome).toMatchObject({ audio: { durationSeconds: expect.any(Number) } });
        expect((outcome as { audio: { durationSeconds: number } }).audio.durationSeconds).toBeLessThanOrEqual(hostile.ownAudioSeconds + 0.3);
      }
    });
  });
}
