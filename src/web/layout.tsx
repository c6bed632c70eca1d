// The page shell every HTML page shares: landmarks, skip link, site navigation, sign-in state, the one
// stylesheet and the one deferred script.
import { h, type Child, type RawHtml } from "./jsx";
import type { Caller } from "../identity/rights";


export interface PageShell {
  title: string;
  caller: Caller;
  assets: Record<string, string>;
  /** The path of this page, for the sign-in link to come back to. */
  path: string;
}

export function Layout(props: PageShell & { children?: Child }): RawHtml {
  const { caller, assets } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · edge-registry`}</title>
        <link rel="stylesheet" href={assets.style} />
        <link rel="icon" href={assets.icon} type="image/svg+xml" />
        <script src={assets.app} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site">
          <div class="bar">
            <a class="brand" href="/">
              edge-registry
            </a>
            <nav aria-label="Site">
              <ul>
                <li>
                  <a href="/packages">Packages</a>
                </li>
                <li>
                  <a href="/templates">Templates</a>
                </li>
                {caller.kind === "org" ? (
                  <li>
                    <a href="/policy-packs">Policy packs</a>
                  </li>
                ) : null}
                {caller.kind === "anonymous" ? (
                  <li>
                    <a href={`/sign-in?next=${encodeURIComponent(props.path)}`}>Sign in</a>
                  </li>
                ) : null}
              </ul>
            </nav>
            {caller.kind === "org" ? (
              <form method="post" action="/sign-out">
                <span>
                  Signed in as <strong>{caller.org}</strong>{" "}
                </span>
                <button type="submit">Sign out</button>
              </form>
            ) : null}
          </div>
        </header>
        <main id="main" tabindex="-1">
          {props.children}
        </main>
        <footer class="site">
          <p>
            A Pulumi package and template registry. Use it from the CLI with <code>pulumi login</code>.
          </p>
        </footer>
      </body>
    </html>
  );
}
