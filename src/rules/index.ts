import type { Rule } from "./types.js";

export const ALL_RULES: Rule[] = [];
