/** A tiny horizontal bar chart as SVG text: one bar per row, its value written beside it. */

export interface Bar {
  label: string;
  value: number;
  /** Bars of one kind share a colour (e.g. 'peer-comms', 'baseline'). */
  kind: string;
}

const COLOURS = ['#2563eb', '#9ca3af', '#16a34a', '#dc2626'];

const esc = (s: string): string =>
  s.replace(/`/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChart(title: string, bars: Bar[], unit = 'ms'): string {
  const kinds = [...new Set(bars.map((b) => b.kind))];
  const labelW = 330;
  const barW = 380;
  const rowH = 22;
  const top = 48;
  const width = labelW + barW + 90;
  const height = top + bars.length * rowH + 16;
  const max = Math.max(1, ...bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  kinds.forEach((k, i) => {
    const x = 8 + i * 150;
    out.push(`<rect x="${x}" y="28" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/>`);
    out.push(`<text x="${x + 14}" y="37">${esc(k)}</text>`);
  });
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const v = Number.isFinite(b.value) ? b.value : 0;
    const w = Math.max(1, Math.round((v / max) * barW));
    const colour = COLOURS[kinds.indexOf(b.kind) % COLOURS.length];
    out.push(`<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${colour}"/>`);
    const shown = Number.isFinite(b.value) ? `${Math.round(b.value)} ${unit}` : 'n/a';
    out.push(`<text x="${labelW + w + 6}" y="${y + 14}">${esc(shown)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
