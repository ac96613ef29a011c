/**
 * V8 settings for the command line (the library leaves the embedding process alone). Imported
 * first by the CLI entry points, before any hot code is compiled.
 *
 * Inlining: V8's optimising compiler inlines each rule's check into the engine's loop and rebuilds
 * the loop again and again as sessions bring new rule shapes; in a single run about half the CPU
 * time went to compiling. A lower cumulative inlining budget keeps each rule its own function:
 * -7 to -9% CPU on the 200 MB replay benchmark, output identical (bench/ab.mjs, interleaved).
 *
 * Interrupt budget: how much bytecode a function runs before V8 counts a tick towards optimising
 * it (default 67584). On the 200 MB replay the default has TurboFan compile 246 functions, on
 * background threads that share the two cores; with 500000, 78 (--trace-opt): only the really
 * hot code, and each worker thread of `analyze -j N`, which compiles its own, gains as much. CPU
 * -13% for one thread, -12% for -j 2 on the 200 MB replay, -16% on the 20 MB one (interleaved
 * runs, 5-7 each), output identical. It holds for functions created after it is set: every
 * module but this one.
 *
 * The young generation's size cannot be set from here (V8 sizes its heap at start); the
 * `--max-semi-space-size` in bin/smtpcap.js's first line does that.
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--max-inlined-bytecode-size-cumulative=300");
setFlagsFromString("--interrupt-budget=500000");
