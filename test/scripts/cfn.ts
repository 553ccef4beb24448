/**
 * What CloudFormation does with parameter values, as far as the release tests need it: put each
 * value where its parameter is referenced (`Ref`, `${Name}` in `Fn::Sub`). Then `normalize` brings
 * two templates to one form for comparison: an `Fn::Sub` left with no variable is its plain string,
 * and the hash serverless appends to a Lambda Version's logical id (it hashes the function's
 * configuration, which includes the parameter values) is cut off.
 */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The template's Resources, Conditions and Outputs with `values` (by parameter id) substituted. */
export function instantiate(template: Json, values: Readonly<Record<string, string>>): Json {
  const sub = (s: string): string => s.replace(/\$\{([A-Za-z0-9]+)\}/g, (all, id: string) => values[id] ?? all);
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isObject(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === 'Ref' && typeof node.Ref === 'string' && node.Ref in values) return values[node.Ref];
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      const v: unknown = node['Fn::Sub'];
      return { 'Fn::Sub': Array.isArray(v) ? [typeof v[0] === 'string' ? sub(v[0]) : v[0], ...v.slice(1).map(walk)] : typeof v === 'string' ? sub(v) : v };
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
  };
  return { Resources: walk(template.Resources ?? {}), Conditions: walk(template.Conditions ?? {}), Outputs: walk(template.Outputs ?? {}) };
}

export function normalize(node: unknown): unknown {
  const text = JSON.stringify(node).replace(/(LambdaVersion)[A-Za-z0-9]{20,}/g, '$1');
  const walk = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(walk);
    if (!isObject(n)) return n;
    const keys = Object.keys(n);
    if (keys.length === 1 && keys[0] === 'Fn::Sub' && typeof n['Fn::Sub'] === 'string' && !/\$\{(?!!)/.test(n['Fn::Sub'])) {
      return (n['Fn::Sub'] as string).replaceAll('${!', '${');
    }
    return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, walk(v)]));
  };
  return walk(JSON.parse(text));
}

/** Every `Ref` target in a node. */
export function refs(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((x) => refs(x, into));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'Ref' && typeof v === 'string') into.add(v);
      else if (k === 'Fn::Sub') {
        const text: unknown = Array.isArray(v) ? v[0] : v;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)) into.add(m[1] ?? '');
        if (Array.isArray(v)) refs(v.slice(1), into);
      } else refs(v, into);
    }
  }
  return into;
}
