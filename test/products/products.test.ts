import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeFile, type FileReport } from "../../src/analyze.js";
import { CATALOG } from "../../src/products/catalog.js";
import { describeProduct } from "../../src/products/describe.js";
import { productsLine, productsOf, type ProductClaim, type SessionProducts } from "../../src/products/match.js";
import { toJson } from "../../src/report/json.js";
import { toText } from "../../src/report/text.js";
import type { JudgedSession } from "../../src/rules/engine.js";
import { escapeText } from "../../src/text/escape.js";
import { conv, ehloReply, SHARED, supportCase } from "../support/fixtures.js";
import { report } from "../support/rules.js";
import { captures } from "../support/golden.js";
import { describeShared, SHARED_PRESENT } from "../support/shared.js";
import { tcpOptions, type Conversation } from "../support/writer.js";

const POSTFIX_EHLO = ["250-mx.example.test", "250-PIPELINING", "250-SIZE 10240000", "250-VRFY", "250-ETRN", "250-STARTTLS", "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250-SMTPUTF8", "250 CHUNKING"];

/** greeting (frame 4), EHLO (5), its reply (6), MAIL (7) 250 (8), RCPT (9) 250 (10), DATA (11) 354 (12), message (13), its reply (14), QUIT (15), 221 (16). */
function dialogue(o: { greeting?: string; splitGreeting?: boolean; ehlo?: string[]; queued?: string; client?: (c: Conversation) => void; verbs?: "lower" } = {}): Conversation {
  const c = conv().handshake();
  const greeting = o.greeting ?? "220 mx.example.test ESMTP\r\n";
  if (o.splitGreeting) c.server(greeting.slice(0, 8)).server(greeting.slice(8));
  else c.server(greeting);
  const lower = o.verbs === "lower";
  c.client(lower ? "ehlo client.example.test\r\n" : "EHLO client.example.test\r\n");
  c.server(ehloReply(o.ehlo ?? ["250-mx.example.test", "250-PIPELINING", "250 8BITMIME"]));
  c.client(lower ? "mail FROM:<a@example.test>\r\n" : "MAIL FROM:<a@example.test>\r\n");
  c.server("250 2.1.0 Ok\r\n");
  c.client(lower ? "rcpt TO:<b@example.test>\r\n" : "RCPT TO:<b@example.test>\r\n");
  c.server("250 2.1.5 Ok\r\n");
  c.client(lower ? "data\r\n" : "DATA\r\n");
  c.server("354 End data with <CR><LF>.<CR><LF>\r\n");
  c.client("Subject: hi\r\n\r\nhello\r\n.\r\n");
  c.server((o.queued ?? "250 2.0.0 Ok: queued") + "\r\n");
  c.client(lower ? "quit\r\n" : "QUIT\r\n");
  c.server("221 2.0.0 Bye\r\n");
  c.fin("server").fin("client");
  return c;
}

async function named(c: Conversation): Promise<{ p: SessionProducts; rep: FileReport }> {
  const rep = await report(c);
  const s = rep.sessions[0];
  return { p: productsOf(s, rep.findings.filter((f) => f.session === s.index)), rep };
}

