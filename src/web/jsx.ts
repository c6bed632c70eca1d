// JSX rendered straight to an HTML string with escaping by construction: every text child and
// attribute value is escaped; the only unescaped content is a `RawHtml` made by the markdown renderer.
// (preact's JSX types pull in lib.dom, which clashes with @cloudflare/workers-types; this is the whole
// runtime, and nothing of it is shipped to the browser.)

const RAW = Symbol("raw-html");

/** HTML that is trusted as it is: produced only by `markdownToHtml` and by rendering JSX. */
export interface RawHtml {
  readonly [RAW]: true;
  readonly html: string;
}

export function trustedHtml(html: string): RawHtml {
  return { [RAW]: true, html };
}

function isRaw(value: unknown): value is RawHtml {
  return typeof value === "object" && value !== null && RAW in value;
}

export type Child = RawHtml | string | number | boolean | null | undefined | Child[];

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

const NEEDS_ESCAPE = /[&<>"']/;

export function escapeHtml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
}

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
const TAG = /^[a-z][a-z0-9-]*$/;
const ATTRIBUTE = /^[a-zA-Z_:][a-zA-Z0-9_:.-]*$/;
const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "srcset", "poster", "cite"]);
/** Tag and attribute names already checked (the pages use a few dozen): each is tested once per isolate. */
const knownTags = new Set<string>();
const knownAttributes = new Set<string>();

/** Relative, or http(s)/mailto: anything else (javascript:, data:, vbscript:, …) is not a URL we emit. */
export function isSafeUrl(value: string): boolean {
  // A path from the root (most links): no scheme can start with "/", and it does not start with "\\".
  if (value.charCodeAt(0) === 47) return true;
  // Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:").
  // eslint-disable-next-line no-control-regex -- the point is to strip control characters
  const compact = value.replace(/[\u0000-\u0020\u007f]/g, "").toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(compact);
  return scheme === null ? !compact.startsWith("\\") : ["http", "https", "mailto"].includes(scheme[1]!);
}

function renderChild(child: Child, out: string[]): void {
  if (child === null || child === undefined || child === false || child === true) return;
  if (Array.isArray(child)) {
    for (const c of child) renderChild(c, out);
  } else if (isRaw(child)) {
    out.push(child.html);
  } else {
    out.push(escapeHtml(String(child)));
  }
}

type Props = Record<string, unknown> & { children?: Child };
type Component<P> = (props: P) => RawHtml;

export function h(tag: string | Component<Props>, props: Props | null, ...children: Child[]): RawHtml {
  if (typeof tag === "function") {
    const all: Props = { ...(props ?? {}) };
    if (children.length) all.children = children;
    return tag(all);
  }
  if (!knownTags.has(tag)) {
    if (!TAG.test(tag)) throw new Error(`invalid tag name ${tag}`);
    knownTags.add(tag);
  }
  // Built by concatenation (no intermediate arrays or props copies): pages of thousands of elements are rendered per request.
  let out = `<${tag}`;
  if (props) {
    for (const name in props) {
      const value = props[name];
      // __source/__self: development builds of the classic transform add them; they are not attributes.
      if (name === "children" || name === "__source" || name === "__self" || value === undefined || value === null || value === false) continue;
      if (!knownAttributes.has(name)) {
        if (!ATTRIBUTE.test(name) || /^on/i.test(name)) throw new Error(`attribute ${name} is not allowed`);
        knownAttributes.add(name);
      }
      if (value === true) {
        out += ` ${name}`;
        continue;
      }
      const text = String(value);
      if (URL_ATTRIBUTES.has(name.toLowerCase()) && !isSafeUrl(text)) continue;
      out += ` ${name}="${escapeHtml(text)}"`;
    }
  }
  out += ">";
  if (VOID.has(tag)) return trustedHtml(out);
  const parts = [out];
  renderChild(children.length ? children : (props?.children as Child), parts);
  parts.push(`</${tag}>`);
  return trustedHtml(parts.join(""));
}

export function Fragment(props: { children?: Child }): RawHtml {
  const out: string[] = [];
  renderChild(props.children, out);
  return trustedHtml(out.join(""));
}

export function renderDocument(root: RawHtml): string {
  return `<!doctype html>${root.html}`;
}

// Types for the JSX checker: any lower-case element with attribute values of plain types.
type AttributeValue = string | number | boolean | null | undefined;

// eslint-disable-next-line @typescript-eslint/no-namespace -- TypeScript finds JSX types in the factory's namespace
export namespace h {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace JSX {
    export type Element = RawHtml;
    export interface ElementChildrenAttribute {
      children: unknown;
    }
    export interface IntrinsicElements {
      [tag: string]: { [attribute: string]: AttributeValue | Child; children?: Child };
    }
  }
}
