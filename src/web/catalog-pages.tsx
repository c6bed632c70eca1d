// Home, package search and the package and template lists.
import { h, type RawHtml } from "./jsx";
import { Layout, type PageShell } from "./layout";
import { PackageCard, TemplateCard, type PackageSummary, type TemplateSummary } from "./components";
import { PACKAGE_TYPES } from "../db/schema";
import { PACKAGE_CATEGORIES } from "../packages/schema-metadata";

const PACKAGE_TYPE_LABELS: Record<(typeof PACKAGE_TYPES)[number], string> = { bridged: "Bridged", component: "Component", native: "Native" };
const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A select of one list filter: "Any" plus every allowed value, the current one selected. */
function FilterSelect(props: { id: string; label: string; value: string; options: ReadonlyArray<readonly [value: string, label: string]> }): RawHtml {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id}>
        <option value="" selected={props.value === ""}>
          Any
        </option>
        {props.options.map(([value, label]) => (
          <option value={value} selected={props.value === value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function HomePage(props: { shell: PageShell; featured: PackageSummary[]; recent: PackageSummary[]; templates: TemplateSummary[] }): RawHtml {
  return (
    <Layout {...props.shell}>
      <h1>Find a Pulumi package or template</h1>
      <form class="search" role="search" method="get" action="/packages">
        <label class="sr-only" for="home-search">
          Search packages
        </label>
        <input id="home-search" type="search" name="search" placeholder="Search packages by name, title or description" />
        <button type="submit">Search</button>
      </form>
      <section aria-labelledby="featured">
        <h2 id="featured">Featured packages</h2>
        {props.featured.length ? (
          <ul class="cards">
            {props.featured.map((pkg) => (
              <PackageCard pkg={pkg} />
            ))}
          </ul>
        ) : (
          <p class="muted">No featured packages yet.</p>
        )}
      </section>
      <section aria-labelledby="recent">
        <h2 id="recent">Recently published packages</h2>
        {props.recent.length ? (
          <ul class="cards">
            {props.recent.map((pkg) => (
              <PackageCard pkg={pkg} />
            ))}
          </ul>
        ) : (
          <p class="muted">Nothing published yet.</p>
        )}
        <p>
          <a href="/packages?sort=createdAt">All packages, newest first</a>
        </p>
      </section>
      <section aria-labelledby="recent-templates">
        <h2 id="recent-templates">Recently published templates</h2>
        {props.templates.length ? (
          <ul class="cards">
            {props.templates.map((t) => (
              <TemplateCard template={t} />
            ))}
          </ul>
        ) : (
          <p class="muted">No templates yet.</p>
        )}
        <p>
          <a href="/templates">All templates</a>
        </p>
      </section>
    </Layout>
  );
}

export interface PackageListState {
  search: string;
  publisher: string;
  visibility: string;
  packageType: string;
  category: string;
  sort: string;
}

/**
 * The next page's query: this page's own parameters, all of them, with the next token. The token is
 * bound to every filter, so dropping one (packageType, usage, asc, …) would make the next page a 400.
 */
export function nextPageQuery(query: URLSearchParams, next: string | undefined): URLSearchParams {
  const out = new URLSearchParams(query);
  out.delete("continuationToken");
  if (next) out.set("continuationToken", next);
  return out;
}

export function PackageListPage(props: { shell: PageShell; state: PackageListState; query: URLSearchParams; packages: PackageSummary[]; next?: string }): RawHtml {
  const { state } = props;
  const nextQuery = nextPageQuery(props.query, props.next);
  return (
    <Layout {...props.shell}>
      <h1>Packages</h1>
      <form class="filters" role="search" method="get" action="/packages">
        <div class="field">
          <label for="q">Search</label>
          <input id="q" type="search" name="search" value={state.search} />
        </div>
        <div class="field">
          <label for="publisher">Publisher</label>
          <input id="publisher" type="text" name="publisher" value={state.publisher} />
        </div>
        <FilterSelect id="packageType" label="Package type" value={state.packageType} options={PACKAGE_TYPES.map((t) => [t, PACKAGE_TYPE_LABELS[t]] as const)} />
        <FilterSelect id="category" label="Category" value={state.category} options={PACKAGE_CATEGORIES.map((c) => [c, c === "vcs" ? "Version control" : capitalized(c)] as const)} />
        {props.shell.caller.kind === "org" ? (
          <div class="field">
            <label for="visibility">Visibility</label>
            <select id="visibility" name="visibility">
              <option value="" selected={state.visibility === ""}>
                Any
              </option>
              <option value="public" selected={state.visibility === "public"}>
                Public
              </option>
              <option value="private" selected={state.visibility === "private"}>
                Private to {props.shell.caller.org}
              </option>
            </select>
          </div>
        ) : null}
        <div class="field">
          <label for="sort">Sort by</label>
          <select id="sort" name="sort">
            <option value="name" selected={state.sort === "name" || state.sort === ""}>
              Name
            </option>
            <option value="publisher" selected={state.sort === "publisher"}>
              Publisher
            </option>
            <option value="createdAt" selected={state.sort === "createdAt"}>
              Newest first
            </option>
          </select>
        </div>
        <button type="submit">Apply</button>
      </form>
      <section aria-label="Results">
        {props.packages.length ? (
          <ul class="cards">
            {props.packages.map((pkg) => (
              <PackageCard pkg={pkg} />
            ))}
          </ul>
        ) : (
          <p>No packages match.</p>
        )}
      </section>
      {props.next ? (
        <nav class="pager" aria-label="Pages">
          <a class="button" href={`/packages?${nextQuery.toString()}`} rel="next">
            Next page
          </a>
        </nav>
      ) : null}
    </Layout>
  );
}

export function TemplateListPage(props: { shell: PageShell; search: string; query: URLSearchParams; templates: TemplateSummary[]; next?: string }): RawHtml {
  const nextQuery = nextPageQuery(props.query, props.next);
  return (
    <Layout {...props.shell}>
      <h1>Templates</h1>
      <form class="search" role="search" method="get" action="/templates">
        <label class="sr-only" for="template-search">
          Search templates
        </label>
        <input id="template-search" type="search" name="search" value={props.search} placeholder="Search templates" />
        <button type="submit">Search</button>
      </form>
      <section aria-label="Results">
        {props.templates.length ? (
          <ul class="cards">
            {props.templates.map((t) => (
              <TemplateCard template={t} />
            ))}
          </ul>
        ) : (
          <p>No templates match.</p>
        )}
      </section>
      {props.next ? (
        <nav class="pager" aria-label="Pages">
          <a class="button" href={`/templates?${nextQuery.toString()}`} rel="next">
            Next page
          </a>
        </nav>
      ) : null}
    </Layout>
  );
}
