/**
 * A small ONNX graph builder over `onnx-proto` (the ONNX project's onnx.proto compiled by protobufjs).
 *
 * Why a protobuf library and not hand-written bytes or Python: ONNX is a protobuf file, and a
 * generated, well-kept schema gets every field number and wire type right (one wrong tag gives a file
 * that only fails inside onnxruntime); Python (torch.onnx) is not a dependency of this project.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type Onnx = typeof onnx;

/** ONNX IR version and opset the exporter writes (opset 17: ReduceSum axes as input, Softmax per axis). */
export const IR_VERSION = 8;
export const OPSET = 17;

const DT = onnx.TensorProto.DataType;
export const FLOAT = DT.FLOAT,
  INT64 = DT.INT64,
  INT32 = DT.INT32,
  BOOL = DT.BOOL;

/** An attribute: an integer, integers, a string, or a float / floats / tensor wrapped to say so. */
export type Attr = number | number[] | string | { f: number } | { floats: number[] } | { tensor: onnxProto.onnx.ITensorProto };

/** Builds one graph: nodes in order, named initializers, inputs and outputs. */
export class GraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private used = new Set<string>();
  private n = 0;

  /** A fresh value name with `hint` in it (names are unique in the graph). */
  name(hint: string): string {
    let s = hint;
    while (this.used.has(s)) s = `${hint}_${++this.n}`;
    this.used.add(s);
    return s;
  }

  /** A float32 initializer. */
  float(hint: string, data: ArrayLike<number>, dims: number[]): string {
    const name = this.name(hint);
    const f = Float32Array.from(data as ArrayLike<number>);
    if (f.length !== dims.reduce((a, b) => a * b, 1))
      throw new Error(`onnx export: initializer ${name} has ${f.length} values for dims [${dims}]`);
    this.initializers.push({ name, dataType: FLOAT, dims, rawData: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) });
    return name;
  }

  /** An int64 initializer (shapes, axes, indices). */
  int64(hint: string, data: number[], dims: number[] = [data.length]): string {
    const name = this.name(hint);
    const b = BigInt64Array.from(data, (v) => BigInt(v));
    this.initializers.push({ name, dataType: INT64, dims, rawData: new Uint8Array(b.buffer) });
    return name;
  }

  /** Appends a node `op(inputs) → outputs` (outputs: one fresh name per hint). Returns the output names. */
  op(op: string, inputs: string[], outHints: string[] | string, attrs: Record<string, Attr> = {}): string[] {
    const outputs = (Array.isArray(outHints) ? outHints : [outHints]).map((h) => (h === '' ? '' : this.name(h)));
    const attribute: onnxProto.onnx.IAttributeProto[] = Object.entries(attrs).map(([name, v]) => {
      const A = onnx.AttributeProto.AttributeType;
      if (typeof v === 'number') {
        if (!Number.isInteger(v)) throw new Error(`onnx export: attribute ${name} = ${v} is not an integer (wrap floats as { f })`);
        return { name, type: A.INT, i: v };
      }
      if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
      if ('f' in v) return { name, type: A.FLOAT, f: v.f };
      if ('floats' in v) return { name, type: A.FLOATS, floats: v.floats };
      return { name, type: A.TENSOR, t: v.tensor };
    });
    this.nodes.push({ opType: op, input: inputs, output: outputs, name: this.name(`${op}_node`), attribute });
    return outputs;
  }

  /** One-output shorthand of {@link op}. */
  op1(op: string, inputs: string[], outHint: string, attrs: Record<string, Attr> = {}): string {
    return this.op(op, inputs, [outHint], attrs)[0]!;
  }
}

/** A graph input/output with a tensor type; `dims` entries are sizes or symbolic names. */
export function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** Serialises a model: the graph, opset, producer and string metadata. */
export function encodeModel(
  g: GraphBuilder,
  io: { inputs: onnxProto.onnx.IValueInfoProto[]; outputs: onnxProto.onnx.IValueInfoProto[] },
  meta: Record<string, string>,
  graphName: string,
  producerVersion: string,
): Uint8Array {
  const model: onnxProto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'affexion',
    producerVersion,
    graph: { name: graphName, node: g.nodes, initializer: g.initializers, input: io.inputs, output: io.outputs },
    metadataProps: Object.entries(meta).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Parses an ONNX file (throws protobufjs's error on a file that is not one). */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
