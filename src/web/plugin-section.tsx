// The package page's provider plugin section: the attached platforms (size, SHA-256, download), a
// ready-to-paste Pulumi.yaml `packages:` block with `checksums` (which the CLI enforces), and the commands
// that verify the signed SHA256SUMS. Every value is escaped by the JSX renderer.
import { h, type RawHtml } from "./jsx";
import { Command } from "./components";
import type { PluginListing } from "../plugins/plugin-view";

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export interface PluginSectionProps {
  pkg: { source: string; publisher: string; name: string; version: string; visibility: string };
  plugins: PluginListing[];
  /** The version's plugins URL (its SHA256SUMS lives there). */
  base: string;
  origin: string;
}

export function pulumiYamlBlock(pkg: PluginSectionProps["pkg"], plugins: PluginListing[]): string {
  return [
    "packages:",
    `  ${pkg.name}:`,
    `    source: ${pkg.source}/${pkg.publisher}/${pkg.name}`,
    `    version: ${pkg.version}`,
    "    checksums:",
    ...plugins.map((p) => `      ${p.platform}: ${p.sha256}`),
    "",
  ].join("\n");
}

export function PluginSection({ pkg, plugins, base, origin }: PluginSectionProps): RawHtml | null {
  if (!plugins.length) return null;
  const verify = `curl -sSO ${base}/SHA256SUMS -sSO ${base}/SHA256SUMS.minisig && curl -sS ${origin}/.well-known/plugin-signing.pub -o plugin-signing.pub && minisign -V -p plugin-signing.pub -m SHA256SUMS`;
  return (
    <section aria-labelledby="plugins">
      <h2 id="plugins">Provider plugin</h2>
      <table class="props plugins">
        <caption class="sr-only">{`Provider plugin archives of ${pkg.name} ${pkg.version}`}</caption>
        <thead>
          <tr>
            <th scope="col">Platform</th>
            <th scope="col">Size</th>
            <th scope="col">SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {plugins.map((p) => (
            <tr>
              <td>{pkg.visibility === "public" ? <a href={p.url}>{p.platform}</a> : p.platform}</td>
              <td>{humanSize(p.size)}</td>
              <td>
                <code class="checksum">{p.sha256}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Pin the checksums in <code>Pulumi.yaml</code>; the Pulumi CLI verifies each platform it installs:
      </p>
      <pre aria-label="Pulumi.yaml packages block">
        <code>{pulumiYamlBlock(pkg, plugins)}</code>
      </pre>
      {pkg.visibility === "private" ? (
        <p>
          This package is private: the CLI downloads its plugin through the <code>gitlab://</code> source with a registry token of its organization in{" "}
          <code>GITLAB_TOKEN</code>.
        </p>
      ) : null}
      <Command label="Verify the signed SHA256SUMS" command={verify} caption="minisign" />
    </section>
  );
}
