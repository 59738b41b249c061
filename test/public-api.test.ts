import * as path from 'path';
import * as ts from 'typescript';
import { REPO } from './helpers';

/**
 * The package's public API (index.ts) is complete: every type of ours that an exported construct,
 * function or type mentions (props, their fields, constructor parameters, public members, return
 * types, through unions, arrays and generics) is exported too, so a consumer can name what it has to
 * write (`ArgoCdApplicationSetProps.settings` needs `ResolvedGitOpsSettings`). Read with the TypeScript
 * checker from the types as the compiler sees them, inferred ones included.
 */

const program = ts.createProgram([path.join(REPO, 'index.ts')], { noEmit: true, strict: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, types: ['node'] });
const checker = program.getTypeChecker();
const entry = program.getSourceFile(path.join(REPO, 'index.ts'))!;
const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(entry)!).map((symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol));

function ours(symbol: ts.Symbol): boolean {
  const file = symbol.declarations?.[0]?.getSourceFile().fileName;
  return file !== undefined && file.startsWith(REPO) && !file.includes('/node_modules/');
}

function isPublic(symbol: ts.Symbol): boolean {
  return !(symbol.declarations ?? []).some((declaration) => ts.getCombinedModifierFlags(declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || (ts.isPropertyDeclaration(declaration) && ts.isPrivateIdentifier(declaration.name)));
}

/** A type with a name a consumer could import: a class, interface, type alias or enum (not a method, not an anonymous type). */
function isNamedType(symbol: ts.Symbol): boolean {
  return (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Enum)) !== 0 && !symbol.name.startsWith('__');
}

/** Our named types that the exported API mentions but index.ts does not export, each with where it was met. */
function missingTypes(): Map<string, string> {
  const missing = new Map<string, string>();
  const seen = new Set<ts.Type>();
  const visitType = (type: ts.Type, via: string): void => {
    if (seen.has(type)) return;
    seen.add(type);
    for (const argument of [...(type.aliasTypeArguments ?? []), ...(type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference ? checker.getTypeArguments(type as ts.TypeReference) : [])])
      visitType(argument, via);
    if (type.isUnionOrIntersection()) return type.types.forEach((member) => visitType(member, via));
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (!symbol || !ours(symbol)) return;
    const named = isNamedType(symbol);
    if (named && !exported.includes(symbol)) missing.set(symbol.name, via);
    visitMembers(type, named ? symbol.name : via);
  };
  const visitSignature = (signature: ts.Signature, via: string) => {
    for (const parameter of signature.getParameters()) visitType(checker.getTypeOfSymbol(parameter), via);
    visitType(signature.getReturnType(), via);
  };
  const visitMembers = (type: ts.Type, via: string) => {
    for (const property of checker.getPropertiesOfType(type).filter(isPublic)) visitType(checker.getTypeOfSymbol(property), `${via}.${property.name}`);
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) visitSignature(signature, via);
  };
  // The types as written, too: an alias such as `type R = Required<X>` is gone from the checker's types.
  const visited = new Set<ts.Symbol>();
  const visitNode = (node: ts.Node, via: string): void => {
    if (ts.isBlock(node) || (ts.isClassElement(node) && ts.getCombinedModifierFlags(node as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected))) return;
    if (ts.isTypeReferenceNode(node)) {
      let symbol = checker.getSymbolAtLocation(node.typeName);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      if (symbol && ours(symbol) && isNamedType(symbol)) {
        if (!exported.includes(symbol)) missing.set(symbol.name, via);
        visitDeclarations(symbol);
      }
    }
    ts.forEachChild(node, (child) => visitNode(child, via));
  };
  const visitDeclarations = (symbol: ts.Symbol) => {
    if (visited.has(symbol)) return;
    visited.add(symbol);
    for (const declaration of symbol.declarations ?? []) visitNode(declaration, symbol.name);
  };
  for (const symbol of exported) {
    if (ours(symbol)) visitDeclarations(symbol);
    if (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Function | ts.SymbolFlags.Variable)) {
      // The value: a class's constructor and statics, a function's signature, a constant's type.
      visitMembers(checker.getTypeOfSymbol(symbol), symbol.name);
    }
    if (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) visitType(checker.getDeclaredTypeOfSymbol(symbol), symbol.name);
  }
  return missing;
}

describe('the public API (index.ts)', () => {
  it('compiles', () => {
    expect(ts.getPreEmitDiagnostics(program, entry).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))).toEqual([]);
  });

  it('exports every type of ours that its constructs, functions and types mention', () => {
    expect(exported.length).toBeGreaterThan(30);
    expect(Object.fromEntries(missingTypes())).toEqual({});
  });

  it('exports each construct with its props interface', () => {
    const names = exported.map((symbol) => symbol.name);
    const constructs = exported.filter((symbol) => symbol.flags & ts.SymbolFlags.Class && ours(symbol)).map((symbol) => symbol.name);
    expect(constructs).toEqual(expect.arrayContaining(['WeaveMesh', 'ClusterChart', 'ArgoCdApplicationSet', 'FluxSync', 'RouteAgent', 'RouteAgentTeardown']));
    for (const construct of constructs.filter((name) => !name.endsWith('Error'))) expect(names).toContain(`${construct}Props`);
  });
});
