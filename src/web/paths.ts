// Page paths of packages and templates, built from their identity: shared by every page and component.
const segment = encodeURIComponent;

export function packagePath(p: { source: string; publisher: string; name: string }, version?: string): string {
  const base = `/packages/${segment(p.source)}/${segment(p.publisher)}/${segment(p.name)}`;
  return version ? `${base}/${segment(version)}` : base;
}

export function templatePath(t: { source: string; publisher: string; name: string }): string {
  return `/templates/${segment(t.source)}/${segment(t.publisher)}/${t.name.split("/").map(segment).join("/")}`;
}
