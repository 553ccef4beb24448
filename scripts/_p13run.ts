import { runScenario } from '../src/sim/runner';
import { findScenario } from '../src/sim/scenarios';
async function main() {
  for (const name of process.argv.slice(2)) {
    const r = await runScenario(findScenario(name)!);
    console.log('==', name, 'violations', r.violations.length, JSON.stringify(r.violations.slice(0,3)));
    for (const e of r.expectations) console.log(e.ok ? 'OK ' : 'BAD', e.text, '|', e.detail);
    for (const st of r.steps) if (st.changes.length || st.findings.some(f=>f.kind!=='hold-down') || st.trigger || process.env.V) console.log(`T+${st.minute.toFixed(2)} ${st.trigger ?? ''} ${st.outcome} ${st.error ?? ''} changes=${st.changes.map(c=>c.table+':'+c.transition+':'+c.routes[0]).join(',')} findings=${st.findings.map(f=>f.kind+':'+f.message.slice(0,150)).join(' | ')} sig=${st.signals.join(';').slice(0,200)}`);
  }
}
main();
