import type { TlsPhaseFactory } from "../stream/tls-slot.js";
import type { Session } from "./model.js";

export interface DissectOptions {
  /** show AUTH payloads instead of "[redacted N bytes]" */
  showSecrets: boolean;
  /** keep the first octets of each message (MAX_DATA_KEPT) so reports can show them */
  showData: boolean;
  /** reply lines kept per reply; the rest are counted */
  maxLinesPerReply: number;
  /** commands and replies kept per session; the rest are counted in notes */
  maxItemsPerSession: number;
  /** segment pieces kept per command or reply */
  maxSegmentsPerItem: number;
  /** segment pieces kept per message (the rest are counted in message.segments) */
  maxSegmentsPerMessage: number;
  /** the TLS layer (see stream/tls-slot.ts): absent, TLS bytes are noticed and dropped */
  tls?: TlsPhaseFactory;
}

export const DEFAULT_DISSECT: DissectOptions = {
  showSecrets: false,
  showData: false,
  maxLinesPerReply: 1000,
  maxItemsPerSession: 100000,
  maxSegmentsPerItem: 256,
  maxSegmentsPerMessage: 16,
};

/** Whether a followed connection is SMTP (detect.ts answers it; the session asks as it goes). */
export interface Evidence {
  /** not SMTP: nothing that follows is dissected */
  readonly rejected: boolean;
  /** a complete client line; false: it proves the connection is not SMTP (the session forgets all) */
  clientLine(text: string): boolean;
  /** a tunnel opened to `port`; `failed`: the proxy refused it or it was no tunnel */
  tunnel(port: number, failed: boolean): void;
  /** a connection followed by its port opens with a tunnel request (SOCKS, HTTP CONNECT) */
  found(): void;
  /** at the end: SMTP, or why not */
  decide(s: Session): "smtp" | "no-payload" | "not-smtp";
}
