import { expect, it } from "vitest";
import { offeredSuites } from "../../src/tls/describe.js";

// the header ("the client offered TLS 1.2 with …") and tls-no-shared-cipher count the same way:
// tshark lists 0x003b,0x00ff for tls-no-shared-cipher.pcap; the second is the renegotiation SCSV, no suite
it("a suite and the renegotiation SCSV: 1 cipher suite, the SCSV named apart", () => {
  expect(offeredSuites(["TLS_RSA_WITH_NULL_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"])).toEqual({ suites: ["TLS_RSA_WITH_NULL_SHA256"], text: "1 cipher suite (and the renegotiation SCSV)" });
});
it("GREASE values and TLS_FALLBACK_SCSV are named apart too; plain suites alone get no parenthesis", () => {
  expect(offeredSuites(["Reserved (GREASE) (0x0a0a)", "TLS_AES_128_GCM_SHA256", "TLS_FALLBACK_SCSV", "TLS_AES_256_GCM_SHA384"]).text).toBe("2 cipher suites (and TLS_FALLBACK_SCSV and 1 GREASE value)");
  expect(offeredSuites(["TLS_AES_128_GCM_SHA256"]).text).toBe("1 cipher suite");
});
