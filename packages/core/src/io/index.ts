export type {
  FilesystemIOManager,
  FilesystemIOManagerOptions,
  Serializer,
} from './filesystem-io-manager.js';
export { filesystemIOManager, jsonSerializer } from './filesystem-io-manager.js';
export type { IOContext, IOManager } from './io-manager.js';
export type { MemoryIOManager } from './memory-io-manager.js';
export { isImplicitDefaultIOManager, memoryIOManager } from './memory-io-manager.js';
