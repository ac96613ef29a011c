/**
 * What smtpcap knows about SMTP products: one entry per product (server MTA, client, middlebox),
 * what identifies it in a capture, the settings a user can change (with the exact command or
 * option), and the public source of each fact. Data only: src/products/match.ts reads it.
 *
 * Never a false name: a banner can be rewritten (a `weak` signature); a keyword set, a reply text
 * the product writes itself or a rewriting effect is harder to fake (`strong`). A generic effect
 * (a split reply, a delay) names no vendor and has no signature here. An entry without
 * signatures is never named from a capture: it is listed for its settings only.
 */

export type ProductRole = "server" | "client" | "middlebox";

/** What part of the dialogue a signature reads. */
export type SignatureKind =
  | "banner" // the greeting's text
  | "ehlo-line" // the first line of the EHLO reply (its text after the code)
  | "ehlo-keyword" // an EHLO keyword line (any of them)
  | "ehlo-order" // the EHLO keywords: a known set, in the product's order
  | "reply" // any reply line
  | "command" // a client command line, as sent (case kept)
  | "header" // a message's X-Mailer or User-Agent field (`X-Mailer: value`, the value cut to its product token), only in messages without a Received field
  | "effect"; // a rewriting effect a middlebox leaves (see match.ts EFFECTS)

export interface Signature {
  kind: SignatureKind;
  /** matched against the line's text (banner, ehlo-line: after the code and separator; reply,
   * ehlo-keyword, command: the whole line; header: `X-Mailer: value`); unused for ehlo-order and effect */
  pattern?: RegExp;
  /** ehlo-order: the product's keywords in the order it writes them (the first word of each
   * line); a reply matches when every keyword it has (at least `min`, all of `required`) is in
   * the list and in this order. Masked keywords (X's: a middlebox rewrote them) are skipped. */
  order?: { keywords: string[]; required: string[]; min: number };
  /** effect: the id of the effect (match.ts) */
  effect?: string;
  strength: "weak" | "strong";
  /** what the signature is, in words ("banner `ESMTP Postfix`") */
  what: string;
}

export interface Setting {
  /** what the setting changes */
  what: string;
  /** the exact command or option */
  how: string;
  /** rule ids whose findings this setting explains or fixes (the verdict names it then) */
  rules?: string[];
}

export interface Source {
  title: string;
  /** empty: the source has no address (a mailing-list post named by author and date) */
  url: string;
}

export interface Product {
  id: string;
  name: string;
  role: ProductRole;
  /** one sentence: what it is and what a capture shows of it */
  summary: string;
  signatures: Signature[];
  /** evidence against: a session that shows any of these (command signatures) is not this
   * product's, whatever else matched (a client that writes `EHLO` is not one that writes `ehlo`) */
  contrary?: Signature[];
  settings: Setting[];
  sources: Source[];
}

/** aiosmtpd's EHLO keywords, in the order of CPython's smtpd.py, which it derives from. */
const PYTHON_ORDER = { keywords: ["SIZE", "8BITMIME", "SMTPUTF8", "STARTTLS", "AUTH", "HELP"], required: ["SIZE", "8BITMIME", "HELP"], min: 3 };

