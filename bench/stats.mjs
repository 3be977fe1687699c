/** Summaries and tables for the benchmarks' output: plain numbers in, markdown-ish text out. */

/** The value at quantile `q` (nearest rank) of ascending `sorted`. */
function quantile(sorted, q) {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

/** Mean, median and tail percentiles of `samples`. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  return {
    n: sorted.length,
    mean,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
  };
}

export function median(samples) {
  return quantile(
    [...samples].sort((a, b) => a - b),
    0.5,
  );
}

/** `value` with `digits` decimals and thousands separators. */
export function fmt(value, digits = 2) {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function ratio(value, base) {
  return `${fmt(value / base, 2)}x`;
}

/** Prints a markdown table; `align` is a string of `l`/`r` per column. */
export function printTable(title, header, rows, align) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const cell = (text, i) =>
    align[i] === 'r' ? String(text).padStart(widths[i]) : String(text).padEnd(widths[i]);
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  console.log(`\n### ${title}\n`);
  console.log(line(header));
  console.log(rule);
  for (const row of rows) console.log(line(row));
}
