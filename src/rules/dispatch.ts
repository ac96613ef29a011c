/**
 * The walk (ESLint's traverser): each session's conversation is walked once, part by part —
 * exchanges, replies, transactions, early commands, the end — and each part is handed to the
 * rules that subscribed to it (Rule.visit). Filtered subscriptions are found by verb, kind or reply
 * code in O(1): a rule about AUTH is never called on a session without AUTH. A rule of the older
 * shape (only `check`) is called at the end.
 */
import type { EarlyCommand, Exchange, Transaction, Conversation } from "../smtp/conversation.js";
import type { Reply } from "../smtp/model.js";
import type { Rule, RuleContext, Visit } from "./types.js";

interface Entry<T> {
  /** the rule's index in the list the Dispatch was built from */
  ri: number;
  fn: Visit<T>;
}

function push<K, T>(m: Map<K, Entry<T>[]>, k: K, e: Entry<T>): void {
  const l = m.get(k);
  if (l === undefined) m.set(k, [e]);
  else l.push(e);
}

export class Dispatch {
  /** per rule: called no more in this session (not evaluable, its needs unmet, or it said "stop");
   * the caller sets it before a walk and clears it after */
  readonly off: Uint8Array;
  private readonly exAll: Entry<Exchange>[] = [];
  private readonly byVerb = new Map<string, Entry<Exchange>[]>();
  private readonly byKind = new Map<string, Entry<Exchange>[]>();
  private readonly replyAll: Entry<Reply>[] = [];
  private readonly byCode = new Map<number, Entry<Reply>[]>();
  private readonly transaction: Entry<Transaction>[] = [];
  private readonly early: Entry<EarlyCommand>[] = [];
  private readonly end: { ri: number; fn: (ctx: RuleContext) => void }[] = [];
  private readonly anyExchange: boolean;
  private readonly anyReply: boolean;

  constructor(rules: readonly Rule[]) {
    this.off = new Uint8Array(rules.length);
    for (let ri = 0; ri < rules.length; ri++) {
      const r = rules[ri];
      const v = r.visit;
      if (v === undefined) {
        this.end.push({ ri, fn: (ctx) => r.check(ctx) });
        continue;
      }
      const x = v.exchange;
      if (typeof x === "function") this.exAll.push({ ri, fn: x });
      else if (x !== undefined) {
        if (x.verbs !== undefined) for (const verb of x.verbs) push(this.byVerb, verb, { ri, fn: x.visit });
        if (x.kinds !== undefined) for (const kind of x.kinds) push(this.byKind, kind, { ri, fn: x.visit });
        if (x.verbs === undefined && x.kinds === undefined) this.exAll.push({ ri, fn: x.visit });
      }
      const y = v.reply;
      if (typeof y === "function") this.replyAll.push({ ri, fn: y });
      else if (y !== undefined) for (const code of y.codes) push(this.byCode, code, { ri, fn: y.visit });
      if (v.transaction !== undefined) this.transaction.push({ ri, fn: v.transaction });
      if (v.early !== undefined) this.early.push({ ri, fn: v.early });
      if (v.sessionEnd !== undefined) {
        const fn = v.sessionEnd;
        this.end.push({ ri, fn: (ctx) => fn(ctx) });
      }
    }
    this.anyExchange = this.exAll.length > 0 || this.byVerb.size > 0 || this.byKind.size > 0;
    this.anyReply = this.replyAll.length > 0 || this.byCode.size > 0;
  }

  /** Walks one session; `enter(ri)` points the context at rule `ri` before each call of it. */
  walk(conv: Conversation, replies: readonly Reply[], ctx: RuleContext, enter: (ri: number) => void): void {
    const off = this.off;
    if (this.anyExchange) {
      const exs = conv.exchanges;
      const all = this.exAll, byVerb = this.byVerb, byKind = this.byKind;
      for (let i = 0; i < exs.length; i++) {
        const ex = exs[i];
        if (all.length > 0) this.call(all, ex, ctx, enter);
        if (byVerb.size > 0) {
          const l = byVerb.get(ex.command.verb);
          if (l !== undefined) this.call(l, ex, ctx, enter);
        }
        if (byKind.size > 0) {
          const l = byKind.get(ex.command.kind);
          if (l !== undefined) this.call(l, ex, ctx, enter);
        }
      }
    }
    if (this.anyReply) {
      const all = this.replyAll, byCode = this.byCode;
      for (let i = 0; i < replies.length; i++) {
        const r = replies[i];
        if (all.length > 0) this.call(all, r, ctx, enter);
        if (byCode.size > 0 && r.code !== null) {
          const l = byCode.get(r.code);
          if (l !== undefined) this.call(l, r, ctx, enter);
        }
      }
    }
    if (this.transaction.length > 0) for (let i = 0; i < conv.transactions.length; i++) this.call(this.transaction, conv.transactions[i], ctx, enter);
    if (this.early.length > 0) for (let i = 0; i < conv.early.length; i++) this.call(this.early, conv.early[i], ctx, enter);
    const end = this.end;
    for (let i = 0; i < end.length; i++) {
      const e = end[i];
      if (off[e.ri] !== 0) continue;
      enter(e.ri);
      e.fn(ctx);
    }
  }

  private call<T>(l: Entry<T>[], part: T, ctx: RuleContext, enter: (ri: number) => void): void {
    const off = this.off;
    for (let k = 0; k < l.length; k++) {
      const e = l[k];
      if (off[e.ri] !== 0) continue;
      enter(e.ri);
      if (e.fn(part, ctx) === "stop") off[e.ri] = 1;
    }
  }
}