describe("servers", () => {
  it("Postfix: banner, keyword order and queue reply agree: certain, with each piece of evidence and its frame", async () => {
    const { p } = await named(dialogue({ greeting: "220 mx.example.test ESMTP Postfix\r\n", ehlo: POSTFIX_EHLO, queued: "250 2.0.0 Ok: queued as 4Q2xYz1AbC" }));
    expect(p.server).toEqual({
      id: "postfix", name: "Postfix", role: "server", confidence: "certain",
      evidence: [
        { kind: "banner", frames: [4], text: "220 mx.example.test ESMTP Postfix", what: expect.stringContaining("banner `ESMTP Postfix`") },
        { kind: "ehlo-order", frames: [6], text: "PIPELINING, SIZE 10240000, VRFY, ETRN, STARTTLS, ENHANCEDSTATUSCODES, 8BITMIME, DSN, SMTPUTF8, CHUNKING", what: expect.stringContaining("Postfix's order") },
        { kind: "reply", frames: [14], text: "250 2.0.0 Ok: queued as 4Q2xYz1AbC", what: expect.any(String) },
      ],
    });
    expect(p.client).toBeNull();
    expect(p.middlebox).toBeNull();
  });

  it("a session with the text of an earlier one (matched once, kept by its text) is named at its own frames", async () => {
    const o = { greeting: "220 mx.example.test ESMTP Postfix\r\n", ehlo: POSTFIX_EHLO, queued: "250 2.0.0 Ok: queued as 4Q2xYz1AbC" };
    const first = await named(dialogue(o));
    // the same dialogue with the greeting in two segments: every later frame one further on
    const second = await named(dialogue({ ...o, splitGreeting: true }));
    expect(first.p.server?.evidence.map((e) => e.frames)).toEqual([[4], [6], [14]]);
    expect(second.p.server?.evidence.map((e) => e.frames)).toEqual([[5], [7], [15]]);
    expect(second.p.server?.evidence.map((e) => e.text)).toEqual(first.p.server?.evidence.map((e) => e.text));
  });

  it("a banner alone is only likely (it can be rewritten)", async () => {
    const { p } = await named(dialogue({ greeting: "220 mx.example.test ESMTP Postfix\r\n" }));
    expect(p.server?.confidence).toBe("likely");
    expect(p.server?.evidence.map((e) => e.kind)).toEqual(["banner"]);
  });

  it("one reply text alone names nothing (test servers copy Postfix's texts)", async () => {
    const { p } = await named(dialogue({ queued: "250 2.0.0 Ok: queued as ABC123" }));
    expect(p.server).toBeNull();
  });

  it("keywords out of Postfix's order, or with a keyword Postfix never sends, are not Postfix's", async () => {
    const swapped = [...POSTFIX_EHLO];
    [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
    expect((await named(dialogue({ ehlo: swapped }))).p.server).toBeNull();
    expect((await named(dialogue({ ehlo: [...POSTFIX_EHLO.slice(0, -1), "250-HELP", "250 CHUNKING"] }))).p.server).toBeNull();
  });

  it("a rewritten banner against Postfix's keywords: the keywords win, the banner is listed as `also`, and it is only likely", async () => {
    const { p } = await named(dialogue({ greeting: "220 mx.example.test ESMTP Exim 4.96 Mon, 1 Jan 2024\r\n", ehlo: POSTFIX_EHLO }));
    expect(p.server?.id).toBe("postfix");
    expect(p.server?.confidence).toBe("likely");
    expect(p.server?.also?.map((a) => a.id)).toEqual(["exim"]);
  });

  it("two products with equal evidence: neither is named", async () => {
    const { p } = await named(dialogue({ greeting: "220-mx.example.test ESMTP Exim 4.96\r\n220 mx.example.test ESMTP Postfix\r\n" }));
    expect(p.server).toBeNull();
  });

  it("Exchange's keywords with the Windows SMTP service banner: Exchange, the banner merged as its evidence", async () => {
    const { p } = await named(dialogue({
      greeting: "220 mx.example.test Microsoft ESMTP MAIL Service, Version: 6.0.3790.1830 ready at Mon, 1 Jan 2024\r\n",
      ehlo: ["250-mx.example.test Hello [192.0.2.10]", "250-SIZE", "250-X-EXPS GSSAPI NTLM LOGIN", "250-XEXCH50", "250 OK"],
    }));
    expect(p.server?.id).toBe("exchange");
    expect(p.server?.also).toBeUndefined();
    expect(p.server?.evidence.map((e) => [e.kind, e.frames[0]])).toEqual([["ehlo-keyword", 6], ["banner", 4]]);
  });

  it("capture text in evidence is escaped", async () => {
    const { p } = await named(dialogue({ greeting: "220 mx.example.test ESMTP Postfix \x1b[2J\r\n" }));
    expect(p.server?.evidence[0].text).toBe("220 mx.example.test ESMTP Postfix \\x1b[2J");
  });
});

describe("middleboxes", () => {
  const masked = { greeting: "220 ************ ***** ****\r\n", ehlo: POSTFIX_EHLO.map((l) => l.replace("STARTTLS", "XXXXXXXA")), queued: "250 2.0.0 Ok: queued as 4Q2xYz1AbC" };

  it("banner masked with * and STARTTLS as XXXXXXXA: the ASA kind, certain; Postfix still recognised behind it; the verdict names the knob", async () => {
    const { p, rep } = await named(dialogue(masked));
    expect(p.middlebox).toMatchObject({ id: "cisco-asa-esmtp", confidence: "certain" });
    expect(p.middlebox?.evidence.map((e) => [e.text, e.frames])).toEqual([["220 ************ ***** ****", [4]], ["250-XXXXXXXA", [6]]]);
    expect(p.server).toMatchObject({ id: "postfix", confidence: "certain" });
    expect(rep.sessions[0].verdict.summary).toContain("The capture shows ESMTP inspection of the Cisco ASA/PIX kind (certain, frame 4); to turn ESMTP inspection off: `policy-map global_policy / class inspection_default / no inspect esmtp`.");
  });

  it("one effect alone is only likely", async () => {
    const { p } = await named(dialogue({ ...masked, greeting: "220 mx.example.test ESMTP\r\n" }));
    expect(p.middlebox).toMatchObject({ id: "cisco-asa-esmtp", confidence: "likely" });
    expect(p.middlebox?.evidence.map((e) => e.text)).toEqual(["250-XXXXXXXA"]);
  });

  it("a split reply with a delay names no middlebox (a generic effect)", async () => {
    const { p } = await named(supportCase());
    expect(p.middlebox).toBeNull();
    expect(p.server).toBeNull();
  });

  it("the TCP-terminating proxy is named from the intercepting-proxy-detected finding, without a vendor", async () => {
    const c = conv();
    c.ttl.server = 57;
    c.handshake(undefined, { synAck: { ttl: 64, options: tcpOptions([{ mss: 1380 }]) } });
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO client.example.test\r\n");
    c.server(ehloReply(["250-mx.example.test", "250 8BITMIME"]));
    c.client("QUIT\r\n");
    c.server("221 Bye\r\n");
    c.fin("server").fin("client");
    const { p } = await named(c);
    expect(p.middlebox).toEqual({
      id: "tcp-proxy", name: "a TCP-terminating proxy or SYN proxy (vendor not identifiable from this capture)", role: "middlebox", confidence: "likely",
      evidence: [{ kind: "effect", frames: [2, 4, 8], text: "finding intercepting-proxy-detected", what: expect.any(String) }],
    });
  });
});

describe("clients", () => {
  it("Python smtplib's lower-case verbs name it; upper-case commands name no client", async () => {
    const { p } = await named(dialogue({ verbs: "lower" }));
    expect(p.client).toMatchObject({ id: "python-smtplib", confidence: "likely" });
    expect(p.client?.evidence.map((e) => [e.text, e.frames[0]])).toEqual([["ehlo client.example.test", 5], ["mail FROM:<a@example.test>", 7], ["rcpt TO:<b@example.test>", 9]]);
    expect((await named(dialogue())).p.client).toBeNull();
  });

  it("an upper-case EHLO in the same session counts against smtplib (a hand-typed session: `EHLO`, then `mail from:`)", async () => {
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n"); // 4
    c.client("EHLO relay75.lab.test\r\n"); // 5
    c.server(ehloReply(["250-mx.example.test", "250 8BITMIME"])); // 6
    c.client("ehlo relay75.lab.test\r\n"); // 7
    c.server(ehloReply(["250-mx.example.test", "250 8BITMIME"])); // 8
    c.client("mail from:<bob@example.org>\r\n"); // 9
    c.server("250 2.1.0 Ok\r\n");
    c.client("rcpt to:<b@example.test>\r\n");
    c.server("250 2.1.5 Ok\r\n");
    c.client("quit\r\n");
    c.server("221 2.0.0 Bye\r\n");
    c.fin("server").fin("client");
    const { p, rep } = await named(c);
    expect(p.client).toBeNull();
    expect(productsLine(p)).toBe("");
    expect(toText(rep, { width: 200, color: false, verbose: false })).not.toContain("smtplib");
    expect(describeProduct("python-smtplib", false)).toContain("Never named when the session shows:\n  - [command] an upper-case EHLO, HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY or EXPN (smtplib writes these verbs in lower case)\n");
  });

  it("the support case's client: a behaviour class, not a product", async () => {
    const { p } = await named(supportCase());
    expect(p.client).toBeNull();
    expect(p.clientBehaviour).toEqual([{ behaviour: "reads one TCP segment as the whole reply (acted on the first lines of a multi-line reply)", rule: "client-acted-on-partial-multiline-reply", frames: [6, 7, 9] }]);
  });
});

describe("clients named by their message's X-Mailer", () => {
  const SWAKS = "X-Mailer: swaks v20240103.0 jetmore.org/john/code/swaks/";
  /** a dialogue whose message (frame 13, or 13 and 14 when `split`) has header `head` */
  function mail(head: string, split = false): Conversation {
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n"); // 4
    c.client("EHLO client.example.test\r\n"); // 5
    c.server(ehloReply(["250-mx.example.test", "250 8BITMIME"])); // 6
    c.client("MAIL FROM:<a@example.test>\r\n"); // 7
    c.server("250 2.1.0 Ok\r\n"); // 8
    c.client("RCPT TO:<b@example.test>\r\n"); // 9
    c.server("250 2.1.5 Ok\r\n"); // 10
    c.client("DATA\r\n"); // 11
    c.server("354 End data with <CR><LF>.<CR><LF>\r\n"); // 12
    const msg = `Date: Mon, 07 Dec 2026 00:00:00 +0000\r\nTo: b@example.test\r\nFrom: a@example.test\r\n${head}\r\n\r\nThis is a test mailing\r\n.\r\n`;
    if (split) {
      const cut = msg.indexOf("From:");
      c.client(msg.slice(0, cut)); // 13
      c.client(msg.slice(cut)); // 14
    } else c.client(msg); // 13
    c.server("250 2.0.0 Ok: queued\r\n");
    c.client("QUIT\r\n");
    c.server("221 2.0.0 Bye\r\n");
    c.fin("server").fin("client");
    return c;
  }

  it("swaks' default X-Mailer names swaks, likely (a header can be written by anything), at the frame that carried it", async () => {
    const { p } = await named(mail(SWAKS));
    expect(p.client).toMatchObject({ id: "swaks", confidence: "likely" });
    expect(p.client?.evidence.map((e) => [e.kind, e.frames, e.text])).toEqual([["header", [13], SWAKS]]);
    // the header's line in the second segment of the message
    expect((await named(mail(SWAKS, true))).p.client?.evidence[0].frames).toEqual([14]);
    const { p: g } = await named(mail("X-Mailer: git-send-email 2.30.1"));
    expect(g.client).toMatchObject({ id: "git-send-email", confidence: "likely" });
  });

  it("a relayed message (a Received field) names the software that wrote it, not this session's client: no claim", async () => {
    const { p, rep } = await named(mail(`Received: from client.example.test by mx.example.test; Mon, 07 Dec 2026 00:00:00 +0000\r\n${SWAKS}`));
    expect(p.client).toBeNull();
    expect(rep.sessions[0].commands.find((c) => c.kind === "message")?.message?.mailer).toEqual({ field: "X-Mailer", value: "swaks v20240103.0 jetmore.org/john/code/swaks/", frame: 13, received: true });
  });

  it("X-Mailer in the body, or a header naming no known client, names nothing; a header's address is never kept", async () => {
    const body = mail("Subject: x\r\n\r\n" + SWAKS);
    expect((await named(body)).p.client).toBeNull();
    const { p, rep } = await named(mail("User-Agent: Acme Mailer 2.1 <postmaster@example.test> (build 7)"));
    expect(p.client).toBeNull();
    expect(rep.sessions[0].commands.find((c) => c.kind === "message")?.message?.mailer).toEqual({ field: "User-Agent", value: "Acme Mailer 2.1", frame: 13, received: false });
    expect(JSON.stringify(toJson(rep))).not.toContain("postmaster@");
  });

  it("swaks' upper-case commands never name Python smtplib, and smtplib's lower-case ones never swaks", async () => {
    expect((await named(mail(SWAKS))).p.client?.id).toBe("swaks");
    const { p } = await named(dialogue({ verbs: "lower" }));
    expect(p.client?.id).toBe("python-smtplib");
    expect(p.client?.also).toBeUndefined();
  });
});

describe("reports", () => {
  it("text header line and JSON field", async () => {
    const rep = await report(dialogue({ greeting: "220 mx.example.test ESMTP Postfix\r\n", ehlo: POSTFIX_EHLO, queued: "250 2.0.0 Ok: queued as 4Q2xYz1AbC" }));
    const text = toText(rep, { width: 200, color: false, verbose: false });
    expect(text).toContain("  Products: server Postfix (certain: `220 mx.example.test ESMTP Postfix` frame 4, EHLO keyword order frame 6, `250 2.0.0 Ok: queued as 4Q2xYz1AbC` frame 14)\n");
    const json = JSON.parse(JSON.stringify(toJson(rep))) as { sessions: { products: SessionProducts }[] };
    expect(json.sessions[0].products.server?.id).toBe("postfix");
    expect(json.sessions[0].products.middlebox).toBeNull();
  });

  it("no line when nothing is named", async () => {
    expect(toText(await report(dialogue()), { width: 200, color: false, verbose: false })).not.toContain("Products:");
  });
});

describe("the catalogue", () => {
  it("every entry has a source; every setting an exact command or option; ids are unique", () => {
    expect(new Set(CATALOG.map((p) => p.id)).size).toBe(CATALOG.length);
    for (const p of CATALOG) {
      expect(p.sources.length, p.id).toBeGreaterThan(0);
      for (const s of p.settings) expect(s.how.length, `${p.id}: ${s.what}`).toBeGreaterThan(3);
    }
  });
});

// ---- every shared capture ----

interface Named { file: string; stream: number; s: JudgedSession; p: SessionProducts }

const FILES = SHARED_PRESENT ? captures(join(SHARED, "captures")) : [];
let all: Named[] | null = null;
async function everySession(): Promise<Named[]> {
  if (all) return all;
  const out: Named[] = [];
  for (const f of FILES) {
    const rep = await analyzeFile(f);
    for (const s of rep.sessions) out.push({ file: relative(join(SHARED, "captures"), f), stream: s.tcpStream, s, p: productsOf(s, rep.findings.filter((x) => x.session === s.index)) });
  }
  return (all = out);
}

/** The texts a session holds, by frame: every reply line and command line, escaped. */
function textsAt(s: JudgedSession, frame: number): string[] {
  const out: string[] = [];
  for (const r of s.replies) if (r.frames.includes(frame)) out.push(...r.lines.map(escapeText));
  for (const c of s.commands) if (c.frames.includes(frame)) out.push(escapeText(c.line));
  // a message's X-Mailer / User-Agent field, at the frame that carried its line
  for (const c of s.commands) {
    const m = c.message?.mailer;
    if (m && m.frame === frame && c.frames.includes(frame)) out.push(escapeText(`${m.field}: ${m.value}`));
  }
  return out;
}

function claims(p: SessionProducts): ProductClaim[] {
  return [p.server, p.client, p.middlebox].filter((x) => x !== null);
}

/** Banners that say which product a server is: it must be that one, or none. */
const BANNERS: [RegExp, string[]][] = [
  [/ESMTP Postfix/, ["postfix"]],
  [/Python SMTP/, ["aiosmtpd"]],
  [/ESMTP Exim/, ["exim"]],
  [/ESMTP Sendmail/, ["sendmail"]],
  [/Microsoft ESMTP MAIL Service/, ["exchange", "ms-smtpsvc"]],
  [/gsmtp/, ["gmail-mx"]],
  [/ESMTP scripted|SubEthaSMTP|CommuniGate|E-MailRelay|fssmtpd|YSmtpProxy|SMTP ready|dummy SMTP/, []],
];

describeShared("products named on every shared capture", () => {
  it("every product named has its evidence in the capture, at the frames it gives", async () => {
    let checked = 0;
    for (const n of await everySession()) {
      for (const c of claims(n.p)) {
        for (const e of c.evidence) {
          const where = `${n.file} stream ${n.stream} ${c.id}`;
          expect(e.frames.length, where).toBeGreaterThan(0);
          for (const f of e.frames) expect(f >= n.s.firstFrame && f <= n.s.lastFrame, where).toBe(true);
          if (e.text.startsWith("finding ")) continue;
          const texts = textsAt(n.s, e.frames[0]);
          if (e.kind === "ehlo-order") {
            expect(texts.slice(1).map((t) => t.slice(4)).join(", ").startsWith(e.text.replace(/\.\.\.$/, "")), where).toBe(true);
          } else {
            expect(texts.some((t) => t.startsWith(e.text.replace(/\.\.\.$/, ""))), `${where}: ${e.text}`).toBe(true);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  }, 300_000);

  it("a server whose banner says what it is is never named as another product", async () => {
    for (const n of await everySession()) {
      const g = n.s.replies.find((r) => r.greeting)?.lines.join(" ") ?? "";
      for (const [re, ids] of BANNERS) if (re.test(g) && n.p.server) expect(ids, `${n.file} stream ${n.stream}: ${g}`).toContain(n.p.server.id);
    }
  }, 300_000);

  it("the lab: Postfix on 25/2525/2529 and aiosmtpd on 587/2587 are named so; scripted servers are not; swaks only by its X-Mailer, the other lab clients not at all", async () => {
    const lab = (await everySession()).filter((n) => /^(lab|twoside|products|tls)\//.test(n.file));
    expect(lab.length).toBeGreaterThan(30);
    for (const n of lab) {
      const where = `${n.file} stream ${n.stream}`;
      const g = n.s.replies.find((r) => r.greeting)?.lines[0] ?? "";
      if (/scripted/.test(g)) expect(n.p.server, where).toBeNull();
      if (/ESMTP Postfix/.test(g) || n.file.startsWith("products/")) expect(n.p.server?.id, where).toBe("postfix");
      if (/Python SMTP/.test(g)) expect(n.p.server?.id, where).toBe("aiosmtpd");
      // Python's ssl/socket scripts, openssl s_client, gnutls-cli: nothing in their commands names
      // them; swaks only by its message's X-Mailer field (no command of its names it), never as smtplib
      const mailer = n.s.commands.map((c) => c.message?.mailer).find((m) => m !== undefined);
      if (mailer?.value.startsWith("swaks ") && !mailer.received) {
        expect(n.p.client, where).toMatchObject({ id: "swaks", confidence: "likely" });
        expect(n.p.client!.evidence.map((e) => [e.kind, e.frames, e.text]), where).toEqual([["header", [mailer.frame], `X-Mailer: ${mailer.value}`]]);
      } else expect(n.p.client, where).toBeNull();
    }
    // every lab capture with a message in clear was sent by swaks; the naive clients and the TLS probes send none
    const swaks = lab.filter((n) => n.p.client?.id === "swaks").map((n) => n.file);
    expect(swaks.length).toBeGreaterThanOrEqual(4);
    expect(swaks.filter((f) => !/swaks|^products\/|^twoside\//.test(f))).toEqual([]);
    expect(lab.filter((n) => n.p.server?.id === "postfix").length).toBeGreaterThan(10);
    expect(lab.filter((n) => n.p.server?.id === "aiosmtpd").length).toBeGreaterThan(5);
  }, 300_000);

  it("middleboxes: the ASA kind only where its rewriting shows; no TCP proxy anywhere (the lab's splitting proxy shows only a re-cut reply)", async () => {
    const boxes = (await everySession()).filter((n) => n.p.middlebox !== null).map((n) => `${n.file} ${n.stream} ${n.p.middlebox!.id} ${n.p.middlebox!.confidence}`);
    expect(boxes).toEqual([
      "products/asa-masked-mail-in-clear.pcap 0 cisco-asa-esmtp certain",
      "suricata-verify/smtp-extract-url-schemes/input.pcap 0 cisco-asa-esmtp likely",
    ]);
  }, 300_000);

  it("products/asa-masked-mail-in-clear.pcap: what expected-products.json says (the box, its knob, Postfix behind it)", async () => {
    const rep = await analyzeFile(join(SHARED, "captures", "products", "asa-masked-mail-in-clear.pcap"));
    const s = rep.sessions[0];
    const p = productsOf(s, rep.findings);
    expect(s.serverPort).toBe(2529);
    expect(p.middlebox?.name).toBe("ESMTP inspection of the Cisco ASA/PIX kind");
    expect(p.middlebox?.evidence.map((e) => e.text)).toEqual(["220 *********** ***** ******* ************", "250-XXXXXXXA"]);
    expect(p.server?.id).toBe("postfix");
    expect(p.server?.evidence.map((e) => e.kind)).toEqual(["ehlo-order", "reply"]); // the banner is masked
    expect(s.verdict.summary).toContain("`policy-map global_policy / class inspection_default / no inspect esmtp`");
    // the stripping finding cites both marks of the box: the masked banner (frame 4) and STARTTLS as `250-XXXXXXXA` (frame 8)
    expect(rep.findings.filter((f) => f.rule === "starttls-unavailable-or-stripped").map((f) => [f.frames, f.evidence])).toEqual([
      [[4, 8], "greeting `220 *********** ***** ******* ************` (frame 4); line `250-XXXXXXXA` (frame 8)"],
    ]);
  });
});

describe("Python servers", () => {
  const PY = ["250-mx.example.test", "250-SIZE 33554432", "250-8BITMIME", "250 HELP"];
  it("smtpd.py's EHLO keywords alone are shared by aiosmtpd and smtpd: neither is named", async () => {
    expect((await named(dialogue({ ehlo: PY }))).p.server).toBeNull();
  });
  it("with aiosmtpd's ident: aiosmtpd, likely (its keywords are smtpd's)", async () => {
    const { p } = await named(dialogue({ greeting: "220 mx.example.test Python SMTP 1.4.3\r\n", ehlo: PY }));
    expect(p.server).toMatchObject({ id: "aiosmtpd", confidence: "likely" });
    expect(p.server?.also).toBeUndefined();
    // aiosmtpd and smtpd share one keyword order: the EHLO reply is listed once
    expect(p.server?.evidence.map((e) => [e.kind, e.frames[0]])).toEqual([["banner", 4], ["ehlo-order", 6]]);
    expect(productsLine(p)).toBe("server aiosmtpd (likely: `220 mx.example.test Python SMTP 1.4.3` frame 4, EHLO keyword order frame 6)");
  });
  it("with smtpd's banner: the smtpd module, not aiosmtpd", async () => {
    const { p } = await named(dialogue({ greeting: "220 mx.example.test Python SMTP proxy version 0.3\r\n", ehlo: PY }));
    expect(p.server).toMatchObject({ id: "python-smtpd", confidence: "likely" });
    expect(p.server?.also?.map((a) => a.id)).toEqual(["aiosmtpd"]);
  });
});
