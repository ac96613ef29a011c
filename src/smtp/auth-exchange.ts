import { describeAuth, isBase64 } from "./auth.js";
import type { Command, Line } from "./model.js";
import { COMMAND_RE } from "./vocabulary.js";

/** Creates a command, response or message slot in the session (SmtpSession.newCommand). */
export type NewCommand = (kind: Command["kind"], verb: string, line: string, start: number, time: number) => Command;

/**
 * The AUTH exchange (RFC 4954 §4) as the dissector follows it: which client lines are SASL
 * responses, redacted unless --show-secrets, and when the exchange ends (a reply other than 334).
 */
export class AuthExchange {
  /** the open exchange: its AUTH command's index, whether a 334 asks for a response, the mechanism */
  private open: { cmd: number; expectResponse: boolean; mech: string } | null = null;

  /** `opts` is the file's dissect options: user-name tags are numbered per options object (auth.ts) */
  constructor(private readonly opts: { readonly showSecrets: boolean }, private readonly newCommand: NewCommand) {}

  reset(): void {
    this.open = null;
  }

  /**
   * A complete client line inside an open exchange: "response" (a SASL response), "verb" (a known
   * SMTP command line where a response is due: it takes the response's slot), or null (a command).
   */
  classify(text: string): "response" | "verb" | null {
    const auth = this.open;
    if (auth === null) return null;
    // A known SMTP command line where the server expects a SASL response (a client that lost track
    // of the dialogue, e.g. `QUIT` after 334): shown as the command it is, taking the response's slot.
    if (auth.expectResponse && isCommandLine(text)) return "verb";
    // Inside an AUTH exchange every line that is not plainly a command is a SASL response:
    // when a 334 went missing, guessing "command" would print a password.
    return auth.expectResponse || !COMMAND_RE.test(text) ? "response" : null;
  }

  /** A command line that took a SASL response's slot (classify gave "verb"). */
  tookResponseSlot(cmd: Command): void {
    cmd.takenAsAuthResponse = true;
    this.open!.expectResponse = false;
  }

  /** A line inside an AUTH exchange taken as a SASL response (redacted unless --show-secrets). */
  response(text: string, line: Line, time: number): Command {
    const auth = this.open!;
    auth.expectResponse = false;
    const shown = text === "*" ? "*" : this.opts.showSecrets ? text : `[redacted ${text.length} bytes]`;
    const cmd = this.newCommand("auth-response", "", shown, line.start, time);
    cmd.secret = text !== "*";
    if (text !== "*") cmd.saslBase64 = isBase64(text);
    if (auth.mech === "LOGIN" && auth.cmd === cmd.index - 1) {
      const user = describeAuth("LOGIN", text, this.opts).user;
      if (user !== undefined) cmd.authUser = user;
    }
    return cmd;
  }

  /** An AUTH command: its initial response redacted unless --show-secrets; the exchange begins unless the line took a SASL response's slot. */
  command(text: string, sp: number, args: string, line: Line, time: number, verbLine: boolean): Command {
    const parts = args.split(" ");
    const mech = (parts[0] ?? "").toUpperCase();
    const ir = parts.length > 1 ? parts.slice(1).join(" ") : null;
    let shown = text;
    if (ir !== null && ir !== "" && ir !== "=" && !this.opts.showSecrets) shown = `${text.slice(0, sp)} ${parts[0]} [redacted ${ir.length} bytes]`;
    const cmd = this.newCommand("command", "AUTH", shown, line.start, time);
    if (ir !== null && ir !== "=") {
      cmd.secret = true;
      cmd.saslBase64 = isBase64(ir);
      const user = describeAuth(mech, ir, this.opts).user;
      if (user !== undefined) cmd.authUser = user;
    }
    if (!verbLine) this.open = { cmd: cmd.index, expectResponse: ir === null, mech };
    return cmd;
  }

  /** The reply `code` paired with `cmd`: a 334 asks for the next response, anything else ends the exchange. */
  replied(cmd: Command, code: number | null): void {
    // a QUIT sent where a SASL response was due and answered 221: the server took it as QUIT after all
    if (cmd.takenAsAuthResponse && cmd.verb === "QUIT" && code === 221) cmd.takenAsAuthResponse = false;
    const auth = this.open;
    if (auth && (cmd.index === auth.cmd || cmd.kind === "auth-response" || cmd.takenAsAuthResponse)) {
      if (code === 334) auth.expectResponse = true;
      else this.open = null;
    }
  }
}

/**
 * A line that is plainly an SMTP command and cannot be a SASL response: a known verb, and not a
 * BASE64 string that decodes to readable text (a user name or password).
 */
function isCommandLine(text: string): boolean {
  if (!COMMAND_RE.test(text)) return false;
  if (!isBase64(text)) return true;
  const decoded = Buffer.from(text, "base64").toString("utf8");
  return !/^[\x20-\x7e]+$/.test(decoded);
}
