// @ts-check
/**
 * A TypeDoc plugin (typedoc.json `plugin`): the code under generated/ is documented by the
 * OpenAPI spec and by @hey-api/openapi-ts, not by hand.
 *
 * `npm run generate` writes generated/ from openapi/aixplain-models.yaml: every JSDoc comment
 * of its types is a `description` of the spec, and its runtime (client/, core/) is the
 * generator's own, with types that it does not export. No edit of generated/ may add a comment
 * or an export (check:generated fails on any difference). So TypeDoc's validation stays strict
 * for the hand-written modules, and is waived only for what generated/ declares:
 *
 * - `notDocumented`: a reflection declared in generated/ without a comment (a member of an
 *   inferred zod type, which has no file of its own, belongs to its nearest ancestor that has
 *   one) is added to `intentionallyNotDocumented`. A gap there is filled in the spec.
 * - `notExported`: a type declared in generated/ that a documented one refers to but that
 *   `aixplain-llm/generated` does not export is added to `intentionallyNotExported`.
 *
 * Both lists are filled once the project is converted and before TypeDoc validates it, by the
 * same walks as TypeDoc's validators (so no waived name goes unused, which TypeDoc reports); a
 * reflection declared under src/ is never waived.
 */
import {
  ContainerReflection,
  Converter,
  DeclarationReflection,
  makeRecursiveVisitor,
  ParameterReflection,
  ReflectionKind,
  SignatureReflection,
  TypeParameterReflection,
} from 'typedoc';

const GENERATED = /^generated\//;

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const { project } = context;
    const ours = project.packageName;
    const inGenerated = (/** @type {import('typedoc').ReflectionSymbolId | undefined} */ id) =>
      id?.packageName === ours && GENERATED.test(id.packagePath);

    const notDocumented = new Set(app.options.getValue('intentionallyNotDocumented'));
    const required = app.options.getValue('requiredToBeDocumented');
    for (const reflection of undocumented(project, required)) {
      // TypeDoc requires documentation only of this package's symbols (not of lib.dom's).
      if (project.getSymbolIdFromReflection(reflection)?.packageName !== ours) continue;
      if (inGenerated(declaringSymbol(project, reflection))) {
        notDocumented.add(reflection.getFriendlyFullName());
      }
    }

    const notExported = new Set(app.options.getValue('intentionallyNotExported'));
    for (const type of referencedTypes(project)) {
      const id = type.symbolId;
      if (type.reflection || type.externalUrl || type.isIntentionallyBroken()) continue;
      if (id !== undefined && inGenerated(id))
        notExported.add(`${id.packagePath}:${type.qualifiedName}`);
    }

    app.options.setValue('intentionallyNotDocumented', [...notDocumented]);
    app.options.setValue('intentionallyNotExported', [...notExported]);
  });
}

/**
 * The symbol that declares `reflection`, or its nearest ancestor's when it has none in this
 * package (a member of an inferred zod type has no file of its own).
 *
 * @param {import('typedoc').ProjectReflection} project
 * @param {import('typedoc').Reflection} reflection
 */
function declaringSymbol(project, reflection) {
  for (let r = reflection; r !== undefined && !r.isProject(); r = r.parent) {
    const id = project.getSymbolIdFromReflection(r);
    if (id?.packageName === project.packageName && id.packagePath) return id;
  }
  return undefined;
}

/**
 * The reflections that `validation.notDocumented` reports: the same walk as TypeDoc 0.28's
 * validateDocumentation (signatures stand for their function, a type literal for its alias,
 * nothing under a parameter), so that no waived name goes unused (TypeDoc warns about those).
 *
 * @param {import('typedoc').ProjectReflection} project
 * @param {readonly string[]} required
 */
function* undocumented(project, required) {
  const K = ReflectionKind;
  let kinds = required.reduce((all, kind) => all | K[/** @type {keyof typeof K} */ (kind)], 0);
  if (kinds & K.FunctionOrMethod) kinds = (kinds | K.CallSignature) & ~K.FunctionOrMethod;
  if (kinds & K.Constructor) kinds = (kinds | K.ConstructorSignature) & ~K.Constructor;
  if (kinds & K.Accessor) kinds = (kinds | K.GetSignature | K.SetSignature) & ~K.Accessor;
  const queue = project.getReflectionsByKind(kinds);
  const seen = new Set();
  outer: while (queue.length > 0) {
    const r = /** @type {import('typedoc').Reflection} */ (queue.shift());
    if (seen.has(r)) continue;
    seen.add(r);
    for (let p = r.parent; p; p = p.parent) if (p.kindOf(K.Parameter)) continue outer;
    if (r.kindOf(K.TypeLiteral) && r.parent?.kindOf(K.TypeAlias)) {
      queue.push(r.parent);
      continue;
    }
    if (r.kindOf(K.CallSignature) && r.parent?.kindOf(K.TypeLiteral)) {
      if (r.parent.parent) queue.push(r.parent.parent);
      continue;
    }
    if (r.kindOf(K.ConstructorSignature) && r.parent?.parent?.kindOf(K.TypeAlias)) {
      queue.push(r.parent.parent);
      continue;
    }
    if (r instanceof DeclarationReflection) {
      const signatures =
        r.type?.type === 'reflection'
          ? r.type.declaration.getNonIndexSignatures()
          : r.getNonIndexSignatures();
      if (signatures.length > 0) {
        queue.push(...signatures);
        if (r.kindOf(K.SignatureContainer)) continue;
      }
    }
    const documented = r.hasComment() || (r.kindOf(K.SomeSignature) && r.parent?.hasComment());
    if (!documented && project.getSymbolIdFromReflection(r)) yield r;
  }
}

/**
 * Every reference type that `validation.notExported` looks at: the same walk as TypeDoc 0.28's
 * discoverAllReferenceTypes(project, true).
 *
 * @param {import('typedoc').ProjectReflection} project
 * @returns {import('typedoc').ReferenceType[]}
 */
function referencedTypes(project) {
  /** @type {import('typedoc').ReferenceType[]} */
  const found = [];
  /** @type {import('typedoc').Reflection[]} */
  const queue = [];
  const visitor = makeRecursiveVisitor({
    reference: (type) => void found.push(type),
    reflection: (type) => void queue.push(type.declaration),
  });
  const add = (/** @type {unknown} */ item) => {
    if (Array.isArray(item)) queue.push(...item);
    else if (item) queue.push(/** @type {import('typedoc').Reflection} */ (item));
  };
  /** @type {import('typedoc').Reflection | undefined} */
  let r = project;
  do {
    if (r instanceof ContainerReflection) add(r.children);
    if (r instanceof DeclarationReflection) {
      r.type?.visit(visitor);
      add(r.typeParameters);
      add(r.signatures);
      add(r.indexSignatures);
      add(r.getSignature);
      add(r.setSignature);
      r.overwrites?.visit(visitor);
      for (const type of r.implementedTypes ?? []) type.visit(visitor);
    }
    if (r instanceof SignatureReflection) {
      add(r.parameters);
      add(r.typeParameters);
      r.type?.visit(visitor);
      r.overwrites?.visit(visitor);
    }
    if (r instanceof ParameterReflection) r.type?.visit(visitor);
    if (r instanceof TypeParameterReflection) {
      r.type?.visit(visitor);
      r.default?.visit(visitor);
    }
    r = queue.shift();
  } while (r !== undefined);
  return found;
}
