/**
 * Minimal typings for the WebAssembly global. The project compiles with `lib: ES2022` and no DOM lib,
 * where TypeScript declares no WebAssembly namespace; these few members are all the engines use.
 */
export interface WasmModule {
  readonly __wasmModule: unique symbol;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export type WasmImports = Record<string, Record<string, unknown>>;

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
}

/** The runtime's WebAssembly object. */
export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