const POSTFIX_ORDER = ["PIPELINING", "SIZE", "VRFY", "ETRN", "STARTTLS", "AUTH", "AUTH=", "XCLIENT", "XFORWARD", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"];

export const CATALOG: readonly Product[] = [
  {
    id: "postfix",
    name: "Postfix",
    role: "server",
    summary: "Postfix's SMTP server (smtpd, postscreen). Its default banner names it; its EHLO keywords come in a fixed order with ETRN, and its reply texts are its own.",
    signatures: [
      { kind: "banner", pattern: /\bESMTP Postfix\b/, strength: "weak", what: "banner `ESMTP Postfix` (the default smtpd_banner, `$myhostname ESMTP $mail_name`)" },
      { kind: "ehlo-order", order: { keywords: POSTFIX_ORDER, required: ["ETRN", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN"], min: 6 }, strength: "strong", what: "EHLO keywords in Postfix's order (PIPELINING, SIZE, VRFY, ETRN, STARTTLS, AUTH, ENHANCEDSTATUSCODES, 8BITMIME, DSN, SMTPUTF8, CHUNKING)" },
      { kind: "reply", pattern: /^250 2\.0\.0 Ok: queued as [0-9A-Za-z]{6,}$/, strength: "strong", what: "`250 2.0.0 Ok: queued as <queue id>` after the message" },
      { kind: "reply", pattern: /^503 5\.5\.0 .*Improper use of SMTP command pipelining/, strength: "strong", what: "`503 5.5.0 … Improper use of SMTP command pipelining` (reject_unauth_pipelining)" },
      { kind: "reply", pattern: /Error: bare <LF> received/, strength: "strong", what: "`Error: bare <LF> received` (smtpd_forbid_bare_newline)" },
    ],
    settings: [
      { what: "reject a client that pipelines before PIPELINING allows it", how: "smtpd_data_restrictions = reject_unauth_pipelining", rules: ["pipelining-not-negotiated", "client-command-before-reply-complete"] },
      { what: "reject commands and message lines ended by a bare LF (the default from 3.9; backported to 3.5.23 and later)", how: "smtpd_forbid_bare_newline = yes (or normalize)", rules: ["bare-cr-lf-in-command", "bare-cr-lf-in-data", "nonstandard-end-of-data", "smuggled-commands-in-data"] },
      { what: "stop advertising an EHLO keyword (CHUNKING, PIPELINING …)", how: "smtpd_discard_ehlo_keywords = chunking, pipelining", rules: ["bdat-sequence-violation", "bdat-framing-error"] },
      { what: "tune postscreen's `220-` teaser, which catches clients that talk early (PREGREET)", how: "postscreen_greet_banner, postscreen_greet_action", rules: ["pregreet-early-talker"] },
      { what: "change the greeting's text", how: "smtpd_banner = $myhostname ESMTP $mail_name", rules: ["greeting-invalid"] },
    ],
    sources: [
      { title: "Postfix postconf(5): smtpd_banner, postscreen_greet_banner, smtpd_discard_ehlo_keywords", url: "https://www.postfix.org/postconf.5.html" },
      { title: "Postfix smtpd.c (EHLO keyword order, reply texts)", url: "https://github.com/vdukhovni/postfix/blob/master/postfix/src/smtpd/smtpd.c" },
      { title: "reject_unauth_pipelining reply, as logged", url: "https://github.com/33hops/xsibackup/issues/12" },
      { title: "smtpd_forbid_bare_newline", url: "https://enchanta.eu.org/mir/postfix/commit/f75140fe8504f1fa69e98facbf8258b67af7ebff" },
      { title: "this project's lab captures of Postfix 3.7.11 (../shared/captures/lab/postfix-*.pcap)", url: "../shared/captures/README.md" },
    ],
  },
  {
    id: "aiosmtpd",
    name: "aiosmtpd",
    role: "server",
    summary: "The asyncio SMTP server library for Python. Its default greeting ident is `Python SMTP <version>`, its default SIZE 33554432 (2**25), its EHLO reply ends with HELP, and its AUTH LOGIN prompts are `User Name\\0` / `Password\\0`.",
    signatures: [
      { kind: "banner", pattern: /\bPython SMTP \d+\.\d+/, strength: "weak", what: "greeting ident `Python SMTP <version>` (aiosmtpd's __ident__)" },
      { kind: "ehlo-order", order: PYTHON_ORDER, strength: "weak", what: "EHLO keywords in the order of aiosmtpd and of Python's smtpd module it derives from (SIZE, 8BITMIME, SMTPUTF8, STARTTLS, AUTH, HELP), which servers built on smtpd copy" },
      { kind: "reply", pattern: /^334 VXNlciBOYW1lAA==$/, strength: "strong", what: "AUTH LOGIN prompt `334 VXNlciBOYW1lAA==` (base64 of `User Name\\0`; GNU SASL's LOGIN prompt too)" },
    ],
    settings: [
      { what: "change the greeting's ident", how: "SMTP(handler, ident=\"…\")" },
      { what: "change the AUTH LOGIN prompts (some devices disconnect on `User Name\\0`)", how: "SMTP.AuthLoginUsernameChallenge / SMTP.AuthLoginPasswordChallenge" },
      { what: "require TLS before AUTH", how: "SMTP(handler, auth_require_tls=True)" },
    ],
    sources: [
      { title: "aiosmtpd smtp.py (__ident__, DATA_SIZE_DEFAULT, EHLO, AUTH LOGIN prompts)", url: "https://github.com/aio-libs/aiosmtpd/blob/master/aiosmtpd/smtp.py" },
      { title: "this project's lab captures of aiosmtpd 1.4.3 (../shared/captures/lab/aiosmtpd-*.pcap)", url: "../shared/captures/README.md" },
    ],
  },
  {
    id: "python-smtpd",
    name: "Python smtpd module (or a server built on it)",
    role: "server",
    summary: "CPython's smtpd module (removed in Python 3.12), and servers built on it. Greeting `220 <fqdn> Python SMTP proxy version 0.3`; the EHLO keywords aiosmtpd inherited (SIZE, 8BITMIME, SMTPUTF8, HELP).",
    signatures: [
      { kind: "banner", pattern: /\bPython SMTP proxy version \d/, strength: "weak", what: "greeting `Python SMTP proxy version <n>` (smtpd's __version__)" },
      { kind: "ehlo-order", order: PYTHON_ORDER, strength: "weak", what: "EHLO keywords in smtpd's order (SIZE, 8BITMIME, SMTPUTF8, HELP)" },
    ],
    settings: [],
    sources: [{ title: "CPython Lib/smtpd.py (3.11)", url: "https://github.com/python/cpython/blob/3.11/Lib/smtpd.py" }],
  },
  {
    id: "exim",
    name: "Exim",
    role: "server",
    summary: "The Exim MTA. Default banner `ESMTP Exim <version> <date>`; EHLO from `Hello … [ip]` to `250 HELP`; its own DATA prompt and synchronization error.",
    signatures: [
      { kind: "banner", pattern: /\bESMTP Exim \d/, strength: "weak", what: "banner `ESMTP Exim <version>`" },
      { kind: "reply", pattern: /^354 Enter message, ending with "\." on a line by itself$/, strength: "strong", what: "`354 Enter message, ending with \".\" on a line by itself`" },
      { kind: "reply", pattern: /^554 SMTP synchronization error/, strength: "strong", what: "`554 SMTP synchronization error` (a client that talked early)" },
    ],
    settings: [
      { what: "choose which hosts see PIPELINING", how: "pipelining_advertise_hosts", rules: ["pipelining-not-negotiated", "client-command-before-reply-complete"] },
      { what: "choose which hosts see CHUNKING (empty turns BDAT off)", how: "chunking_advertise_hosts =", rules: ["bdat-sequence-violation", "bdat-framing-error"] },
      { what: "get the SMTP smuggling fix", how: "upgrade to Exim 4.97.1 or later", rules: ["smuggled-commands-in-data", "nonstandard-end-of-data", "server-accepts-nonstandard-eod"] },
      { what: "stop rejecting clients that send before the reply (`554 SMTP synchronization error`; on by default)", how: "smtp_enforce_sync = false, or per host in an ACL: control = no_enforce_sync", rules: ["pregreet-early-talker", "client-command-before-reply-complete"] },
      { what: "change the greeting's text (default `$smtp_active_hostname ESMTP Exim $version_number $tod_full`)", how: "smtp_banner = …", rules: ["greeting-invalid"] },
    ],
    sources: [
      { title: "Exim test suite output (banner, EHLO, 354 text)", url: "https://git.exim.org/exim.git/blob/46ad960434683b3e15eb17edf3b2d748c191fbc4:/test/stdout/4002" },
      { title: "testssl.sh#218: 554 SMTP synchronization error", url: "https://github.com/testssl/testssl.sh/issues/218" },
      { title: "MailCleaner#571: smuggling fixed in Exim 4.97.1", url: "https://github.com/MailCleaner/MailCleaner/issues/571" },
      { title: "Exim globals.c: smtp_enforce_sync = TRUE, the default smtp_banner", url: "https://github.com/Exim/exim/blob/master/src/src/globals.c" },
      { title: "Exim smtp_in.c (BADSYN_CMD when input is outstanding and smtp_enforce_sync is set) and acl.c (control = no_enforce_sync)", url: "https://github.com/Exim/exim/blob/master/src/src/smtp_in.c" },
    ],
  },
  {
    id: "sendmail",
    name: "Sendmail",
    role: "server",
    summary: "Sendmail. Banner `ESMTP Sendmail 8.x/8.x; <date>`; EHLO `Hello …, pleased to meet you` … `250 HELP`.",
    signatures: [
      { kind: "banner", pattern: /\bESMTP Sendmail \d+\.\d+/, strength: "weak", what: "banner `ESMTP Sendmail <version>`" },
      { kind: "ehlo-line", pattern: /^\S+ Hello .*, pleased to meet you$/, strength: "weak", what: "EHLO greeting `<host> Hello <client> [ip], pleased to meet you`" },
    ],
    settings: [
      { what: "accept only CRLF.CRLF as the end of data", how: "run sendmail 8.18.1 or later, where this is the default, and remove srv_features option `O` (which turns it off) where it is set", rules: ["nonstandard-end-of-data", "server-accepts-nonstandard-eod", "smuggled-commands-in-data"] },
    ],
    sources: [
      { title: "Sendmail banner and EHLO, as seen", url: "https://blog.gslin.org/archives/2016/02/11/6295/" },
      { title: "sendmail 8.18.1 release notes (2024/01/31): CRLF.CRLF only, srv_features 'O' disables it", url: "https://pkgsrc.se/files.php?messageId=20240212032306.4A9CDF9AA@cvs.NetBSD.org" },
    ],
  },
  {
    id: "opensmtpd",
    name: "OpenSMTPD",
    role: "server",
    summary: "OpenSMTPD. Its banner is hard-coded `220 <host> ESMTP OpenSMTPD`; older versions answer pipelined commands with `500 Pipelining not supported`.",
    signatures: [
      { kind: "banner", pattern: /\bESMTP OpenSMTPD\b/, strength: "weak", what: "banner `ESMTP OpenSMTPD`" },
      { kind: "reply", pattern: /^500 Pipelining not supported/, strength: "strong", what: "`500 Pipelining not supported`" },
    ],
    settings: [],
    sources: [{ title: "OpenSMTPD#451", url: "https://github.com/OpenSMTPD/OpenSMTPD/issues/451" }],
  },
  {
    id: "qmail",
    name: "qmail (netqmail / notqmail)",
    role: "server",
    summary: "qmail-smtpd. A bare LF gets `451 See http://pobox.com/~djb/docs/smtplf.html.`; unknown commands `502 unimplemented (#5.5.1)`.",
    signatures: [
      { kind: "reply", pattern: /^451 See http:\/\/pobox\.com\/~djb\/docs\/smtplf\.html/, strength: "strong", what: "`451 See http://pobox.com/~djb/docs/smtplf.html.` (bare LF)" },
      { kind: "reply", pattern: /^502 unimplemented \(#5\.5\.1\)$/, strength: "strong", what: "`502 unimplemented (#5.5.1)`" },
    ],
    settings: [],
    sources: [{ title: "notqmail qmail-smtpd.c", url: "https://github.com/notqmail/notqmail/blob/master/qmail-smtpd.c" }],
  },
  {
    id: "haraka",
    name: "Haraka",
    role: "server",
    summary: "The Haraka Node.js MTA. Banner `ESMTP Haraka <version> ready`; `Haraka is at your service.`; for a bare LF it links to haraka.github.io/barelf.",
    signatures: [
      { kind: "banner", pattern: /\bESMTP Haraka\b/, strength: "weak", what: "banner `ESMTP Haraka`" },
      { kind: "reply", pattern: /Haraka is at your service\.|Have a jolly good day\.|haraka\.github\.io\/barelf/, strength: "strong", what: "Haraka's reply texts (`Haraka is at your service.`, `Have a jolly good day.`, the barelf link)" },
    ],
    settings: [],
    sources: [
      { title: "Haraka relay plugin manual", url: "http://haraka.github.io/manual/plugins/relay.html" },
      { title: "Haraka#3268 (bare LF)", url: "https://github.com/haraka/Haraka/issues/3268" },
    ],
  },
  {
    id: "exchange",
    name: "Microsoft Exchange Server / Exchange Online",
    role: "server",
    summary: "Exchange. Exchange 2007 and later greet `Microsoft ESMTP MAIL Service ready at <date>`; its EHLO keywords include X-ANONYMOUSTLS, X-EXPS, XEXCH50, XRDST, XSHADOW (Exchange 2000/2003 add X-EXPS, X-LINK2STATE and XEXCH50 to the Windows SMTP service).",
    signatures: [
      { kind: "banner", pattern: /\bMicrosoft ESMTP MAIL Service ready at\b/, strength: "weak", what: "banner `Microsoft ESMTP MAIL Service ready at <date>` (Exchange 2007 and later)" },
      { kind: "ehlo-keyword", pattern: /^250[- ](X-ANONYMOUSTLS|X-EXPS\b|XEXCH50|XRDST|XSHADOW(REQUEST)?|X-LINK2STATE)\b/, strength: "strong", what: "Exchange's EHLO keywords (X-ANONYMOUSTLS, X-EXPS, XEXCH50, XRDST, XSHADOW, X-LINK2STATE)" },
      { kind: "reply", pattern: /^250 2\.1\.0 Sender OK$/, strength: "strong", what: "`250 2.1.0 Sender OK`" },
    ],
    settings: [
      { what: "change the receive connector's banner", how: "Set-ReceiveConnector -Identity <connector> -Banner \"220 …\"", rules: ["greeting-invalid"] },
      { what: "turn BDAT/CHUNKING off on the receive connector", how: "Set-ReceiveConnector -Identity <connector> -ChunkingEnabled $false", rules: ["bdat-sequence-violation", "bdat-framing-error"] },
      { what: "reject messages with bare line feeds", how: "Set-ReceiveConnector -Identity <connector> -BareLinefeedRejectionEnabled $true", rules: ["bare-cr-lf-in-data", "nonstandard-end-of-data", "smuggled-commands-in-data"] },
      { what: "choose the AUTH mechanisms the connector offers (X-ANONYMOUSTLS needs ExchangeServer)", how: "Set-ReceiveConnector -Identity <connector> -AuthMechanism Tls,…", rules: ["auth-cleartext-credentials", "auth-mechanism-not-advertised"] },
      { what: "hide X-ANONYMOUSTLS", how: "SuppressXAnonymousTls (receive connector property)" },
    ],
    sources: [
      { title: "Microsoft Learn: test SMTP with telnet (banner, replies)", url: "https://learn.microsoft.com/en-us/exchange/mail-flow/test-smtp-telnet" },
      { title: "Set-ReceiveConnector", url: "https://learn.microsoft.com/en-us/powershell/module/exchange/set-receiveconnector" },
      { title: "SuppressXAnonymousTls", url: "https://learn.microsoft.com/en-us/previous-versions/office/exchange-server-api/ff346325(v=exchg.150)" },
      { title: "Exchange 2003: SMTP extended verbs when the Exchange event sinks are loaded", url: "http://technet.microsoft.com/en-us/library/bb124688(EXCHG.65).aspx" },
    ],
  },
  {
    id: "ms-smtpsvc",
    name: "Microsoft Windows SMTP service (IIS SMTP; Exchange 2000/2003 run on it)",
    role: "server",
    summary: "The SMTP service of Windows 2000/2003 (IIS). Banner `Microsoft ESMTP MAIL Service, Version: <n> ready at <date>`; without Exchange's X- verbs in the EHLO reply it is the plain Windows service.",
    signatures: [
      { kind: "banner", pattern: /\bMicrosoft ESMTP MAIL Service, Version: \d/, strength: "weak", what: "banner `Microsoft ESMTP MAIL Service, Version: <n>`" },
    ],
    settings: [
      { what: "turn outbound ESMTP commands on (the metabase value 7 turns them off)", how: "SmtpOutboundCommandSupportOptions = 7697601 (adsutil.vbs)" },
    ],
    sources: [
      { title: "Microsoft KB 254560: the Windows 2000 SMTP banner", url: "https://ftp.zx.net.nz/pub/archive/ftp.microsoft.com/MISC/KB/en-us/254/560.HTM" },
      { title: "Exchange 2003: the verbs without the Exchange event sinks are those of the Windows SMTP service", url: "http://technet.microsoft.com/en-us/library/bb124688(EXCHG.65).aspx" },
      { title: "IIS SMTP Server SmtpOutboundCommandSupportOptions: 7 turns ESMTP off, 7697601 on", url: "https://centauricw.com/2024/06/iis-smtp-server-smtpoutboundcommandsupportoptions-bug" },
    ],
  },
  {
    id: "gmail-mx",
    name: "Gmail (Google's MX servers)",
    role: "server",
    summary: "Google's inbound mail servers. Banner `220 mx.google.com ESMTP <id> - gsmtp`; EHLO `mx.google.com at your service, [ip]`.",
    signatures: [
      { kind: "banner", pattern: /^mx\.google\.com ESMTP \S+ - gsmtp$/, strength: "weak", what: "banner `mx.google.com ESMTP <id> - gsmtp`" },
      { kind: "ehlo-line", pattern: /^mx\.google\.com at your service, \[[^\]]+\]$/, strength: "weak", what: "EHLO greeting `mx.google.com at your service, [ip]`" },
    ],
    settings: [],
    sources: [
      { title: "public trace of a Gmail MX: Zeek testing/btest/Traces/tls/smtp-starttls.pcap (also nDPI tests/pcap/smtp-starttls.pcap)", url: "https://github.com/zeek/zeek/tree/master/testing/btest/Traces/tls" },
    ],
  },
  {
    id: "cisco-asa-esmtp",
    name: "ESMTP inspection of the Cisco ASA/PIX kind",
    role: "middlebox",
    summary: "Cisco ASA/PIX `inspect esmtp` (on by default): the default map masks the banner with `*` (mask-banner), replaces the STARTTLS keyword by `XXXXXXXA` (no allow-tls; EHLO parameters it does not know are masked with X's ending in a letter), answers STARTTLS `500 #5.5.1 command not recognized`, and overwrites commands it disallows with X's of the same length. Other boxes imitate it; the name says the kind, not the vendor.",
    signatures: [
      { kind: "effect", effect: "banner-masked", strength: "strong", what: "the greeting's text masked with `*`" },
      { kind: "effect", effect: "ehlo-keyword-masked", strength: "strong", what: "an EHLO keyword replaced by X's ending in a letter (`250-XXXXXXXA` for STARTTLS)" },
      { kind: "effect", effect: "command-masked", strength: "strong", what: "a client command arrived as a row of X's" },
    ],
    settings: [
      {
        what: "turn ESMTP inspection off",
        how: "policy-map global_policy / class inspection_default / no inspect esmtp",
        rules: ["middlebox-esmtp-rewriting", "starttls-unavailable-or-stripped", "greeting-invalid", "plaintext-after-starttls-failure"],
      },
      {
        what: "keep inspection but let TLS and the banner through",
        how: "policy-map type inspect esmtp <name> / parameters / allow-tls / no mask-banner (then inspect esmtp <name> in the global policy)",
        rules: ["middlebox-esmtp-rewriting", "starttls-unavailable-or-stripped", "greeting-invalid", "plaintext-after-starttls-failure"],
      },
    ],
    sources: [
      { title: "Cisco ASA CLI configuration guide: default ESMTP inspection map (mask-banner, no allow-tls, ehlo-reply-parameter mask)", url: "https://www.manualslib.com/manual/1531207/Cisco-Asa-Series.html?page=315" },
      { title: "Cisco 118550: 250 XXXXXXXA and 500 #5.5.1 to STARTTLS", url: "https://cisco.com/c/es_mx/support/docs/security/email-security-appliance/118550-qa-esa-00.html" },
      { title: "Cisco 113423: ASA ESMTP inspection, commands replaced by X's", url: "https://cisco.com/c/en/us/support/docs/security/asa-5500-x-series-next-generation-firewalls/113423-asa-esmtp-smtp-inspection.html" },
      { title: "AppRiver: Cisco PIX/ASA MailGuard masks the banner", url: "https://support.appriver.com/kb/a238/cisco-pix-asa-mailguard.aspx" },
      { title: "cisco-nsp: the rewrite keeps lengths", url: "https://puck.nether.net/pipermail/cisco-nsp/2004-November/014446.html" },
    ],
  },
  {
    id: "tcp-proxy",
    name: "a TCP-terminating proxy or SYN proxy (vendor not identifiable from this capture)",
    role: "middlebox",
    summary: "Something answered the TCP handshake for the server: the SYN/ACK differs from the server's data segments (TTL, TCP timestamp option or clock; an IPv4 ID on the data's counter vetoes a TTL claim, and never makes one alone). Named only from the intercepting-proxy-detected finding; no vendor follows from it.",
    signatures: [{ kind: "effect", effect: "handshake-answered-by-another-stack", strength: "weak", what: "the intercepting-proxy-detected finding (SYN/ACK unlike the server's data segments)" }],
    settings: [{ what: "prove it and see what the box changes, capture on both sides of it and compare", how: "smtpcap compare CLIENT-SIDE.pcap SERVER-SIDE.pcap", rules: ["intercepting-proxy-detected"] }],
    sources: [
      { title: "RFC 7323 §3.2 (TSopt in every segment once negotiated, never otherwise)", url: "https://www.rfc-editor.org/rfc/rfc7323#section-3.2" },
      { title: "RFC 6864 §4.1 (any IPv4 ID in atomic datagrams): why an IP ID alone proves nothing", url: "https://www.rfc-editor.org/rfc/rfc6864#section-4.1" },
      { title: "Linux 970a5a3ea86d 'ipv4: tcp: send zero IPID in SYNACK messages' and 23f57406b82d (CVE-2020-36516, 2022; in 5.4.176, 5.10.96, 5.15.19): SYN/ACK IDs came from the shared generator before", url: "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=970a5a3ea86d" },
    ],
  },
  {
    id: "sophos-firewall",
    name: "Sophos Firewall (SMTP proxy)",
    role: "middlebox",
    summary: "Runs in MTA mode or legacy (transparent proxy) mode; its HELO/banner host name defaults to `Sophos`. No fingerprint is used: a banner host name names nothing.",
    signatures: [],
    settings: [{ what: "choose MTA mode or transparent-proxy (legacy) mode", how: "Email › General settings › SMTP deployment mode" }],
    sources: [{ title: "Sophos Firewall 19.0: Email general settings", url: "https://docs.sophos.com/nsg/sophos-firewall/19.0/Help/en-us/webhelp/onlinehelp/AdministratorHelp/Email/GeneralSettings/" }],
  },
  {
    id: "fortigate",
    name: "FortiGate (SMTP proxy / AV splice)",
    role: "middlebox",
    summary: "With splice on, FortiGate scans while it forwards and may end the connection prematurely when it finds a virus; deep inspection of STARTTLS in front of a mail gateway has caused banner timeouts. No fingerprint is used.",
    signatures: [],
    settings: [{ what: "turn scan-and-forward (splice) off", how: "config firewall profile-protocol-options / config smtp / set options splice (unset to store and forward)" }],
    sources: [
      { title: "Fortinet: the AV scanning splice option", url: "https://community.fortinet.com/fortigate-3/technical-tip-configuration-and-operation-of-the-av-scanning-splice-option-99477" },
      { title: "Fortinet forum: STARTTLS deep inspection causes banner timeout", url: "https://community.fortinet.com/support-forum-92/inbound-smtp-starttls-deep-inspection-causes-delivery-banner-timeout-when-utm-profiles-are-enabled-227547" },
    ],
  },
  {
    id: "watchguard-smtp-proxy",
    name: "WatchGuard SMTP-proxy",
    role: "middlebox",
    summary: "Turning ESMTP off in the proxy action also turns STARTTLS off. No fingerprint is used.",
    signatures: [],
    settings: [{ what: "keep ESMTP on in the proxy action (turning it off also turns STARTTLS off)", how: "SMTP-proxy action › ESMTP settings" }],
    sources: [{ title: "WatchGuard: SMTP-proxy TLS encryption", url: "https://www.watchguard.com/help/docs/help-center/en-US/Content/en-US/Fireware/proxies/smtp/proxy_smtp_tls_encryption_c.html" }],
  },
  {
    id: "python-smtplib",
    name: "Python smtplib",
    role: "client",
    summary: "Python's standard SMTP client writes most verbs in lower case (`ehlo`, `mail FROM:` — `mail from:` from 3.13 —, `rcpt TO:`, `data`, `quit`) and STARTTLS and AUTH in upper case.",
    signatures: [
      { kind: "command", pattern: /^(ehlo|helo) \S/, strength: "strong", what: "a lower-case `ehlo`/`helo` command (smtplib's ehlo_msg)" },
      { kind: "command", pattern: /^mail (FROM|from):</, strength: "strong", what: "`mail FROM:<…>` / `mail from:<…>` (smtplib's mail())" },
      { kind: "command", pattern: /^rcpt (TO|to):</, strength: "strong", what: "`rcpt TO:<…>` / `rcpt to:<…>` (smtplib's rcpt())" },
    ],
    // smtplib writes these verbs in lower case in every version (putcmd("ehlo"), putcmd("mail"), …)
    contrary: [
      { kind: "command", pattern: /^(EHLO|HELO|MAIL|RCPT|DATA|RSET|NOOP|QUIT|VRFY|EXPN)\b/, strength: "strong", what: "an upper-case EHLO, HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY or EXPN (smtplib writes these verbs in lower case)" },
    ],
    settings: [],
    sources: [{ title: "CPython Lib/smtplib.py", url: "https://github.com/python/cpython/blob/main/Lib/smtplib.py" }],
  },
  {
    id: "swaks",
    name: "swaks",
    role: "client",
    summary: "The Swiss Army Knife for SMTP (test client). Its commands are plain upper-case SMTP, and its default EHLO name is the local host's name: the dialogue alone does not tell it apart. Its default message carries `X-Mailer: swaks v<version> jetmore.org/john/code/swaks/`, which names it when the message is in the capture (in clear or decrypted) and no SMTP server had handled it yet (no Received field).",
    signatures: [
      { kind: "header", pattern: /^X-Mailer: swaks v\d{8}\.\d+ jetmore\.org\/john\/code\/swaks\/$/, strength: "strong", what: "`X-Mailer: swaks v<version> jetmore.org/john/code/swaks/` in a message without a Received field (swaks' default --data)" },
    ],
    settings: [
      { what: "insist on TLS rather than send in clear when STARTTLS is missing or fails", how: "--tls (instead of --tls-optional)", rules: ["starttls-unavailable-or-stripped", "plaintext-after-starttls-failure"] },
      { what: "pipeline MAIL, RCPT and DATA when the server offers PIPELINING", how: "--pipeline" },
      { what: "the EHLO argument (default: the local host's name)", how: "--ehlo NAME" },
    ],
    sources: [
      { title: "swaks reference (RELEASE/doc/ref.txt): --data default with X-Mailer, --ehlo default, --tls-optional, --pipeline", url: "https://github.com/jetmore/swaks/blob/develop/RELEASE/doc/ref.txt" },
      { title: "swaks home page", url: "https://jetmore.org/john/code/swaks/" },
      { title: "this project's lab captures (swaks, --tls-optional; X-Mailer swaks v20201014.0)", url: "../shared/captures/README.md" },
    ],
  },
  {
    id: "git-send-email",
    name: "git send-email",
    role: "client",
    summary: "Git's patch mailer. Each message it writes carries `X-Mailer: git-send-email <git version>` (unless sendemail.xmailer is false); it sends over SMTP itself with --smtp-server, which names it when no SMTP server had handled the message yet (no Received field).",
    signatures: [
      { kind: "header", pattern: /^X-Mailer: git-send-email \S+$/, strength: "strong", what: "`X-Mailer: git-send-email <version>` in a message without a Received field" },
    ],
    settings: [
      { what: "leave the X-Mailer field out", how: "git config sendemail.xmailer false (or --no-xmailer)" },
      { what: "the SMTP server, port and TLS it uses", how: "--smtp-server, --smtp-server-port, --smtp-encryption tls|ssl (sendemail.smtpEncryption)", rules: ["auth-cleartext-credentials", "plaintext-after-starttls-failure"] },
    ],
    sources: [
      { title: "git-send-email.perl (the X-Mailer header, $use_xmailer)", url: "https://github.com/git/git/blob/master/git-send-email.perl" },
      { title: "git-send-email(1): --[no-]xmailer, --smtp-encryption", url: "https://git-scm.com/docs/git-send-email" },
    ],
  },
];

const BY_ID = new Map(CATALOG.map((p) => [p.id, p]));

export function productById(id: string): Product | undefined {
  return BY_ID.get(id);
}
