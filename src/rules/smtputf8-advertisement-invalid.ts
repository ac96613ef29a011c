import { defineRule } from "./define.js";
import { ehloLines } from "../smtp/vocabulary.js";

export default defineRule({
  id: "smtputf8-advertisement-invalid",
  title: "SMTPUTF8 advertised with a parameter or without 8BITMIME",
  severity: "error",
  side: "server",
  traits: ["own-octets"],
  reference: "RFC 6531 §3.1",
  quote: "Servers offering this extension MUST provide support for, and announce, the 8BITMIME extension [RFC6152].",
  meaning: "The EHLO reply lists SMTPUTF8 with a parameter, or lists SMTPUTF8 but not 8BITMIME.",
  why: "Clients cannot send internationalised mail without 8-bit transport; a parameter where none is defined breaks strict parsers.",
  fix: "Advertise `SMTPUTF8` alone, together with `8BITMIME`.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["EHLO"],
    visit({ command: cmd, first: r }, ctx) {
      // each plaintext EHLO answered with 250
      if (cmd.kind !== "command" || cmd.verb !== "EHLO" || cmd.afterStartTls || r === undefined) return;
      if (r.code !== 250) return;
      const kws = ehloLines(r);
      const utf8 = kws.find((k) => k === "SMTPUTF8" || k.startsWith("SMTPUTF8 "));
      if (utf8 === undefined) return;
      if (utf8 !== "SMTPUTF8") ctx.report({ frames: r.frames, time: r.firstTime, message: `the EHLO reply advertises SMTPUTF8 with a parameter (\`${utf8}\`)`, evidence: `reply ${r.index}` });
      if (!kws.some((k) => k === "8BITMIME")) ctx.report({ frames: r.frames, time: r.firstTime, message: "the EHLO reply advertises SMTPUTF8 but not 8BITMIME", evidence: `reply ${r.index}` });
    },
  },
});
