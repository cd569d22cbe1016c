/**
 * NumPy .npy (format 1.0) writer for float32 matrices: a dozen lines, so no dependency.
 */

/** Encodes a C-order float32 array of `shape` as a .npy file (numpy.load reads it back). */
export function encodeNpyFloat32(data: Float32Array, shape: number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new RangeError(`encodeNpyFloat32: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // magic (6) + version (2) + header length (2) + header + '\n', padded with spaces to 64 bytes.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const buf = Buffer.alloc(total + data.length * 4);
  buf.write('\x93NUMPY', 0, 'latin1');
  buf[6] = 1;
  buf[7] = 0;
  buf.writeUInt16LE(header.length, 8);
  buf.write(header, 10, 'latin1');
  const body = new Float32Array(buf.buffer, buf.byteOffset + total, data.length); // total is a multiple of 4
  body.set(data); // little-endian hosts only (x86, arm64), as everything else in Affexion
  return buf;
}
