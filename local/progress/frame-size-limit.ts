/**
 * Follows the frame headers of a client's WebSocket byte stream (RFC 6455 §5.2) to find a frame whose payload
 * is over `maxFrameBytes`. API Gateway closes such a connection with 1009 however small the whole message is
 * (its frame limit is 32 KB, below the 128 KB message limit); `ws` only limits whole messages
 * (`maxPayload`), so this watches the same bytes `ws` parses. Header fields other than the length (opcode,
 * mask bit) are `ws`'s to check.
 */
export class FrameSizeLimit {
  /** Header bytes of the frame being read, until its length and mask are known. */
  private header: number[] = [];
  /** Payload bytes of the current frame still to skip. */
  private payloadLeft = 0;
  private exceeded = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds the next bytes from the client; true once any frame so far has been over the limit. */
  accept(chunk: Buffer): boolean {
    let offset = 0;
    while (!this.exceeded && offset < chunk.length) {
      if (this.payloadLeft > 0) {
        const skipped = Math.min(this.payloadLeft, chunk.length - offset);
        this.payloadLeft -= skipped;
        offset += skipped;
        continue;
      }
      this.header.push(chunk[offset++]!);
      const payloadLength = this.completeHeaderPayloadLength();
      if (payloadLength === undefined) continue;
      this.header = [];
      if (payloadLength > this.maxFrameBytes) this.exceeded = true;
      else this.payloadLeft = payloadLength;
    }
    return this.exceeded;
  }

  /** The payload length once the whole header (length and masking key included) has arrived. */
  private completeHeaderPayloadLength(): number | undefined {
    const header = this.header;
    if (header.length < 2) return undefined;
    const length7 = header[1]! & 0x7f;
    const lengthBytes = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
    const maskBytes = header[1]! & 0x80 ? 4 : 0;
    if (header.length < 2 + lengthBytes + maskBytes) return undefined;
    let length = lengthBytes === 0 ? length7 : 0;
    // 64-bit lengths: anything over 2^53 is over the limit anyway, so floating point is exact enough.
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + header[2 + i]!;
    return length;
  }
}
