/** What each emulated API serves, as the demo page and the CLI list it. */

export interface RouteInfo {
  /** With variables, `/orders/{orderId}`. */
  readonly path: string;
  /** The methods a browser can call (OPTIONS excluded). */
  readonly methods: readonly string[];
  /** Whether OPTIONS is defined on it (REST); the service answers preflights for HTTP APIs and Function URLs. */
  readonly options: boolean;
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'ANY'];

/** GET, HEAD, POST, PUT, PATCH, DELETE, then anything else alphabetically: the order the demo page calls them in. */
export function byMethodOrder(a: string, b: string): number {
  const i = METHOD_ORDER.indexOf(a);
  const j = METHOD_ORDER.indexOf(b);
  return (i < 0 ? 99 : i) - (j < 0 ? 99 : j) || a.localeCompare(b);
}
