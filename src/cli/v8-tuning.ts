/**
 * V8 settings for the command line (the library leaves the embedding process alone). Imported
 * first by the CLI entry points, before any hot code is compiled.
 *
 * Inlining: V8's optimising compiler inlines each rule's check into the engine's loop and rebuilds
 * the loop again and again as sessions bring new rule shapes; in a single run about half the CPU
 * time went to compiling. A lower cumulative inlining budget keeps each rule its own function:
 * -7 to -9% CPU on the 200 MB replay benchmark, output identical (bench/ab.mjs, interleaved).
 *
 * The young generation's size cannot be set from here (V8 sizes its heap at start); the
 * `--max-semi-space-size` in bin/smtpcap.js's first line does that.
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--max-inlined-bytecode-size-cumulative=300");
