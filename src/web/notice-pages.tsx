// Sign-in and error pages.
import { Fragment, h, type RawHtml } from "./jsx";
import { Layout, type PageShell } from "./layout";

export function SignInPage(props: { shell: PageShell; next: string; error?: string }): RawHtml {
  return (
    <Layout {...props.shell}>
      <h1>Sign in</h1>
      <p>Paste an org token to see your organization's private packages and templates. The token is checked and not kept in your browser: you get a session that ends when you sign out, after 12 hours, or when the token is revoked.</p>
      {props.error ? (
        <p class="error-box" role="alert" id="sign-in-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/sign-in">
        <input type="hidden" name="next" value={props.next} />
        <div class="field">
          <label for="token">Org token</label>
          <input id="token" name="token" type="password" autocomplete="off" required size={50} aria-describedby={props.error ? "sign-in-error" : undefined} />
        </div>
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </Layout>
  );
}

export function ErrorPage(props: { shell: PageShell; status: number; requestId?: string; message?: string }): RawHtml {
  const notFound = props.status === 404;
  const title = notFound ? "Page not found" : props.status >= 500 ? "Something went wrong" : "This request could not be served";
  return (
    <Layout {...props.shell}>
      <h1>{title}</h1>
      {notFound ? (
        <p>There is nothing here, or it is not visible to you. If it is a private package or template, sign in with a token of the organization that owns it.</p>
      ) : props.status >= 500 ? (
        <p>The registry could not answer this request. Try again in a moment.</p>
      ) : (
        <>
          <p>{`The request was refused (HTTP ${props.status}).`}</p>
          {props.message ? (
            <p class="error-box" role="alert">
              {props.message}
            </p>
          ) : null}
        </>
      )}
      {props.requestId ? (
        <p>
          Request id: <code>{props.requestId}</code>
        </p>
      ) : null}
      <p>
        <a href="/">Go to the registry's home page</a>
      </p>
    </Layout>
  );
}
