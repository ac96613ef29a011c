/** "1 command", "2 commands"; `many` defaults to `one` + "s". */
export function plural(n: number, one: string, many = one + "s"): string {
  return `${n} ${n === 1 ? one : many}`;
}
