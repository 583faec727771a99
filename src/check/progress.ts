/**
 * The progress line shown on a terminal while probes run: one line, rewritten in place, erased at the end so
 * the report starts on a clean line. Only for a TTY; piped output and `--json` never see it.
 */
export interface ProgressEvent {
  readonly done: number;
  readonly total: number;
  /** The probe that just started or finished, e.g. `preflight` or `scan:null-origin`. */
  readonly probe: string;
}

export interface ProgressStream {
  write(text: string): unknown;
}

export interface ProgressLine {
  update(event: ProgressEvent): void;
  /** Erases the line. */
  done(): void;
}

const CLEAR_LINE = '\r\u001b[2K';

export function progressLine(stream: ProgressStream, columns = 80): ProgressLine {
  let shown = false;
  return {
    update({ done, total, probe }) {
      const text = `checking ${done}/${total} probes · ${probe}`;
      stream.write(`${CLEAR_LINE}${text.length > columns - 1 ? `${text.slice(0, columns - 2)}…` : text}`);
      shown = true;
    },
    done() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}
