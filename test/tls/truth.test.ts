import { expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { toText } from "../../src/report/text.js";
import { SHARED } from "../support/fixtures.js";
import { describeShared } from "../support/shared.js";

// the TLS report's sentences say what was read and what was not (checked against tshark 4.0.17)
const DIR = `${SHARED}/captures/tls`;

describeShared("TLS sentences say what was not read, only that", () => {
  it("tls13-client-rejects-cert with keys: the certificate (13) and the alert (16) were decrypted; nothing is called unread, no unneeded secret is named", async () => {
    const rep = await analyzeFile(`${DIR}/tls13-client-rejects-cert.pcap`, { tlsKeylogs: [`${DIR}/tls13-client-rejects-cert.keys`] });
    expect(rep.sessions[0].verdict.limits).toEqual([]);
    const text = toText(rep, { color: false, verbose: false, width: 1000 });
    expect(text).toContain(`  TLS decrypted with ${DIR}/tls13-client-rejects-cert.keys: 0 client and 0 server octets of application data\n`);
    expect(text).not.toContain("lacks CLIENT_TRAFFIC_SECRET_0");
    expect(text).not.toContain("encrypted records are not read");
  });
  it("a TLS capture without keys: the lack names what is not read and why, not the ClientHello as missing", async () => {
    const rep = await analyzeFile(`${DIR}/tls12-gcm-postfix.pcap`);
    expect(rep.sessions[0].verdict.limits).toEqual(["the dialogue after the ClientHello in frame 11 is encrypted and not read: no key log"]);
  });
  it("smtperr.pcap session 3: a ClientHello (151) to a server that answered in plaintext: nothing is called encrypted", async () => {
    const rep = await analyzeFile(`${SHARED}/captures/suricata-verify/smtp-errors/smtperr.pcap`);
    const text = toText(rep, { color: false, verbose: false, width: 1000 });
    expect(text).toContain("TLS (implicit) from frame 151: the client sent a ClientHello, the server no TLS record; nothing is encrypted");
    expect(text).not.toContain("TLS (implicit) from frame 151: the rest is encrypted");
    expect(rep.sessions.find((s) => s.tcpStream === 3)!.verdict.limits).toEqual([]);
  });
});
