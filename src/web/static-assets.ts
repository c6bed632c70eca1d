// The one stylesheet and the one small script, served under content-hashed URLs as immutable files.
// The script only enhances: selects submit on change and commands get a copy button; every page
// works without it.
import { sha256Hex } from "../identity/secrets";

const STYLESHEET = `
:root{--fg:#1b1f24;--muted:#4b5563;--bg:#fff;--panel:#f5f6f8;--line:#d6d9de;--accent:#1f4fd1;--accent-dark:#163a9c;--warn:#8a4b00;--focus:#ffbf47;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:var(--fg);background:var(--bg)}
*{box-sizing:border-box}
[hidden]{display:none !important}
body{margin:0}
a{color:var(--accent)}a:hover{color:var(--accent-dark)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px;box-shadow:0 0 0 5px var(--fg)}
.skip{position:absolute;left:-999px;top:0;background:var(--bg);padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem}
header.site{background:#10223f;color:#fff}
header.site .bar{max-width:72rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header.site a{color:#fff;text-decoration:none}header.site a:hover{text-decoration:underline}
header.site .brand{font-weight:700;font-size:1.15rem;margin-right:auto}
header.site nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0;flex-wrap:wrap}
header.site form{margin:0}
header.site button{background:none;border:1px solid #fff;color:#fff;border-radius:4px;padding:.2rem .6rem;font:inherit;cursor:pointer}
main{max-width:72rem;margin:0 auto;padding:1.5rem 1rem 3rem}
footer.site{border-top:1px solid var(--line);color:var(--muted);padding:1rem;text-align:center;font-size:.9rem}
h1{font-size:1.8rem;margin:.2rem 0 .6rem;line-height:1.2;overflow-wrap:anywhere}h2{font-size:1.3rem;margin-top:2rem}
.muted{color:var(--muted)}
.search{display:flex;gap:.5rem;flex-wrap:wrap;margin:1rem 0}
.search input[type=search]{flex:1 1 16rem;min-width:0}
input,select,button,textarea{font:inherit}
input,select,textarea{border:1px solid #6b7280;border-radius:4px;padding:.45rem .6rem;background:#fff;color:var(--fg)}
button,.button{background:var(--accent);color:#fff;border:1px solid var(--accent);border-radius:4px;padding:.45rem .9rem;cursor:pointer;text-decoration:none;display:inline-block}
button:hover,.button:hover{background:var(--accent-dark);color:#fff}
.filters{display:flex;gap:1rem;flex-wrap:wrap;align-items:end;background:var(--panel);padding:.75rem;border-radius:6px}
.filters label,.field label{display:block;font-weight:600;font-size:.9rem}
.cards{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1rem}
.card{border:1px solid var(--line);border-radius:6px;padding:1rem;display:flex;gap:.75rem;align-items:flex-start;background:#fff}
.card>div{min-width:0}.card h3{margin:0;font-size:1.05rem;overflow-wrap:anywhere}.card p{margin:.3rem 0 0;color:var(--muted);font-size:.95rem;overflow-wrap:anywhere}
.logo{width:48px;height:48px;object-fit:contain;flex:none}
.badge{display:inline-block;border:1px solid var(--line);border-radius:999px;padding:0 .5rem;font-size:.8rem;color:var(--muted);background:var(--panel)}
.badge.warn{color:var(--warn);border-color:var(--warn)}
.pkg-head{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 18rem;gap:2rem}
@media (max-width:52rem){.layout{grid-template-columns:minmax(0,1fr)}}
aside.meta{background:var(--panel);border-radius:6px;padding:1rem;align-self:start}
@media (min-width:52.01rem){.layout>aside.meta{margin-top:1.5rem}}
aside.meta dl{margin:0}aside.meta dt{font-weight:600;margin-top:.6rem}aside.meta dd{margin:0;overflow-wrap:anywhere}
.command{display:flex;gap:.5rem;align-items:center;background:#0f172a;color:#f8fafc;border-radius:6px;padding:.6rem .8rem;overflow-x:auto}
.command code{white-space:pre-wrap;overflow-wrap:anywhere;min-width:0;flex:1;font-size:.9rem}
.command-caption{flex:none;font-size:.8rem;color:#cbd5e1;font-weight:600}
.command button{background:#334155;border-color:#94a3b8;padding:.15rem .5rem;font-size:.85rem}
code,pre,kbd,samp{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:1em}
.markdown{overflow-wrap:anywhere}
.markdown pre,pre{background:var(--panel);padding:.75rem;border-radius:6px;overflow-x:auto}
.markdown img{max-width:100%}
.markdown table{border-collapse:collapse}.markdown td,.markdown th{border:1px solid var(--line);padding:.3rem .5rem}
.tabs{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;padding:0;margin:1rem 0 0;border-bottom:1px solid var(--line)}
.tabs a{display:block;padding:.4rem .8rem;text-decoration:none;border:1px solid transparent;border-bottom:none;border-radius:4px 4px 0 0}
.tabs a[aria-current=page]{border-color:var(--line);background:#fff;font-weight:600;color:var(--fg)}
.inline-form{display:flex;gap:.5rem;align-items:end;flex-wrap:wrap;margin:.5rem 0}
table.props{border-collapse:collapse;width:100%}table.props .markdown p{margin:0}table.props th,table.props td{border-bottom:1px solid var(--line);text-align:left;padding:.4rem;vertical-align:top}
.pager{display:flex;gap:1rem;margin-top:1rem}
.banner{border:1px solid var(--line);border-left-width:6px;border-radius:6px;padding:.5rem .9rem;margin:.75rem 0;background:var(--panel)}.banner p{margin:.3rem 0}
.banner.warn{border-color:var(--warn);background:#fff7ed}
.error-box{border:1px solid #b91c1c;background:#fef2f2;color:#7f1d1d;padding:.75rem;border-radius:6px}
nav.modules ul{list-style:none;padding-left:1rem}nav.modules>ul{padding-left:0}
.docs-layout{display:grid;grid-template-columns:17rem minmax(0,1fr);gap:2rem;margin-top:1rem}
.docs-layout>.docs-main{grid-column:2;grid-row:1;min-width:0}.docs-layout>.api-tree{grid-column:1;grid-row:1}
@media (max-width:52rem){.docs-layout{grid-template-columns:minmax(0,1fr)}.docs-layout>.docs-main{grid-column:1;grid-row:2}
.docs-layout>.api-tree{grid-column:1;grid-row:1;max-height:45vh;overflow-y:auto}}
.api-tree{background:var(--panel);border-radius:6px;padding:.75rem;align-self:start;font-size:.95rem;overflow-wrap:anywhere}
.api-tree label{display:block;font-weight:600;font-size:.9rem}
.tree-filter-row{display:flex;gap:.4rem;margin:.3rem 0 .6rem}.tree-filter-row input{flex:1;min-width:0}.tree-filter-row button{padding:.3rem .6rem}
ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:0}ul.tree ul{padding-left:.9rem;margin:.2rem 0 .4rem}ul.tree li{margin:.15rem 0}
ul.tree li.fn::before{content:"ƒ ";color:var(--muted)}
ul.tree a[aria-current=page]{font-weight:700;color:var(--fg)}
pre code{display:block}
pre{white-space:pre;overflow-wrap:normal}
@media (max-width:52rem){table.props,table.props tbody,table.props tr,table.props td,table.props th{display:block;width:100%}
table.props thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.props tr{border-bottom:1px solid var(--line);padding:.3rem 0}table.props td{border:none;padding:.2rem .4rem}}
table.props td,main p code,main li code,main td code{overflow-wrap:anywhere}
.hljs-keyword,.hljs-meta .hljs-keyword,.hljs-doctag,.hljs-selector-tag{color:#a0149c}
.hljs-string,.hljs-regexp,.hljs-meta .hljs-string{color:#1a6b2a}
.hljs-comment,.hljs-quote{color:#57606a;font-style:italic}
.hljs-number,.hljs-literal,.hljs-symbol,.hljs-bullet{color:#9a4a00}
.hljs-title,.hljs-title.function_,.hljs-title.class_,.hljs-section{color:#1f4fd1}
.hljs-type,.hljs-built_in,.hljs-params{color:#7a3e00}
.hljs-attr,.hljs-attribute,.hljs-variable,.hljs-property,.hljs-name,.hljs-tag{color:#0b5b8a}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

const SCRIPT = `
document.querySelectorAll("img[data-fallback]").forEach(function(img){function swap(){var f=img.getAttribute("data-fallback");if(f&&img.getAttribute("src")!==f)img.setAttribute("src",f);}if(img.complete&&img.naturalWidth===0)swap();else img.addEventListener("error",swap);});
document.querySelectorAll("input[data-tree-filter]").forEach(function(input){var nav=input.closest("nav");if(!nav)return;input.addEventListener("input",function(){var q=input.value.trim().toLowerCase();nav.querySelectorAll("ul.tree>li").forEach(function(m){var any=false;m.querySelectorAll("li[data-name]").forEach(function(i){var ok=!q||i.getAttribute("data-name").indexOf(q)>=0;i.hidden=!ok;if(ok)any=true;});m.hidden=!!q&&!any&&m.getAttribute("data-name").indexOf(q)<0;});});});
document.querySelectorAll("select[data-autosubmit]").forEach(function(s){s.addEventListener("change",function(){if(s.form)s.form.submit();});});
document.querySelectorAll("[data-autosubmit-button]").forEach(function(b){b.hidden=true;});
if(navigator.clipboard){document.querySelectorAll(".command").forEach(function(c){var code=c.querySelector("code");if(!code)return;var b=document.createElement("button");b.type="button";b.textContent="Copy";b.setAttribute("aria-label","Copy command");b.addEventListener("click",function(){navigator.clipboard.writeText(code.textContent||"").then(function(){b.textContent="Copied";});});c.appendChild(b);});}
`;

// A package without a logo (or whose logo cannot be fetched) shows this: same-origin, no network beyond this site.
const PACKAGE_LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="8" fill="#10223f"/><path d="M24 9 38 17v14l-14 8-14-8V17z" fill="none" stroke="#ffbf47" stroke-width="3" stroke-linejoin="round"/><path d="M10 17l14 8 14-8M24 25v14" fill="none" stroke="#ffbf47" stroke-width="3" stroke-linejoin="round"/></svg>`;
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#10223f"/><path d="M16 5 26 10.5v11L16 27 6 21.5v-11z" fill="none" stroke="#ffbf47" stroke-width="2.5" stroke-linejoin="round"/></svg>`;

