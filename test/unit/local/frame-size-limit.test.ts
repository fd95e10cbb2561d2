import { describe, expect, it } from 'vitest';
import { FrameSizeLimit } from '../../../local/progress/frame-size-limit';
import { clientFrame } from '../../helpers/raw-connection';

const LIMIT = 32 * 1024;

/** Feeds `bytes` in pieces of `size` and returns whether the limit tripped. */
function feed(bytes: Buffer, size: number, limit = new FrameSizeLimit(LIMIT)): boolean {
  let exceeded = false;
  for (let offset = 0; offset < bytes.length; offset += size) exceeded = limit.accept(bytes.subarray(offset, offset + size));
  return exceeded;
}

describe('FrameSizeLimit', () => {
  it.each([
    ['7-bit length', 125],
    ['16-bit length', 126],
    ['16-bit length at the limit', LIMIT],
  ])('lets frames up to the limit through (%s), however the bytes are split', (_, length) => {
    const frames = Buffer.concat([clientFrame(Buffer.alloc(length)), clientFrame(Buffer.alloc(3), { opcode: 0x9 })]);
    for (const size of [1, 2, 7, 1_000, frames.length]) expect(feed(frames, size)).toBe(false);
  });

  it.each([
    ['16-bit length', LIMIT + 1],
    ['64-bit length', 70_000],
  ])('trips on a frame over the limit (%s) as soon as its header arrives', (_, length) => {
    const frame = clientFrame(Buffer.alloc(length));
    for (const size of [1, 3, 4_096]) expect(feed(frame.subarray(0, 14), size)).toBe(true);
  });

  it('counts frames, not messages: a long message in small fragments passes', () => {
    const fragments = Array.from({ length: 6 }, (_, i) =>
      clientFrame(Buffer.alloc(LIMIT), { opcode: i === 0 ? 0x1 : 0x0, fin: i === 5 }),
    );
    expect(feed(Buffer.concat(fragments), 5_000)).toBe(false);
  });

  it('trips on an oversized frame after well-sized ones, and unmasked frames are measured the same way', () => {
    const stream = Buffer.concat([clientFrame(Buffer.alloc(10)), clientFrame(Buffer.alloc(LIMIT + 10), { masked: false })]);
    expect(feed(stream, 64)).toBe(true);
  });

  it('reads a 64-bit length beyond 2^32 as over the limit', () => {
    const header = Buffer.from([0x81, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4]);
    expect(feed(header, 1)).toBe(true);
  });
});
