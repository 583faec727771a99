/** Places in a REST API's OpenAPI body, for the refusals that name them. */
import { ModuleError } from '../errors.js';

export type Json = null | string | number | boolean | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * A place in the body: the module file, `aws_api_gateway_rest_api.api.body` and the path inside the document
 * (`paths["/orders"].get["x-amazon-apigateway-integration"].type`), which is also the path inside the local the
 * body encodes.
 */
export class BodyPath {
  constructor(
    readonly file: string,
    readonly address: string,
    readonly path = '',
  ) {}

  child(key: string | number): BodyPath {
    const step =
      typeof key === 'number'
        ? `[${key}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
          ? `${this.path === '' ? '' : '.'}${key}`
          : `[${JSON.stringify(key)}]`;
    return new BodyPath(this.file, this.address, `${this.path}${step}`);
  }

  /** The location as a ModuleError names it. */
  get where(): { file: string; address: string } {
    return { file: this.file, address: this.path === '' ? this.address : `${this.address}, at ${this.path}` };
  }

  error(reason: string, fix?: string): ModuleError {
    return new ModuleError(reason, this.where, fix ? { fix } : {});
  }
}

/** An object of the document; null or absent is empty. */
export function object(value: Json | undefined, at: BodyPath): JsonObject {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw at.error(`expected an object, found ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`);
  return value;
}