interface Asset {
  body: string;
  contentType: string;
  ext: string;
}

const ASSETS: Record<string, Asset> = {
  style: { body: STYLESHEET, contentType: "text/css; charset=utf-8", ext: "css" },
  app: { body: SCRIPT, contentType: "text/javascript; charset=utf-8", ext: "js" },
  icon: { body: FAVICON, contentType: "image/svg+xml", ext: "svg" },
};

/** The fallback logo at a fixed path (cards render synchronously, before the hashed paths are known); cached a day. */
export const PACKAGE_LOGO_PATH = "/static/package-logo.svg";

export function packageLogo(): Response {
  return new Response(PACKAGE_LOGO, { headers: { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" } });
}

/** `/favicon.ico`, which browsers ask for on their own: the same icon as the pages' `<link rel="icon">`. */
export function favicon(): Response {
  return new Response(FAVICON, { headers: { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" } });
}

let paths: Promise<Record<string, string>> | undefined;

/** `/static/<name>.<hash>.<ext>` for each asset; computed once per isolate. */
export function assetPaths(): Promise<Record<string, string>> {
  paths ??= (async () => {
    const out: Record<string, string> = {};
    for (const [name, asset] of Object.entries(ASSETS)) out[name] = `/static/${name}.${(await sha256Hex(asset.body)).slice(0, 16)}.${asset.ext}`;
    return out;
  })();
  return paths;
}

/** The asset at a hashed path, or null: an old hash is a 404, never another file's bytes under it. */
export async function staticAsset(pathname: string): Promise<Response | null> {
  const known = await assetPaths();
  for (const [name, path] of Object.entries(known)) {
    if (path !== pathname) continue;
    const asset = ASSETS[name]!;
    return new Response(asset.body, {
      headers: {
        "Content-Type": asset.contentType,
        "Cache-Control": "public, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
      },
    });
  }
  return null;
}
