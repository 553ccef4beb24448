import { describeFault } from './scenario';
import type { ScenarioResult } from './runner';
import { lanes, renderHeader, renderTimeline, renderVerdict } from './timeline';

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'];
const TRUTH = { ok: '#cfe8cf', degraded: '#f6c667', dead: '#d9534f' } as const;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One self-contained page: an SVG lane per route table coloured by its gateway, faults marked. */
export function renderHtml(r: ScenarioResult): string {
  const steps = r.steps;
  const tables = lanes(r);
  const gateways = [...new Set(steps.flatMap((s) => Object.keys(s.truth)))].sort();
  const targets = [...new Set(steps.flatMap((s) => Object.values(s.targets)))].sort();
  const color = new Map(targets.map((t, i) => [t, t.startsWith('nat-') ? (PALETTE[i % PALETTE.length] as string) : '#888']));
  const left = 150;
  const cell = Math.max(8, Math.min(20, Math.floor(900 / steps.length)));
  const laneH = 22;
  const top = 30;
  const rows = [...tables.map((t) => ({ kind: 'table' as const, id: t })), ...gateways.map((g) => ({ kind: 'gateway' as const, id: g }))];
  const width = left + steps.length * cell + 20;
  const height = top + rows.length * laneH + 30;
  const parts: string[] = [];
  rows.forEach((row, i) => {
    const y = top + i * laneH;
    const label = row.kind === 'table' ? `${row.id}${r.managedTables.includes(row.id) ? '' : ' (unmanaged)'}` : `${row.id} truth`;
    parts.push(`<text x="4" y="${y + 15}" font-size="12">${esc(label)}</text>`);
    steps.forEach((s, k) => {
      const x = left + k * cell;
      if (row.kind === 'table') {
        const t = s.targets[row.id] ?? '-';
        const away = s.homes[row.id] !== undefined && t !== s.homes[row.id];
        parts.push(`<rect x="${x}" y="${y + 2}" width="${cell}" height="${laneH - 4}" fill="${color.get(t) ?? '#ccc'}" ${away ? 'stroke="#000" stroke-width="0.6"' : ''}><title>T+${s.minute}m ${esc(row.id)} → ${esc(t)}${away ? ' (away from home)' : ''}</title></rect>`);
      } else {
        const st = s.truth[row.id];
        if (st) parts.push(`<rect x="${x}" y="${y + 6}" width="${cell}" height="${laneH - 12}" fill="${TRUTH[st]}"><title>T+${s.minute}m ${esc(row.id)}: ${st}</title></rect>`);
      }
    });
  });
  for (const f of r.scenario.faults) {
    const x = left + f.at * cell;
    parts.push(`<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${height - 24}" stroke="#c00" stroke-dasharray="4 3"><title>${esc(describeFault(f))}</title></line>`);
    parts.push(`<text x="${x + 2}" y="${top - 10}" font-size="10" fill="#c00">${esc(f.kind)}</text>`);
  }
  for (let m = 0; m <= steps.length; m += 5) {
    parts.push(`<text x="${left + m * cell}" y="${height - 8}" font-size="10" fill="#555">T+${m}m</text>`);
  }
  const legend = targets
    .map((t) => `<span style="display:inline-block;margin-right:12px"><span style="display:inline-block;width:12px;height:12px;background:${color.get(t)}"></span> ${esc(t)}</span>`)
    .join('');
  const truthLegend = Object.entries(TRUTH)
    .map(([k, c]) => `<span style="display:inline-block;margin-right:12px"><span style="display:inline-block;width:12px;height:12px;background:${c}"></span> gateway ${k}</span>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nat-failover drill: ${esc(r.scenario.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}pre{background:#f6f6f6;padding:12px;overflow:auto;font-size:12px}h1{font-size:20px}</style>
</head><body>
<h1>nat-failover drill: ${esc(r.scenario.name)}</h1>
<p>${esc(r.scenario.summary)}</p>
<p>${legend}<br>${truthLegend}<br><small>Outlined cells: the table is away from its home gateway. Dashed red lines: faults (hover for details). Gateway lanes show the simulator's ground truth.</small></p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="route table timeline">${parts.join('')}</svg>
<h2>Outcome</h2>
<pre>${esc(renderVerdict(r))}</pre>
<h2>Timeline</h2>
<pre>${esc(`${renderHeader(r)}\n\n${renderTimeline(r)}`)}</pre>
</body></html>
`;
}
