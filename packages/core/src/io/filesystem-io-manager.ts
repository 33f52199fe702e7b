import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { isValidAssetKey } from '../asset-key.js';
import { CairnError } from '../errors.js';
import type { IOContext, IOManager } from './io-manager.js';

/** Turns values into file contents and back. */
export interface Serializer {
  /** File extension without the dot. Default `json`. */
  extension?: string;
  /** Encodes a value. */
  serialize(value: unknown): string | Uint8Array;
  /** Decodes file contents. */
  deserialize(data: Buffer): unknown;
}

/** Options of `filesystemIOManager()`. */
export interface FilesystemIOManagerOptions {
  /** The directory that holds every value; nothing is ever written outside it. Required. */
  baseDir: string;
  /** How values are encoded. Default: JSON (Dates become strings, `undefined` becomes `null`). */
  serializer?: Serializer;
}

/** An IO manager that keeps one file per asset partition under a base directory. */
export interface FilesystemIOManager extends IOManager {
  store(ctx: IOContext, value: unknown): Promise<void>;
  load(ctx: IOContext): Promise<unknown>;
  has(ctx: IOContext): Promise<boolean>;
  delete(ctx: IOContext): Promise<void>;
  /** The absolute file path a value of this asset partition is stored at. */
  pathFor(ctx: Pick<IOContext, 'assetKey' | 'partitionKey'>): string;
  /** The resolved base directory. */
  readonly baseDir: string;
}

/** The default serializer: JSON text. */
export const jsonSerializer: Serializer = Object.freeze({
  extension: 'json',
  serialize: (value: unknown) => JSON.stringify(value) ?? 'null',
  deserialize: (data: Buffer) => JSON.parse(data.toString('utf8')) as unknown,
});

// The file name of an unpartitioned asset's value. Partition files are `<encoded key>.<ext>`,
// and a partitioned asset is never also unpartitioned, so the two never meet in one directory.
const UNPARTITIONED = '__value';
// Most file systems cap a name at 255 bytes; keep room for the extension and temp suffix.
const MAX_NAME = 200;
const EXT = /^[A-Za-z0-9]{1,16}$/;

function unsafe(message: string, details: Record<string, unknown>): CairnError {
  return new CairnError('CAIRN_UNSAFE_PATH', message, details);
}

/**
 * Creates an IO manager that stores each asset partition as a file:
 * `baseDir/<key segments...>/<partition>.json` (`__value.json` when unpartitioned). Partition keys
 * are percent-encoded and checked so that no key can reach outside `baseDir`; writes go to a
 * temporary file first and are renamed into place, so readers never see half a value.
 *
 * @example
 * const io = filesystemIOManager({ baseDir: '.cairn/storage' });
 * definitions({ assets, ioManagers: { default: io } });
 */
export function filesystemIOManager(options: FilesystemIOManagerOptions): FilesystemIOManager {
  if (typeof options?.baseDir !== 'string' || options.baseDir === '') {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      'filesystemIOManager() needs "baseDir": the directory to keep values in, e.g. ".cairn/storage".',
      { baseDir: options?.baseDir },
    );
  }
  const serializer = options.serializer ?? jsonSerializer;
  const ext = serializer.extension ?? 'json';
  if (!EXT.test(ext)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `filesystemIOManager() serializer extension "${ext}" is invalid: use 1-16 letters or digits, without the dot.`,
      { extension: ext },
    );
  }
  const baseDir = resolve(options.baseDir);
  const prefix = baseDir.endsWith(sep) ? baseDir : baseDir + sep;

  const pathFor = (ctx: Pick<IOContext, 'assetKey' | 'partitionKey'>): string => {
    const { assetKey, partitionKey } = ctx;
    // Asset keys are validated by asset(), but an IO manager is also called by user code and
    // the daemon with keys read back from storage: check again rather than trust.
    if (typeof assetKey !== 'string' || assetKey === '' || !isValidAssetKey(assetKey)) {
      throw unsafe(
        `Asset key "${String(assetKey)}" cannot be stored by the filesystem IO manager: segments may only contain [A-Za-z0-9_]. Use a valid asset key.`,
        { assetKey, partitionKey },
      );
    }
    let name = UNPARTITIONED;
    if (partitionKey !== undefined) {
      const encoded = typeof partitionKey === 'string' ? encodeURIComponent(partitionKey) : '';
      if (encoded === '' || encoded === '.' || encoded === '..' || encoded.length > MAX_NAME) {
        throw unsafe(
          `Partition key "${String(partitionKey)}" of asset "${assetKey}" cannot be used as a file name (empty, ".", ".." or longer than ${MAX_NAME} characters once encoded). Rename the partition or use another IO manager.`,
          { assetKey, partitionKey },
        );
      }
      name = encoded;
    }
    const file = join(baseDir, ...assetKey.split('/'), `${name}.${ext}`);
    // Belt and braces: whatever the encoding above missed, the result must stay under baseDir.
    if (!isAbsolute(file) || !file.startsWith(prefix)) {
      throw unsafe(
        `Asset "${assetKey}" partition "${String(partitionKey)}" resolves to "${file}", outside the IO manager's base directory "${baseDir}".`,
        { assetKey, partitionKey, baseDir },
      );
    }
    return file;
  };

  return {
    baseDir,
    pathFor,
    async store(ctx, value) {
      const file = pathFor(ctx);
      const data = serializer.serialize(value);
      await mkdir(dirname(file), { recursive: true });
      // Same directory as the target so rename() is atomic (one file system).
      const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, data);
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    },
    async load(ctx) {
      const file = pathFor(ctx);
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          const part = ctx.partitionKey === undefined ? '' : ` partition "${ctx.partitionKey}"`;
          throw new CairnError(
            'CAIRN_INPUT_NOT_FOUND',
            `No value stored for asset "${ctx.assetKey}"${part} by the filesystem IO manager (expected ${file}): materialize it first.`,
            {
              assetKey: ctx.assetKey,
              partitionKey: ctx.partitionKey,
              ioManager: 'filesystem',
              path: file,
            },
          );
        }
        throw err;
      }
      return serializer.deserialize(data);
    },
    async has(ctx) {
      try {
        return (await stat(pathFor(ctx))).isFile();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },
    async delete(ctx) {
      await rm(pathFor(ctx), { force: true });
    },
  };
}
