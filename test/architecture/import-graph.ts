/**
 * The import graph of the workspace's TypeScript sources, read with the TypeScript scanner (no type checking): every
 * relative `import`/`export … from`, `import type` included (a type-only cycle is still two modules that cannot be read
 * apart), and `@shoal/<package>` imports as package edges.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface ImportGraph {
  /** Source file (relative to the root) → the workspace source files it imports. */
  files: Map<string, string[]>;
  /** Package name (`server`, `codec`, …) → the workspace packages it imports. */
  packages: Map<string, Set<string>>;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function specifiers(path: string): string[] {
  const info = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
  return info.importedFiles.map((file) => file.fileName);
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** The graph of `packages/*\/src` and `apps/*\/src` under root. */
export function readImportGraph(root: string): ImportGraph {
  const files = new Map<string, string[]>();
  const packages = new Map<string, Set<string>>();
  for (const area of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, area))) {
      const src = join(root, area, name, 'src');
      try {
        if (!statSync(src).isDirectory()) continue;
      } catch {
        continue;
      }
      const owner = area === 'packages' ? name : `apps/${name}`;
      const used = packages.get(owner) ?? new Set<string>();
      packages.set(owner, used);
      for (const path of sourceFiles(src)) {
        const targets: string[] = [];
        for (const specifier of specifiers(path)) {
          if (specifier.startsWith('.')) {
            const target = resolveRelative(path, specifier);
            if (target !== undefined) targets.push(relative(root, target));
          } else if (specifier.startsWith('@shoal/')) {
            const target = specifier.slice('@shoal/'.length).split('/')[0]!;
            if (target !== owner) used.add(target);
          }
        }
        files.set(relative(root, path), targets);
      }
    }
  }
  return { files, packages };
}

/** Strongly connected components with more than one member (or a self-edge): each is an import cycle. */
export function cycles<N>(graph: Map<N, Iterable<N>>): N[][] {
  let index = 0;
  const order = new Map<N, number>();
  const low = new Map<N, number>();
  const stack: N[] = [];
  const onStack = new Set<N>();
  const found: N[][] = [];
  const visit = (node: N): void => {
    order.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, order.get(next)!));
    }
    if (low.get(node) === order.get(node)) {
      const component: N[] = [];
      let member: N;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfEdge = [...(graph.get(node) ?? [])].includes(node);
      if (component.length > 1 || selfEdge) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!order.has(node)) visit(node);
  return found;
}
