// The install commands a package page offers per language, from the names the schema's language
// sections give (package-facts.ts): npm and yarn, pip, go get, dotnet add package, Maven and Gradle.
import type { PackageFacts } from "../api-docs/package-facts";
import type { Language } from "../api-docs/languages";

export interface InstallCommand {
  /** What the command is run with ("npm", "Maven", …). */
  tool: string;
  command: string;
}

export interface InstallChoice {
  language: Language;
  commands: InstallCommand[];
}

/** PEP 440 has no `-beta.1`: a pre-release is installed with `--pre` rather than a pin pip would refuse. */
function pipCommand(name: string, version: string): string {
  return version.includes("-") ? `pip install --pre ${name}` : `pip install ${name}==${version}`;
}

/** Each language the schema names a package for, in the docs' language order; YAML programs need no SDK package. */
export function installChoices(facts: PackageFacts | undefined, version: string): InstallChoice[] {
  const install = facts?.install ?? {};
  const out: InstallChoice[] = [];
  if (install.nodejs) {
    out.push({ language: "typescript", commands: [{ tool: "npm", command: `npm install ${install.nodejs}@${version}` }, { tool: "yarn", command: `yarn add ${install.nodejs}@${version}` }] });
  }
  if (install.python) out.push({ language: "python", commands: [{ tool: "pip", command: pipCommand(install.python, version) }] });
  if (install.go) out.push({ language: "go", commands: [{ tool: "go", command: `go get ${install.go}@v${version}` }] });
  if (install.csharp) out.push({ language: "csharp", commands: [{ tool: ".NET CLI", command: `dotnet add package ${install.csharp} --version ${version}` }] });
  if (install.java) {
    const { groupId, artifactId } = install.java;
    out.push({
      language: "java",
      commands: [
        { tool: "Maven", command: `<dependency>\n  <groupId>${groupId}</groupId>\n  <artifactId>${artifactId}</artifactId>\n  <version>${version}</version>\n</dependency>` },
        { tool: "Gradle", command: `implementation("${groupId}:${artifactId}:${version}")` },
      ],
    });
  }
  return out;
}
