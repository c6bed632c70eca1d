// What the browser suite publishes: ordinary packages, and stored text that tries to run script.

export function seedSchema(name: string, version: string, keywords = ["category/cloud", "kind/native"]): string {
  return JSON.stringify({
    name,
    version,
    displayName: name[0]!.toUpperCase() + name.slice(1),
    description: `The ${name} package: resources for managing ${name}.`,
    publisher: "Acme",
    repository: "https://github.com/acme/pulumi-" + name,
    keywords,
  });
}

// Every payload sets window.__pwned or opens a dialog if it ever runs.
const payloads = [
  "<script>window.__pwned='script';alert('script')</script>",
  '<img src="x" onerror="window.__pwned=\'img\';alert(\'img\')">',
  '<a href="javascript:window.__pwned=\'a\'" id="evil-anchor">raw anchor</a>',
  '<svg onload="window.__pwned=\'svg\'"></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
];

export const EVIL = {
  title: "<script>window.__pwned='title'</script>Evil",
  description: `${payloads[1]} description "><script>alert('desc')</script>`,
  metadata: payloads.join(" "),
  markdown: [
    "# Evil readme",
    ...payloads,
    "[a javascript link](javascript:window.__pwned='md-link') and [a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) and [a vbscript link](vbscript:msgbox(1))",
    "![image](javascript:alert('img-md'))",
    "<div onclick=\"window.__pwned='div'\">click me</div>",
    "",
  ].join("\n\n"),
  pulumiYaml: `name: web-app
runtime: nodejs
description: A web app
template:
  displayName: "Web app <script>window.__pwned='tpl-name'</script>"
  description: "A web application ${payloads[1]!.replace(/"/g, '\\"')}"
  metadata:
    cloud: "aws <img src=x onerror=alert(1)>"
  config:
    "app:greeting":
      description: "Greeting <script>alert('config')</script>"
      default: "hello <b onmouseover=alert(1)>"
`,
};
