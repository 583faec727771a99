/**
 * Text that came from a file or a server, as it may reach a terminal: C0, DEL and C1 controls shown as `\xNN`, so
 * that a value cannot clear the screen, retitle the window or forge lines (ECMA-48 section 5.3: U+009B alone is a
 * CSI). For values only: callers add their own line breaks and colours afterwards.
 */
export function terminalText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
