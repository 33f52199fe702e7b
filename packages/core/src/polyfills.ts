// Standard (TC39) decorators store metadata under Symbol.metadata, which Node 20 and 22 do not
// define yet. Compilers (TypeScript, esbuild) only emit metadata when the symbol exists, so define
// it before any user class is declared.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

declare global {
  interface SymbolConstructor {
    readonly metadata: unique symbol;
  }
}

export {};
