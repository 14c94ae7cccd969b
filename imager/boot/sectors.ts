// Reads and writes raw sectors of a block device (boot code, hidden data after the MBR, GPT headers).
import { open } from 'node:fs/promises';

export async function readBytes(device: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(device, 'r');
  try {
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buf.subarray(0, done);
  } finally {
    await fh.close();
  }
}

export async function writeBytes(device: string, offset: number, data: Buffer): Promise<void> {
  const fh = await open(device, 'r+');
  try {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await fh.write(data, done, data.length - done, offset + done);
      done += bytesWritten;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}
