// The browse UI's policy pack pages: the list of the signed-in org's packs, and one version's page
// (its policies and their enforcement levels, runtime, archive, version selector).
import { Fragment, h, type RawHtml } from "../web/jsx";
import { Layout, type PageShell } from "../web/layout";
import { nextPageQuery } from "../web/catalog-pages";
import { Command, Markdown } from "../web/components";
import { VersionSelector } from "../web/item-pages";
import type { PolicyInput, RegistryPolicyPack } from "./policy-pack-schemas";

/** What the version selector needs of each live version. */
export interface PackVersionChoice {
  version: string;
  prerelease: boolean;
  deprecated: boolean;
  createdAt: string;
}

export const packPagePath = (p: { source: string; publisher: string; name: string }, version?: string) =>
  `/policy-packs/${encodeURIComponent(p.source)}/${encodeURIComponent(p.publisher)}/${encodeURIComponent(p.name)}${version ? `/${encodeURIComponent(version)}` : ""}`;

const LEVEL_TEXT: Record<string, string> = {
  advisory: "Advisory: reported, never blocks",
  mandatory: "Mandatory: blocks the update",
  remediate: "Remediate: fixes the resource",
  disabled: "Disabled: not run",
};

function PackCard({ pack }: { pack: RegistryPolicyPack }): RawHtml {
  return (
    <li class="card">
      <div>
        <h3>
          <a href={packPagePath(pack)}>{pack.displayName}</a>
        </h3>
        <p>
          {pack.publisher} · v{pack.version} · {pack.runtime.name} <span class="badge">private</span>
        </p>
        {pack.description ? <p>{pack.description}</p> : null}
      </div>
    </li>
  );
}

export function PolicyPackListPage(props: { shell: PageShell; query: URLSearchParams; packs: RegistryPolicyPack[]; next?: string; signedIn: boolean }): RawHtml {
  const nextQuery = nextPageQuery(props.query, props.next);
  return (
    <Layout {...props.shell}>
      <h1>Policy packs</h1>
      <p class="muted">Policy packs are private to the organization that publishes them.</p>
      <section aria-label="Results">
        {props.packs.length ? (
          <ul class="cards">
            {props.packs.map((pack) => (
              <PackCard pack={pack} />
            ))}
          </ul>
        ) : props.signedIn ? (
          <p>Your organization has published no policy packs.</p>
        ) : (
          <p>
            <a href={`/sign-in?next=${encodeURIComponent("/policy-packs")}`}>Sign in</a> to see your organization's policy packs.
          </p>
        )}
      </section>
      {props.next ? (
        <nav class="pager" aria-label="Pages">
          <a class="button" href={`/policy-packs?${nextQuery.toString()}`} rel="next">
            Next page
          </a>
        </nav>
      ) : null}
    </Layout>
  );
}

export function PolicyPackPage(props: {
  shell: PageShell;
  pack: RegistryPolicyPack;
  policies: PolicyInput[];
  readme?: string;
  versions: PackVersionChoice[];
}): RawHtml {
  const { pack } = props;
  const current = props.versions.find((v) => v.version === pack.version);
  return (
    <Layout {...props.shell}>
      <h1>{pack.displayName}</h1>
      <p class="muted">
        {pack.source}/{pack.publisher}/{pack.name} · v{pack.version} {current?.prerelease ? <span class="badge warn">pre-release</span> : null}{" "}
        {current?.deprecated ? <span class="badge warn">deprecated</span> : null} <span class="badge">private</span>
      </p>
      {pack.deprecation ? <p class="badge warn">{`Deprecated: ${pack.deprecation.message}`}</p> : null}
      {pack.description ? <p>{pack.description}</p> : null}
      <Command label="Enable this pack for your organization" command={`pulumi policy enable ${pack.publisher}/${pack.name} ${pack.version}`} />
      <div class="layout">
        <section aria-labelledby="policies">
          <h2 id="policies">Policies</h2>
          {props.policies.length ? (
            <table class="props">
              <thead>
                <tr>
                  <th scope="col">Policy</th>
                  <th scope="col">Enforcement</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {props.policies.map((p) => (
                  <tr>
                    <td>
                      <code>{p.name}</code>
                      {p.displayName && p.displayName !== p.name ? <div>{p.displayName}</div> : null}
                    </td>
                    <td>{LEVEL_TEXT[p.enforcementLevel] ?? p.enforcementLevel}</td>
                    <td>{p.severity || "—"}</td>
                    <td>{p.description ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">This version declares no policies.</p>
          )}
          {props.readme ? (
            <>
              <h2 id="readme">README</h2>
              <Markdown text={props.readme} />
            </>
          ) : null}
        </section>
        <aside class="meta" aria-label="Policy pack details">
          {props.versions.length ? <VersionSelector pkg={pack} versions={props.versions} action={packPagePath(pack)} /> : null}
          <dl>
            <dt>Runtime</dt>
            <dd>{pack.runtime.name}</dd>
            <dt>Enforcement levels</dt>
            <dd>{pack.enforcementLevels.length ? pack.enforcementLevels.join(", ") : "none"}</dd>
            <dt>Published</dt>
            <dd>
              <time datetime={pack.createdAt}>{pack.createdAt.slice(0, 10)}</time>
            </dd>
            <dt>Archive</dt>
            <dd>
              <a href={pack.downloadURL}>Download (.tar.gz)</a>
            </dd>
            <dt>All versions</dt>
            <dd>{props.versions.length}</dd>
          </dl>
        </aside>
      </div>
    </Layout>
  );
}
