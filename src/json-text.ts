/**
 * JSON text safe to print on a terminal. JSON.stringify escapes only C0 controls (ECMA-262 QuoteJSONString); DEL
 * and C1 pass through, and U+009B alone is a CSI that lets a hostile value move the cursor or hide lines
 * (ECMA-48 section 5.3). U+2028/U+2029 are escaped too: JSON allows them raw, but JavaScript before ES2019 and
 * many line-oriented readers treat them as line breaks (https://github.com/tc39/proposal-json-superset).
 * Escaping changes no parsed value: `\uXXXX` means the same character in JSON.
 */
export function stringifyJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
